"""Hostile import files: each refusal says what is wrong, in Bahasa Indonesia, and writes
nothing; one preview is saved by one job however often it is confirmed."""

import io
import threading
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from enrollment import imports, tasks, views
from enrollment.models import LedgerEntry
from jobs.models import Job
from people.models import Person
from tests.builders import SAMPLE, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PYTHON_WORDS = ("invalid literal", "Traceback", "Error", "base 10", "tak terduga", "NoneType")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _sample_with(old, new):
    return SAMPLE.read_text().replace(old, new, 1).encode()


def _xlsx_with_broken_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.append(SAMPLE.read_text().splitlines()[0].split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(broken, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return broken.getvalue()


def _refusal(response):
    """The messages a page shows for a refused upload, and its bad rows."""
    if "job" not in response.context:
        return [response.context["error"]]
    job = response.context["job"]
    if job.status == "failed":
        return [job.error]
    return [reason for _, reason in job.result["errors"]]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (_sample_with(",1,2,Petani", ",¹,2,Petani"), "peserta.csv", "kode hubungan_keluarga"),
        (_sample_with(",1,2,Petani", ",1,²,Petani"), "peserta.csv", "kode status_perkawinan"),
        (_sample_with(",001,002,34.01.01.2001", ",⁰⁰¹,002,34.01.01.2001"), "peserta.csv", "RT"),
        (_sample_with("Paiman", "Pai\x00man"), "peserta.csv", "karakter kontrol"),
        (_sample_with("Paiman", "P" * 200_000), "peserta.csv", "terlalu panjang"),
        (_xlsx_with_broken_sheet(), "peserta.xlsx", "rusak"),
        # Issue 14 finding 13: absurd dates are refused, not cut or written.
        (_sample_with(",2025-01,1995", ",2025-01-99,1995"), "peserta.csv", "bulan_mulai harus"),
        (_sample_with(",2025-01,1995", ",9999-12,1995"), "peserta.csv", "bulan_mulai: Bulan"),
        (_sample_with(",1970-05-12,", ",2999-05-12,"), "peserta.csv", "Tanggal lahir harus"),
        (_sample_with(",1995-04-01", ",0001-01-01"), "peserta.csv", "berdomisili harus"),
    ],
)
def test_a_hostile_file_is_refused_with_a_reason_in_indonesian(
    client, admin_user, content, name, expected
):
    client.force_login(admin_user)
    messages = _refusal(upload(client, content, name))
    assert messages and any(expected in message for message in messages), messages
    for message in messages:
        assert not any(word in message for word in PYTHON_WORDS), message
    assert not Person.objects.exists() and not LedgerEntry.objects.exists()


CONFIRMERS = 3


def _confirm_at_once(preview):
    """Posts the confirmation of `preview` from CONFIRMERS clients at the same moment."""
    barrier = threading.Barrier(CONFIRMERS)
    outcomes, failures = [], []

    def confirm():
        client = Client()
        client.force_login(preview.created_by)
        try:
            barrier.wait()
            response = client.post(reverse("enrollment:import_confirm"), {"job": preview.pk})
            outcomes.append(response.status_code)
        except Exception as error:  # noqa: BLE001 (asserted below)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(CONFIRMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and outcomes == [302] * CONFIRMERS


def _previewed(committed_reference_data):
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return upload(client, SAMPLE.read_bytes()).context["job"]


