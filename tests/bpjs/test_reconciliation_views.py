"""The reconciliation page, its .xlsx download and the bulk recording of cards: the month
through a form, the filters, who sees whom (masked for oversight roles)."""

import openpyxl
import pytest
from django.urls import reverse

from bpjs import reconciliation as recon
from bpjs.models import Record, Source, Status
from enrollment.models import Ground
from jobs.models import Job
from people.nik import mask
from regions.months import add_months
from tests.bpjs.test_reconciliation import (  # noqa: F401 (premium: the rate, autouse)
    DEATH,
    OUTSIDER_NIK,
    bill,
    participant,
    premium,
)
from tests.builders import VILLAGE_B, removed, this_month

pytestmark = pytest.mark.django_db

URL = reverse("bpjs:reconciliation")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def month_text(month=None):
    return f"{month or this_month():%Y-%m}"


@pytest.fixture
def world(verifier):
    """A matched participant of village A, one of village B not billed, an outsider billed."""
    mine, theirs = participant(verifier), participant(verifier, VILLAGE_B)
    bill(verifier, mine, {"nik": OUTSIDER_NIK})
    return mine, theirs


def test_the_team_sees_the_totals_and_every_discrepancy(client, verifier, world):
    mine, theirs = world
    client.force_login(verifier)
    page = client.get(URL, {"bulan": month_text()}).content.decode()
    assert 'data-testid="recon-difference">Rp 0<' in page  # 2 billed, 2 participants
    assert theirs.nik in page and OUTSIDER_NIK in page
    assert mine.nik not in page  # matched: not a discrepancy
    page = client.get(URL, {"bulan": month_text(), "kategori": recon.Category.MATCHED})
    assert mine.nik in page.content.decode()


def test_the_month_defaults_to_the_latest_bpjs_list(client, verifier):
    earlier = add_months(this_month(), -1)
    bill(verifier, participant(verifier), month=earlier)
    client.force_login(verifier)
    response = client.get(URL)
    assert response.context["result"].month == earlier


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Bulan tidak sah."),
        ("Maret", "Bulan berbentuk TTTT-BB."),
        ("2013-12", "sebelum JKN dimulai"),
        (month_text(add_months(this_month(), 1)), "belum tiba"),
    ],
)
def test_a_bad_month_is_refused_with_its_reason(client, verifier, month, message):
    client.force_login(verifier)
    response = client.get(URL, {"bulan": month})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert message in response.content.decode()


def test_a_village_not_of_the_chosen_kapanewon_is_refused(client, verifier, world):
    mine, _ = world
    client.force_login(verifier)
    response = client.get(
        URL,
        {
            "bulan": month_text(),
            "kapanewon": mine.household.village.district_id,
            "desa": world[1].household.village_id,
        },
    )
    assert response.context["result"] is None
    assert "tidak berada di wilayah" in response.content.decode()


def test_the_camat_sees_the_district_masked(client, verifier, panewu_a, world):
    mine, theirs = world
    client.force_login(panewu_a)
    page = client.get(URL, {"bulan": month_text(), "kategori": recon.Category.MATCHED})
    text = page.content.decode()
    assert mask(mine.nik) in text and mine.nik not in text
    result = page.context["result"]
    assert (result.billed, result.participants) == (1, 1)


def test_agency_staff_read_the_totals_and_no_one(client, verifier, agency_staff, world):
    client.force_login(agency_staff)
    response = client.get(URL, {"bulan": month_text()})
    assert response.context["result"].billed == 2
    text = response.content.decode()
    assert OUTSIDER_NIK not in text and world[1].name not in text
    assert "Daftar nama tidak ditampilkan" in text


def read(job):
    with job.result_file.open("rb") as stored:
        sheet = openpyxl.load_workbook(stored, read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_category_downloads_as_xlsx_with_nik_as_text(client, verifier, world):
    client.force_login(verifier)
    data = {"bulan": month_text(), "kategori": recon.Category.NOT_BILLED}
    response = client.post(reverse("bpjs:reconciliation_export"), data)
    job = Job.objects.get(kind="bpjs.reconciliation_export")
    assert response.url == job.get_absolute_url()
    assert job.status == Job.Status.DONE, job.error
    rows = read(job)
    assert [(row["NIK"], row["Peserta menurut buku mutasi"]) for row in rows] == [
        (world[1].nik, "ya")
    ]
    assert rows[0]["Selisih (Rp)"] == "-42000"


def test_the_camats_download_is_masked_and_of_the_district(client, verifier, panewu_a, world):
    client.force_login(panewu_a)
    client.post(reverse("bpjs:reconciliation_export"), {"bulan": month_text(), "kategori": ""})
    rows = read(Job.objects.get(kind="bpjs.reconciliation_export"))
    assert rows == []  # village A's one person is matched: no discrepancy
    client.post(
        reverse("bpjs:reconciliation_export"),
        {"bulan": month_text(), "kategori": recon.Category.MATCHED},
    )
    rows = read(Job.objects.filter(kind="bpjs.reconciliation_export").latest("pk"))
    assert [row["NIK"] for row in rows] == [mask(world[0].nik)]


def test_a_bad_month_starts_no_download(client, verifier):
    client.force_login(verifier)
    response = client.post(reverse("bpjs:reconciliation_export"), {"bulan": "2026-13"})
    assert response.status_code == 302
    assert not Job.objects.exists()


def test_the_team_records_the_matched_cards_from_the_page(client, verifier, world):
    mine, _ = world
    client.force_login(verifier)
    response = client.post(
        reverse("bpjs:reconciliation_record_cards"),
        {"bulan": month_text(), "kategori": recon.Category.MATCHED},
    )
    assert response.status_code == 302 and "bulan=" in response.url
    record = Record.objects.get()
    assert (record.person, record.status, record.source) == (mine, Status.ACTIVE, Source.BPJS_FILE)


def test_the_camat_may_not_record_cards(client, panewu_a, verifier, world):
    client.force_login(panewu_a)
    response = client.post(reverse("bpjs:reconciliation_record_cards"), {"bulan": month_text()})
    assert response.status_code == 403
    assert not Record.objects.exists()


def test_the_deactivation_request_lists_whom_bpjs_should_stop_billing(client, verifier):
    gone, kept = participant(verifier), participant(verifier)
    removed(verifier, gone, this_month(), ground=Ground.DIED, evidence=DEATH)
    bill(verifier, gone, kept, {"nik": OUTSIDER_NIK})
    client.force_login(verifier)
    client.post(reverse("bpjs:deactivation_request"), {"bulan": month_text()})
    job = Job.objects.get(kind="bpjs.deactivation_request")
    assert job.status == Job.Status.DONE, job.error
    rows = read(job)
    assert sorted(row["NIK"] for row in rows) == sorted([gone.nik, OUTSIDER_NIK])
    assert all(len(row["No. Kartu JKN"]) == 13 for row in rows)
    assert "meninggal" in next(row["Alasan"] for row in rows if row["NIK"] == gone.nik)


def test_only_the_team_makes_the_deactivation_request(client, leadership, verifier, world):
    client.force_login(leadership)
    response = client.post(reverse("bpjs:deactivation_request"), {"bulan": month_text()})
    assert response.status_code == 403
    assert not Job.objects.exists()
