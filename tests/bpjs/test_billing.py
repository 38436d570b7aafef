"""BPJS's monthly list of billed participants, imported: preview and confirm, all or nothing,
idempotent, a new version for a second file of a month; the bad-input corpus."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

import jobs
from bpjs import billing, layout, services, tasks
from bpjs.models import BillingFile, BillingRow, Status
from jobs.models import Job
from regions.months import add_months
from tests.builders import resident, this_month

pytestmark = pytest.mark.django_db

HEADER = "No Kartu,NIK,Nama,Tgl Lahir,TMT,Status,Kode Faskes,Nama Faskes,Segmen"
CARD_A, CARD_B = "0001234567890", "0001234567891"
NIK_A, NIK_B = "3401010101900101", "3401014101900102"


def csv_file(*lines, header=HEADER):
    return "\n".join([header, *lines]).encode("utf-8")


def good(card=CARD_A, nik=NIK_A, name="Sri Wahyuni", status="AKTIF", tmt="01/02/2026"):
    return f"{card},{nik},{name},1990-01-01,{tmt},{status},0123B045,Puskesmas Temon I,PBPU Pemda"


GOOD = csv_file(good(), good(CARD_B, NIK_B, "Budi"))


def plan_of(content, filename="data.csv", month=None):
    return billing.plan(
        io.BytesIO(content), filename, layout.billing_layout(), month or this_month()
    )


def save(actor, content, filename="data.csv", month=None):
    return services.billing_import(
        actor=actor, plan=plan_of(content, filename, month), filename=filename, layout_name="uji"
    )


def test_a_list_is_saved_with_its_rows_matched(verifier):
    person = resident()
    content = csv_file(good(nik=person.nik), good(CARD_B, NIK_B, "Budi", status="Non Aktif"))
    saved = save(verifier, content)
    assert (saved.month, saved.version, saved.rows) == (this_month(), 1, 2)
    rows = list(BillingRow.objects.filter(file=saved))
    assert [row.person for row in rows] == [person, None]
    assert [row.status for row in rows] == [Status.ACTIVE, Status.INACTIVE]
    assert rows[0].tmt == datetime.date(2026, 2, 1) and rows[0].card_number == CARD_A
    assert rows[1].status_text == "Non Aktif"


def test_the_same_list_twice_writes_nothing_new(verifier):
    first = save(verifier, GOOD)
    reordered = csv_file(good(CARD_B, NIK_B, "Budi"), good())
    assert save(verifier, reordered) is None
    assert list(BillingFile.objects.all()) == [first]
    assert BillingRow.objects.count() == 2


def test_a_second_list_of_a_month_is_a_new_version(verifier):
    first = save(verifier, GOOD)
    second = save(verifier, csv_file(good()))
    assert (first.version, second.version) == (1, 2)
    assert BillingRow.objects.filter(file=first).count() == 2
    assert BillingRow.objects.filter(file=second).count() == 1


def test_an_earlier_month_is_its_own_list(verifier):
    earlier = save(verifier, GOOD, month=add_months(this_month(), -1))
    assert earlier.version == 1 and save(verifier, GOOD).version == 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (good(card="12345"), "No. Kartu 12345 bukan 13 digit angka"),
        (good(card="000123456789A"), "bukan 13 digit angka"),
        (good(nik="34010101019001"), "NIK 34010101019001: NIK harus 16 digit angka"),
        (good(status="meninggal"), "status 'meninggal' tidak dikenal"),
        (good(tmt="31/31/2026"), "bukan tanggal"),
        (good(name="=HYPERLINK(1)"), "berisi rumus"),
        (good(name=""), "kolom Nama kosong"),
        (good(nik=NIK_B), "NIK 3401014101900102 sudah ada di baris 2"),
    ],
)
def test_a_bad_row_is_listed_by_number_and_nothing_is_written(verifier, line, reason):
    content = csv_file(good(CARD_B, NIK_B, "Budi"), line)
    plan = plan_of(content)
    assert [(number, text) for number, text in plan.errors if reason in text] == [
        (3, plan.errors[0][1])
    ]
    with pytest.raises(ValidationError, match="Baris 3"):
        services.billing_import(actor=verifier, plan=plan, filename="x.csv", layout_name="uji")
    assert not BillingFile.objects.exists() and not BillingRow.objects.exists()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            csv_file(good(), header=HEADER + ",Golongan"),
            "data.csv",
            "Kolom tidak dikenal: Golongan",
        ),
        (
            csv_file("0001234567890,Budi", header="No Kartu,Nama"),
            "data.csv",
            "Kolom wajib tidak ada",
        ),
        (b"PK\x03\x04 bukan excel", "data.xlsx", "rusak"),
        (GOOD, "data.pdf", ".xlsx atau .csv"),
        (HEADER.encode(), "data.csv", "tidak memuat baris"),
        ("No Kartu,NIK\n\xff".encode("latin-1"), "data.csv", "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(content, filename, message):
    with pytest.raises(ValidationError, match=message):
        plan_of(content, filename)


def test_a_formula_in_an_xlsx_is_refused():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([CARD_A, NIK_A, "Sri", "1990-01-01", "01/02/2026", "aktif", "", "", ""])
    sheet.append([CARD_B, "=A2", "Budi", "1990-01-01", "01/02/2026", "aktif", "", "", ""])
    output = io.BytesIO()
    workbook.save(output)
    plan = plan_of(output.getvalue(), "data.xlsx")
    assert plan.errors == [(3, "kolom NIK berisi rumus")] and len(plan.rows) == 1


def test_a_future_month_is_refused(verifier):
    with pytest.raises(ValidationError, match="belum tiba"):
        save(verifier, GOOD, month=add_months(this_month(), 1))
    assert not BillingFile.objects.exists()


def test_only_the_team_imports(leadership):
    with pytest.raises(Exception, match="Tim Verifikasi"):
        save(leadership, GOOD)
    assert not BillingFile.objects.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE bpjs_billingrow SET name = 'diubah'",
        "DELETE FROM bpjs_billingrow",
        "UPDATE bpjs_billingfile SET rows = 0",
        "TRUNCATE bpjs_billingrow",
    ],
)
def test_the_database_refuses_to_change_an_imported_list(verifier, statement):
    if "TRUNCATE" in statement and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    if connection.vendor == "postgresql":
        # The rows just inserted leave deferred foreign-key checks, which TRUNCATE waits for.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    save(verifier, GOOD)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert BillingRow.objects.count() == 2


def test_upload_preview_and_confirm_in_the_browser(client, verifier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(verifier)
    url = reverse("bpjs:billing_upload")
    month = f"{this_month():%Y-%m}"
    response = client.post(url, {"month": month, "file": SimpleUploadedFile("bpjs.csv", GOOD)})
    preview = Job.objects.get(kind="bpjs.billing_preview")
    assert response.url == preview.get_absolute_url()
    assert preview.result["is_confirmable"] and not BillingFile.objects.exists()
    assert "Simpan 2 baris sebagai versi 1" in client.get(response.url).content.decode()
    confirmed = client.post(reverse("bpjs:billing_confirm"), {"job": preview.pk})
    assert confirmed.status_code == 302
    assert BillingFile.objects.get().rows == 2
    # The same list again: the preview says so and offers nothing to save.
    client.post(url, {"month": month, "file": SimpleUploadedFile("lagi.csv", GOOD)})
    again = Job.objects.filter(kind="bpjs.billing_preview").latest("pk")
    assert not again.result["is_confirmable"] and "versi 1" in again.result["same_as"]


def test_a_bad_upload_shows_its_rows_and_offers_no_save(client, verifier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(verifier)
    content = csv_file(good(), good(card="1"))
    client.post(
        reverse("bpjs:billing_upload"),
        {"month": f"{this_month():%Y-%m}", "file": SimpleUploadedFile("bpjs.csv", content)},
    )
    preview = Job.objects.get(kind="bpjs.billing_preview")
    assert preview.result["error_count"] == 1 and not preview.result["is_confirmable"]
    refused = client.post(reverse("bpjs:billing_confirm"), {"job": preview.pk})
    assert refused.status_code == 302 and not BillingFile.objects.exists()


def previewed(verifier, content):
    """An upload stored and previewed, as the upload page does."""
    stored = default_storage.save("imports/bpjs.csv", ContentFile(content))
    preview = jobs.start(
        tasks.BILLING_PREVIEW, verifier, stored=stored, filename="bpjs.csv", month=f"{this_month()}"
    )
    assert preview.result["is_confirmable"], preview.result
    return preview


def test_the_confirm_saves_the_rows_its_preview_checked(verifier, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = resident()
    content = csv_file(good(nik=person.nik), good(CARD_B, NIK_B, "Budi", status="Non Aktif"))
    preview = previewed(verifier, content)
    monkeypatch.setattr(billing, "plan", lambda *args, **kwargs: pytest.fail("read again"))
    done = jobs.start(tasks.BILLING_IMPORT, verifier, **preview.params)
    assert done.status == Job.Status.DONE and done.result["saved"], done.error
    monkeypatch.undo()
    checked = plan_of(content)
    saved = BillingFile.objects.get()
    assert saved.digest == checked.digest
    fields = billing.Row._fields
    assert list(BillingRow.objects.order_by("pk").values_list(*fields)) == checked.rows
    assert BillingRow.objects.filter(person=person).count() == 1
    assert default_storage.listdir("imports") == ([], [])


def test_an_upload_changed_after_its_preview_is_checked_again(verifier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    preview = previewed(verifier, GOOD)
    with default_storage.open(preview.params["stored"], "wb") as file:
        file.write(csv_file(good(), good(card="1")))
    done = jobs.start(tasks.BILLING_IMPORT, verifier, **preview.params)
    assert done.status == Job.Status.FAILED
    assert "Baris 3: No. Kartu 1 bukan 13 digit angka." in done.error
    assert not BillingFile.objects.exists() and not BillingRow.objects.exists()
    assert default_storage.listdir("imports") == ([], [])


def test_a_future_month_is_refused_by_the_form(client, verifier):
    client.force_login(verifier)
    month = f"{add_months(this_month(), 1):%Y-%m}"
    response = client.post(
        reverse("bpjs:billing_upload"), {"month": month, "file": SimpleUploadedFile("b.csv", GOOD)}
    )
    assert response.status_code == 200 and "belum tiba" in response.content.decode()
    assert not Job.objects.exists()
