import io

import openpyxl
import pytest
from django.urls import reverse

from enrollment.models import Ground, LedgerEntry
from enrollment.participation import active_people
from people.models import Person
from tests.builders import SAMPLE, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def plan_of(preview):
    return preview.context["job"].result


def confirm(client, preview):
    return client.post(
        reverse("enrollment:import_confirm"), {"job": preview.context["job"].pk}, follow=True
    )


def test_admin_previews_then_confirms_the_sample_file(client, admin_user):
    client.force_login(admin_user)
    preview = upload(client, SAMPLE.read_bytes())
    plan = plan_of(preview)
    assert (plan["to_add"], plan["unchanged"], plan["errors"]) == (6, 0, [])
    assert 'data-testid="confirm"' in preview.content.decode()
    assert not Person.objects.exists()  # a preview writes nothing
    done = confirm(client, preview)
    assert "Impor selesai: 6 baris ditambahkan" in done.content.decode()
    assert active_people().count() == 6
    assert set(LedgerEntry.objects.values_list("ground", flat=True)) == {Ground.OPENING}
    assert Person.objects.get(nik="3401015608750002").household.members.count() == 3


def test_importing_the_same_file_twice_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, SAMPLE.read_bytes()))
    again = upload(client, SAMPLE.read_bytes())
    assert (plan_of(again)["to_add"], plan_of(again)["unchanged"]) == (0, 6)
    assert not plan_of(again)["is_confirmable"]
    assert LedgerEntry.objects.count() == 6


def test_xlsx_upload_keeps_nik_as_text(client, admin_user):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in SAMPLE.read_text().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(admin_user)
    preview = upload(client, buffer.getvalue(), "peserta.xlsx")
    assert plan_of(preview)["to_add"] == 6
    confirm(client, preview)
    assert Person.objects.filter(nik="3401011205700001").exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("34.01.01.2001", "33.13.01.2001"), "tidak ada di kabupaten ini"),
        (("3401016101600004", "34010161016000X4"), "NIK harus 16 digit"),
        (("3401016101600004", "3401011205700001"), "NIK ganda dengan baris 2"),
        (("Tukinah", "=HYPERLINK(1)"), "diawali tanda rumus"),
        (("1960-01-21", "21/01/1960"), "TTTT-BB-HH"),
        (("Tukinah", "x" * 200), "lebih dari 150 karakter"),
        (("3401010101150002,Tukinah", "3401010101150001,Tukinah"), "No. KK sama dengan baris 2"),
    ],
)
def test_a_bad_row_is_named_and_blocks_the_whole_import(
    client, admin_user, settings, change, reason
):
    client.force_login(admin_user)
    content = SAMPLE.read_text().replace(*change, 1).encode()
    preview = upload(client, content)
    errors = plan_of(preview)["errors"]
    assert len(errors) == 1 and reason in errors[0][1]
    assert not plan_of(preview)["is_confirmable"]  # nothing to confirm, and the upload is gone
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())
    assert confirm(client, preview).redirect_chain[-1][0] == reverse(
        "enrollment:import_participants"
    )
    assert not Person.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 bukan excel", "peserta.xlsx", "rusak"),
        ("nik,nama\n1,Ä".encode("utf-16"), "peserta.csv", "UTF-8"),
        (b"nik,nama\n1,A\n", "peserta.csv", "Kolom wajib tidak ada"),
        (b"apa", "peserta.pdf", ".xlsx atau .csv"),
    ],
)
def test_broken_files_are_refused_clearly(client, admin_user, settings, content, name, message):
    client.force_login(admin_user)
    response = upload(client, content, name)
    if "job" in response.context:
        assert response.context["job"].status == "failed"
        assert message in response.context["job"].error
    else:
        assert message in response.context["error"]
    assert message in response.content.decode()
    assert reverse("enrollment:import_participants") in response.content.decode()
    assert not Person.objects.exists()
    assert not list((settings.MEDIA_ROOT).glob("imports/*"))


def test_only_admins_import(client, verifier, operator_a):
    for user in (verifier, operator_a):
        client.force_login(user)
        assert client.get(reverse("enrollment:import_participants")).status_code == 403
        assert client.post(reverse("enrollment:import_confirm")).status_code == 403


def test_a_tampered_confirmation_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enrollment:import_confirm"), {"job": "palsu"}, follow=True)
    assert "tidak sah" in response.content.decode()


def test_imported_domicile_date_is_kept(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, SAMPLE.read_bytes()))
    assert str(Person.objects.get(nik="3401011205700001").domicile_since) == "1995-04-01"


def test_the_service_refuses_a_file_with_a_bad_row_and_writes_nothing(admin_user):
    from django.core.exceptions import ValidationError

    from enrollment import services
    from enrollment.imports import read_rows
    from regions.models import Regency

    content = SAMPLE.read_text().replace("34.01.02.2001", "99.99.99.9999", 1).encode()
    rows = read_rows(io.BytesIO(content), "peserta.csv")
    with pytest.raises(ValidationError, match="Baris 6: kode desa 99.99.99.9999"):
        services.participants_import(
            actor=admin_user, rows=rows, regency=Regency.objects.get(code="34.01"), source="uji"
        )
    assert not Person.objects.exists() and not LedgerEntry.objects.exists()


def test_a_row_turned_bad_after_the_preview_fails_the_whole_import(client, admin_user, monkeypatch):
    from enrollment import imports
    from tests.factories import HouseholdFactory, PersonFactory, village

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)  # the bad row comes after written batches
    client.force_login(admin_user)
    preview = upload(client, SAMPLE.read_bytes())
    # Before the admin confirms, the last row's NIK is recorded in another village.
    PersonFactory(
        nik="3401024411850006", household=HouseholdFactory(village=village("34.01.03.2001"))
    )
    done = confirm(client, preview)
    job = done.context["job"]
    assert job.status == "failed" and "Baris 7: NIK ini terdaftar di desa lain." in job.error
    assert Person.objects.count() == 1 and not LedgerEntry.objects.exists()


def test_the_preview_reports_progress_and_offers_every_bad_row(client, admin_user):
    lines = SAMPLE.read_text().splitlines()
    content = "\n".join([lines[0]] + [lines[1]] * 150).encode()  # 149 duplicates of row 2
    client.force_login(admin_user)
    preview = upload(client, content)
    job = preview.context["job"]
    assert (job.done, job.total) == (150, 150)
    assert job.result["error_count"] == 149 and len(job.result["errors"]) == 100
    report = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").count("NIK ganda") == 149


def test_a_refusal_with_many_bad_rows_is_shortened(admin_user, monkeypatch):
    from enrollment import tasks

    messages = [f"Baris {n}: salah." for n in range(2, 40)]
    from django.core.exceptions import ValidationError

    shortened = tasks.shortened(ValidationError(messages))
    assert len(shortened.messages) == 21 and "18 baris bermasalah lainnya" in shortened.messages[-1]