@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_of_one_preview_queue_one_job(committed_reference_data, monkeypatch):
    """Three tabs (or a triple click) confirm one preview at once: one job is queued. The jobs
    are queued, not run, so nothing is written to the append-only ledger (SQLite's flush after
    the test deletes row by row, which the ledger refuses)."""
    preview = _previewed(committed_reference_data)
    monkeypatch.setattr(
        views.jobs,
        "start",
        lambda kind, user, **params: Job.objects.create(kind=kind, params=params, created_by=user),
    )
    _confirm_at_once(preview)
    assert Job.objects.filter(kind=tasks.PARTICIPANTS_IMPORT).count() == 1
    preview.refresh_from_db()
    assert preview.result["is_confirmed"] and not preview.result["is_confirmable"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_of_one_preview_save_it_once(committed_reference_data):
    preview = _previewed(committed_reference_data)
    _confirm_at_once(preview)
    (saved,) = Job.objects.filter(kind=tasks.PARTICIPANTS_IMPORT)
    assert (saved.status, saved.error) == ("done", "")
    assert LedgerEntry.objects.count() == 6


def _workbook_bytes():
    workbook = openpyxl.Workbook()
    for line in SAMPLE.read_text().splitlines():
        workbook.active.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_expanded_part(name, size):
    """The sample workbook with part `name` replaced by `size` bytes of XML-ish filler: a small
    upload (it compresses about 1000:1) that expands to `size`."""
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        with target.open(name, "w") as part:
            block = b"<si><t>A</t></si>" * 60_000
            for _ in range(size // len(block) + 1):
                part.write(block)
    return bomb.getvalue()


@pytest.mark.parametrize(
    ("part", "size"),
    [
        ("xl/sharedStrings.xml", imports.MAX_SHARED_STRINGS_BYTES + 1),
        ("xl/worksheets/sheet2.xml", imports.MAX_EXPANDED_BYTES + 1),
    ],
)
def test_a_workbook_expanding_beyond_the_bound_is_refused_before_parsing(
    client, admin_user, monkeypatch, part, size
):
    content = _with_expanded_part(part, size)
    assert len(content) < 2 * 1024 * 1024  # small on the wire, huge once opened
    monkeypatch.setattr(
        imports.openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed the bomb")
    )
    client.force_login(admin_user)
    (message,) = _refusal(upload(client, content, "peserta.xlsx"))
    assert "terlalu besar setelah dibuka" in message and ".csv" in message
    assert not Person.objects.exists()


def test_a_file_of_many_bad_rows_is_refused_after_the_first_thousand(
    client, admin_user, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH_ROWS", 500)
    header, first = SAMPLE.read_text().splitlines()[:2]
    content = "\n".join([header] + [first] * 5000).encode()  # 4,999 duplicates of row 2
    client.force_login(admin_user)
    job = upload(client, content).context["job"]
    assert job.result["error_count"] == imports.MAX_ERRORS
    assert "dihentikan setelah 1000 baris bermasalah" in job.result["cut_short"]
    assert job.done < 5000  # the rest was never read
    assert not job.result["is_confirmable"]


def _plan(content):
    return imports.plan_participants(
        imports.read_rows(io.BytesIO(content), "peserta.csv"), imports.deployment_regency()
    )


def test_a_bad_value_repeated_on_many_rows_is_reported_on_each():
    # Each distinct value is checked once per import: a refused one is refused on every row.
    lines = SAMPLE.read_text().splitlines()
    bad = [
        line.replace("Kulon Progo", "=SUM(A1)").replace(",2025-01,", ",1850-01,")
        for line in lines[1:4]
    ]
    plan = _plan("\n".join([lines[0], *bad, *lines[4:]]).encode())
    assert [number for number, _ in plan.errors] == [2, 3, 4]
    assert {reason for _, reason in plan.errors} == {
        "kolom tempat_lahir diawali tanda rumus, memuat < > { } \\ atau karakter kontrol"
    }
    fixed = [line.replace("=SUM(A1)", "Kulon Progo") for line in bad]
    plan = _plan("\n".join([lines[0], *fixed, *lines[4:]]).encode())
    assert [number for number, _ in plan.errors] == [2, 3, 4]
    assert all("bulan_mulai" in reason for _, reason in plan.errors)


def test_a_malformed_date_is_reported_before_an_implausible_one():
    lines = SAMPLE.read_text().splitlines()
    row = lines[1].replace("1970-05-12", "1850-05-12").replace("1995-04-01", "1995-13-01")
    plan = _plan("\n".join([lines[0], row, row.replace("1995-13-01", "1995-04-01")]).encode())
    assert plan.errors[0] == (2, "tanggal harus TTTT-BB-HH dan bulan_mulai TTTT-BB")
    assert plan.errors[1][0] == 3 and plan.errors[1][1].startswith("Tanggal lahir harus antara")


def test_a_batch_is_looked_up_whole_whatever_its_size():
    from tests.factories import PersonFactory

    people = PersonFactory.create_batch(3)
    wanted = [person.nik for person in people[:2]] + [f"{n:016d}" for n in range(6000)]
    found = set(
        imports.lookup(
            lambda chunk: Person.objects.filter(imports.one_of("nik", chunk)).values_list(
                "pk", flat=True
            ),
            wanted,
        )
    )
    assert found == {people[0].pk, people[1].pk}
    by_id = Person.objects.filter(imports.one_of("pk", [people[2].pk, 0]))
    assert list(by_id) == [people[2]]
