"""The synthetic kabupaten's BPJS list: imported through the real jobs (preview, then confirm),
the month's reconciliation finds exactly the people of each category and reason the builder
planted."""

import io
import re
from collections import Counter

import openpyxl
import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

import jobs
from accounts.models import Role, User
from bpjs import tasks
from bpjs.layout import billing_layout
from bpjs.models import BillingFile, BillingRow, Record
from bpjs.reconciliation import CATEGORIES, Category, reconciliation
from jobs.models import Job
from synthetic.bpjs import KINDS, MATCHED, NEVER_SENT, read_planted

pytestmark = pytest.mark.django_db

# What the reconciliation writes for each planted kind, its numbers and dates left out.
REASONS = {
    "luar_daerah": "NIK bukan penduduk kabupaten (penduduk daerah lain)",
    "tidak_pernah_peserta": "tidak pernah tercatat di buku mutasi",
    "dihapus_tagihan_berlanjut": "dihapus berlaku #, tagihan berlanjut # bulan",
    "meninggal": "meninggal dunia, dihapus berlaku #, tagihan berlanjut # bulan",
    "pindah": "pindah keluar daerah, dihapus berlaku #, tagihan berlanjut # bulan",
    "kartu_ditagih_dua_kali": "No. Kartu # ditagih dua kali",
    "kartu_lain_di_riwayat": "juga tercatat dengan No. Kartu #",
    "segmen_lain": "ditagih di segmen PBI APBN",
    "nik_beda": "ditagih dengan NIK #",
    "nonaktif_di_tagihan": "nonaktif dalam data BPJS bulan ini",
    "menunggu_aktivasi": "menunggu aktivasi: TMT # belum tiba",
    "didaftarkan_lewat_tmt": "didaftarkan, belum aktif melewati TMT",
    "ditolak_bpjs": "ditolak atau dinonaktifkan BPJS",
    "aktif_tidak_ditagih": "aktif menurut riwayat BPJS, tetapi tidak ada dalam tagihan",
    MATCHED: "peserta dan ditagih",
    NEVER_SENT: "belum pernah dikirim ke BPJS",
}


def build(path, **sizes):
    out = io.StringIO()
    arguments = {"residents": 3000, "participants": 400, "months": 6, **sizes}
    call_command("build_synthetic_kabupaten", bpjs_file=path, stdout=out, **arguments)
    return out.getvalue()


def imported(path, user):
    """The file through the import's two jobs, as the upload page starts them."""
    with path.open("rb") as file:
        stored = default_storage.save(f"imports/{path.name}", File(file))
    month = read_planted(path)["month"]
    preview = jobs.start(
        tasks.BILLING_PREVIEW, user, stored=stored, filename=path.name, month=month
    )
    assert preview.status == Job.Status.DONE and preview.result["is_confirmable"], preview.result
    done = jobs.start(tasks.BILLING_IMPORT, user, **preview.params)
    assert done.status == Job.Status.DONE and done.result["saved"], done.error
    return preview


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_reconciliation_finds_every_category_the_builder_planted(suffix, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / f"data-peserta{suffix}"
    output = build(path)
    planted = read_planted(path)
    assert f"{planted['rows']} baris" in output
    # Every kind is planted, at least once.
    assert set(planted["kinds"]) == {*KINDS, MATCHED, NEVER_SENT}
    assert all(count > 0 for count in planted["kinds"].values()), planted["kinds"]

    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    preview = imported(path, verifier)
    assert preview.result["valid"] == planted["rows"] and preview.result["error_count"] == 0
    assert BillingRow.objects.count() == planted["rows"] == BillingFile.objects.get().rows

    result = reconciliation(actor=verifier, month=BillingFile.objects.get().month)
    found = Counter(item.category for item in result.items)
    assert {key: found[key] for key in CATEGORIES} == {
        key: planted["categories"].get(key, 0) for key in CATEGORIES
    }
    reasons = Counter(re.sub(r"\d[\d-]*", "#", item.reason) for item in result.items)
    assert reasons == Counter({REASONS[kind]: n for kind, n in planted["kinds"].items()})
    assert result.totals[Category.MATCHED].count == planted["kinds"][MATCHED]


def test_the_file_follows_the_deployments_layout(tmp_path):
    path = tmp_path / "data-peserta.xlsx"
    build(path, residents=600, participants=120, months=3, bpjs_rows=100)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == billing_layout().titles
    assert len(rows) - 1 == read_planted(path)["rows"] == 100
    # NIK and card stay text, with their leading zeros.
    nik, card = rows[0].index("NIK"), rows[0].index("No Kartu")
    assert all(isinstance(row[nik], str) and len(row[nik]) == 16 for row in rows[1:])
    assert all(isinstance(row[card], str) and row[card].startswith("0001") for row in rows[1:])
    assert Record.objects.exists()


def test_a_list_longer_than_the_participants_allow_is_refused(tmp_path):
    with pytest.raises(CommandError, match="tidak dapat disusun"):
        build(tmp_path / "data.csv", residents=600, participants=50, months=3, bpjs_rows=500)


def test_a_file_that_is_neither_xlsx_nor_csv_is_refused(tmp_path):
    with pytest.raises(CommandError, match=".xlsx atau .csv"):
        build(tmp_path / "data.txt")
