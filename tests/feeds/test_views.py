"""The import's pages (upload, preview, confirm) and the findings page: who sees which cases,
the bulk actions, the .xlsx."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import Kind, LedgerEntry
from feeds import waiting
from feeds.models import Finding, FindingKind, FindingStatus
from jobs.models import Job
from people.models import PopulationExtract
from regions.months import add_months
from tests.builders import VILLAGE_B, enrolled, this_month
from tests.feeds.conftest import died, extract, imported, moved_out

pytestmark = pytest.mark.django_db

UNKNOWN_NIK = "3401015506900009"
LIST = reverse("feeds:finding_list")
ACT = reverse("feeds:finding_act")


def test_upload_preview_and_confirm(client, dukcapil, verifier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = enrolled(verifier)
    content = extract(died(person.nik), died(UNKNOWN_NIK, akta="A2"))
    client.force_login(dukcapil)
    url = reverse("feeds:extract_upload")
    period = f"{this_month():%Y-%m}"
    response = client.post(url, {"period": period, "file": SimpleUploadedFile("e.csv", content)})
    preview = Job.objects.get(kind="feeds.extract_preview")
    assert response.url == preview.get_absolute_url()
    assert preview.result["unknown_count"] == 1 and preview.result["matched"] == 1
    assert not PopulationExtract.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Simpan 2 peristiwa" in page and UNKNOWN_NIK in page
    done = client.post(reverse("feeds:extract_confirm"), {"job": preview.pk})
    assert done.status_code == 302
    result = Job.objects.get(kind="feeds.extract_import").result
    assert result["removals"] == 1 and result["unknown_count"] == 1
    # The same file again: the preview says so and offers nothing to save.
    client.post(url, {"period": period, "file": SimpleUploadedFile("lagi.csv", content)})
    again = Job.objects.filter(kind="feeds.extract_preview").latest("pk")
    assert not again.result["is_confirmable"] and again.result["same_as"]


def test_a_bad_upload_lists_its_rows_and_offers_no_save(client, dukcapil, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(dukcapil)
    content = extract(died(UNKNOWN_NIK), died("123"))
    client.post(
        reverse("feeds:extract_upload"),
        {"period": f"{this_month():%Y-%m}", "file": SimpleUploadedFile("e.csv", content)},
    )
    preview = Job.objects.get(kind="feeds.extract_preview")
    assert preview.result["errors"] == [[3, "NIK 123: NIK harus 16 digit angka."]]
    refused = client.post(reverse("feeds:extract_confirm"), {"job": preview.pk}, follow=True)
    assert "Pratinjau tidak sah" in refused.content.decode()
    assert not PopulationExtract.objects.exists()


def test_the_team_cannot_import(client, verifier):
    client.force_login(verifier)
    assert client.get(reverse("feeds:extract_upload")).status_code == 403


@pytest.fixture
def found(verifier, dukcapil):
    """A death of a participant of village A and a move out of one of village B."""
    a, b = enrolled(verifier), enrolled(verifier, VILLAGE_B)
    imported(dukcapil, extract(died(a.nik), moved_out(b.nik)))
    return Finding.objects.get(person=a), Finding.objects.get(person=b)


def test_a_village_sees_only_its_own_cases(client, operator_a, found):
    client.force_login(operator_a)
    page = client.get(LIST).content.decode()
    assert found[0].person.name in page and found[1].person.name not in page


def test_the_team_sees_every_case_and_filters_by_village(client, verifier, found):
    client.force_login(verifier)
    page = client.get(LIST).content.decode()
    assert found[0].person.name in page and found[1].person.name in page
    only_b = client.get(LIST, {"desa": found[1].village.pk}).content.decode()
    assert found[0].person.name not in only_b and found[1].person.name in only_b
    by_kind = client.get(LIST, {"jenis": FindingKind.FLAG}).content.decode()
    assert found[0].person.name not in by_kind


def test_the_team_approves_from_the_page(client, verifier, found):
    client.force_login(verifier)
    response = client.post(
        ACT,
        {"tindakan": "pengurangan:setujui", "pilih": [found[0].pk, found[1].pk]},
        follow=True,
    )
    assert "2 temuan" in response.content.decode()
    assert LedgerEntry.objects.filter(kind=Kind.REMOVAL).count() == 2


def test_a_village_may_not_approve(client, operator_a, found):
    client.force_login(operator_a)
    response = client.post(ACT, {"tindakan": "pengurangan:setujui", "pilih": [found[0].pk]})
    assert response.status_code == 403
    assert Finding.objects.get(pk=found[0].pk).status == FindingStatus.OPEN


def test_a_case_outside_the_area_is_not_found(client, operator_b, found):
    client.force_login(operator_b)
    response = client.post(ACT, {"tindakan": "perhatian:selesai", "pilih": [found[0].pk]})
    assert response.status_code == 404


def test_the_team_cannot_act_on_a_case_of_another_kind(client, verifier, found):
    client.force_login(verifier)
    response = client.post(ACT, {"tindakan": "perhatian:selesai", "pilih": [found[0].pk]})
    assert response.status_code == 404
    assert Finding.objects.get(pk=found[0].pk).is_open


def test_a_rejection_without_reason_is_refused_with_a_message(client, verifier, found):
    client.force_login(verifier)
    response = client.post(
        ACT, {"tindakan": "pengurangan:tolak", "pilih": [found[0].pk]}, follow=True
    )
    assert "alasan" in response.content.decode()
    assert Finding.objects.get(pk=found[0].pk).is_open


def test_agency_staff_do_not_read_findings(client, agency_staff, found):
    client.force_login(agency_staff)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("feeds:finding_export")).status_code == 403


def _sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_xlsx_holds_the_cases_the_user_sees(client, operator_a, panewu_a, found):
    client.force_login(operator_a)
    rows = _sheet(client.get(reverse("feeds:finding_export")))
    assert rows[0][0] == "Jenis temuan" and len(rows) == 2
    assert rows[1][3] == found[0].person.nik and rows[1][4] == found[0].person.name
    # The Panewu oversees: the NIK is masked as on the page.
    client.force_login(panewu_a)
    rows = _sheet(client.get(reverse("feeds:finding_export")))
    assert len(rows) == 2 and rows[1][3] != found[0].person.nik


def test_the_navigation_badge_counts_the_cases_to_decide(verifier, operator_a, found):
    assert waiting.findings_to_act_on(verifier).count() == 2
    assert waiting.findings_to_act_on(operator_a).count() == 0


def test_the_page_points_to_earlier_months_with_open_cases(client, verifier, found):
    last_month = add_months(this_month(), -1)
    Finding.objects.filter(pk=found[1].pk).update(month=last_month)
    client.force_login(verifier)
    page = client.get(LIST).content.decode()
    assert f"?bulan={last_month:%Y-%m}" in page and found[1].person.name not in page
    earlier = client.get(LIST, {"bulan": f"{last_month:%Y-%m}"}).content.decode()
    assert found[1].person.name in earlier


def test_the_page_offers_to_approve_every_open_removal_shown(client, verifier, operator_a, found):
    client.force_login(verifier)
    page = client.get(LIST).content.decode()
    assert "Setujui pengurangan: semua 2 di halaman ini" in page
    assert "Tolak: semua" not in page  # a rejection needs its reason
    client.force_login(operator_a)
    assert 'data-testid="all-' not in client.get(LIST).content.decode()
