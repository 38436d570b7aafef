"""The synthetic kabupaten's Dukcapil extract and DTSEN period: imported through the real jobs
(preview, then confirm), the feed finds exactly the cases the builder planted."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

import jobs
from accounts.models import Role, User
from enrollment import tasks as enrollment_tasks
from enrollment.models import RegistryRecord
from feeds import tasks as feeds_tasks
from jobs.models import Job
from people.models import PopulationExtract
from synthetic.feeds import (
    CANDIDATE,
    DTSEN_KINDS,
    EVENT_KINDS,
    NOTHING,
    URGENT,
    dtsen_found,
    events_found,
    read_planted,
)

pytestmark = pytest.mark.django_db
SIZE = {"residents": 3000, "participants": 400, "months": 6}


def build(**options):
    out = io.StringIO()
    call_command("build_synthetic_kabupaten", stdout=out, **SIZE, **options)
    return out.getvalue()


def through_jobs(path, user, preview_kind, import_kind, **params):
    """The file through an import's two jobs, as its upload page starts them."""
    with path.open("rb") as file:
        stored = default_storage.save(f"imports/{path.name}", File(file))
    preview = jobs.start(preview_kind, user, stored=stored, filename=path.name, **params)
    assert preview.status == Job.Status.DONE, preview.error
    assert preview.result["is_confirmable"], preview.result
    done = jobs.start(import_kind, user, **preview.params)
    assert done.status == Job.Status.DONE, done.error
    return preview.result, done.result


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_extract_import_finds_every_planted_case(tmp_path, suffix, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / f"peristiwa{suffix}"
    out = build(dukcapil_file=path, dukcapil_events=400)
    planted = read_planted(path)
    assert f"Ekstrak Dukcapil {datetime.date.fromisoformat(planted['period']):%m-%Y}" in out
    assert planted["rows"] == 400 == sum(planted["kinds"].values())
    assert set(planted["kinds"]) == set(EVENT_KINDS)
    assert all(count > 0 for count in planted["kinds"].values()), planted
    dukcapil = User.objects.get(role=Role.DUKCAPIL)

    preview, done = through_jobs(
        path,
        dukcapil,
        feeds_tasks.EXTRACT_PREVIEW,
        feeds_tasks.EXTRACT_IMPORT,
        period=planted["period"],
    )

    assert preview["valid"] == 400 and preview["error_count"] == 0
    assert done["rows"] == 400
    found = events_found(PopulationExtract.objects.get())
    assert found == planted["outcomes"]
    assert (done["removals"], done["flags"], done["moves"]) == (
        found["pengurangan"],
        found["perhatian"],
        found["pindah"],
    )
    assert (
        done["unknown_count"] == preview["unknown_count"] == planted["kinds"]["nik_tidak_dikenal"]
    )


def test_the_dtsen_import_and_ranking_find_every_planted_case(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "dtsen.csv"
    build(dtsen_file=path, dtsen_rows=1000)
    planted = read_planted(path)
    assert planted["rows"] == 1000
    assert set(planted["kinds"]) == set(DTSEN_KINDS)
    assert all(count > 0 for count in planted["kinds"].values()), planted
    # The earlier period, as already imported: everyone of this month's, and those who left.
    assert RegistryRecord.objects.count() == 1000 + planted["kinds"]["keluar_dtsen"]
    admin = User.objects.create(username="admin-dtsen", role=Role.ADMIN)
    verifier = User.objects.get(role=Role.VERIFIER)
    cache.clear()

    preview, done = through_jobs(
        path, admin, enrollment_tasks.REGISTRY_PREVIEW, enrollment_tasks.REGISTRY_IMPORT
    )

    assert preview["to_add"] == done["added"] == 1000
    month = datetime.date.fromisoformat(planted["period"])
    found = dtsen_found(verifier, month)
    assert found == {URGENT: planted["outcomes"][URGENT], CANDIDATE: planted["outcomes"][CANDIDATE]}
    assert planted["outcomes"][NOTHING] == 1000 - planted["kinds"]["desil_naik"] - found[CANDIDATE]


def test_a_file_too_large_for_the_kabupaten_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Tidak cukup penduduk"):
        build(dtsen_file=tmp_path / "dtsen.csv", dtsen_rows=100_000)


def test_the_dtsen_file_must_be_csv(tmp_path):
    with pytest.raises(CommandError, match=r"\.csv"):
        build(dtsen_file=tmp_path / "dtsen.xlsx")
