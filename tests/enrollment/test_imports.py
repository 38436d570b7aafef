import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import Ground, LedgerEntry
from enrollment.participation import active_people
from people.models import Person

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample" / "peserta_contoh.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content, name="peserta.csv"):
    return client.post(
        reverse("enrollment:import_participants"), {"file": SimpleUploadedFile(name, content)}
    )


def confirm(client, preview):
    return client.post(reverse("enrollment:import_confirm"), {"token": preview.context["token"]})


def test_admin_previews_then_confirms_the_sample_file(client, admin_user):
    client.force_login(admin_user)
    preview = upload(client, SAMPLE.read_bytes())
    plan = preview.context["plan"]
    assert (len(plan.to_add), plan.unchanged, plan.errors) == (6, 0, [])
    assert not Person.objects.exists()  # a preview writes nothing
    assert confirm(client, preview).status_code == 302
    assert active_people().count() == 6
    assert set(LedgerEntry.objects.values_list("ground", flat=True)) == {Ground.OPENING}
    assert Person.objects.get(nik="3401015608750002").household.members.count() == 3


def test_importing_the_same_file_twice_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    confirm(client, upload(client, SAMPLE.read_bytes()))
    again = upload(client, SAMPLE.read_bytes())
    assert (len(again.context["plan"].to_add), again.context["plan"].unchanged) == (0, 6)
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
    assert len(preview.context["plan"].to_add) == 6
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
    errors = preview.context["plan"].errors
    assert len(errors) == 1 and reason in errors[0][1]
    assert "token" not in preview.context  # nothing to confirm, and the upload is gone
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())
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
def test_broken_files_are_refused_clearly(client, admin_user, content, name, message):
    client.force_login(admin_user)
    response = upload(client, content, name)
    assert message in response.context["error"]
    assert not Person.objects.exists()


def test_only_admins_import(client, verifier, operator_a):
    for user in (verifier, operator_a):
        client.force_login(user)
        assert client.get(reverse("enrollment:import_participants")).status_code == 403
        assert client.post(reverse("enrollment:import_confirm")).status_code == 403


def test_a_tampered_confirmation_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("enrollment:import_confirm"), {"token": "palsu"}, follow=True)
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
