import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from instructions import overview, services
from instructions.models import Report
from regions.models import Agency
from tests.builders import Q1, Q2

pytestmark = pytest.mark.django_db
JULY_15 = datetime.date(2026, 7, 15)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def filed(actor, instruction, period_start, on):
    """A report submitted by `actor` on the date `on`."""
    report = services.report_open(actor=actor, instruction=instruction, period_start=period_start)
    report = services.report_submit(actor=actor, report=report)
    Report.objects.filter(pk=report.pk).update(submitted_at=at(on), delivered_at=at(on))
    return report


def statuses(matrix, name):
    row = next(row for row in matrix.rows if str(row.addressee) == name)
    return [cell.status for cell in row.cells]


def test_matrix_marks_submitted_late_missing_and_open_for_a_date(
    instruction, dinsos, sekda, kades, camat
):
    filed(dinsos, instruction, Q1, datetime.date(2026, 4, 10))  # the due date itself
    filed(dinsos, instruction, Q2, datetime.date(2026, 7, 11))  # a day after it
    matrix = overview.build(instruction, sekda, today=JULY_15)
    assert [period.label for period in matrix.periods] == [
        "Triwulan I 2026",
        "Triwulan II 2026",
        "Triwulan III 2026",
    ]
    assert statuses(matrix, "Dinas Sosial") == ["submitted", "late", "open"]
    assert statuses(matrix, "Badan Keuangan Daerah") == ["missing", "missing", "open"]
    assert statuses(matrix, "Kecamatan Jatipuro") == ["missing", "missing", "open"]
    assert len(matrix.rows) == Agency.objects.count() + 17
    # On the due date of Triwulan II nothing is missing yet for it.
    matrix = overview.build(instruction, sekda, today=datetime.date(2026, 7, 10))
    assert statuses(matrix, "Badan Keuangan Daerah") == ["missing", "open", "open"]


def test_matrix_marks_a_returned_village_report(instruction, sekda, kades, camat):
    report = services.report_submit(
        actor=kades,
        report=services.report_open(actor=kades, instruction=instruction, period_start=Q1),
    )
    services.report_return(actor=camat, report=report, note="Lengkapi.")
    matrix = overview.build(instruction, sekda, kind=overview.RowKind.VILLAGES, today=JULY_15)
    assert statuses(matrix, "Desa Ngepungsari")[0] == "returned"
    assert statuses(matrix, "Desa Jatisawit")[0] == "missing"


def test_draft_after_the_due_date_is_missing(instruction, sekda, dinsos):
    services.report_open(actor=dinsos, instruction=instruction, period_start=Q1)
    matrix = overview.build(instruction, sekda, today=JULY_15)
    assert statuses(matrix, "Dinas Sosial")[0] == "missing"


def test_filters_narrow_rows(instruction, sekda, dinsos):
    filed(dinsos, instruction, Q1, datetime.date(2026, 4, 1))
    matrix = overview.build(instruction, sekda, status="submitted", today=JULY_15)
    assert [str(row.addressee) for row in matrix.rows] == ["Dinas Sosial"]
    matrix = overview.build(
        instruction, sekda, kind=overview.RowKind.VILLAGES, district_code="33.13.02", today=JULY_15
    )
    assert {row.addressee.target.district.code for row in matrix.rows} == {"33.13.02"}
    assert overview.build(instruction, sekda, year=2025, today=JULY_15).periods == []


def test_camat_oversees_only_its_own_villages(client, instruction, camat):
    client.force_login(camat)
    page = client.get(reverse("instructions:matrix", args=[instruction.pk]))
    names = {str(row.addressee) for row in page.context["matrix"].rows}
    assert "Desa Ngepungsari" in names and "Desa Jatisawit" not in names
    assert "Dinas Sosial" not in names


def test_agency_and_village_users_cannot_open_the_matrix(client, instruction, dinsos, kades):
    for user in (dinsos, kades):
        client.force_login(user)
        assert client.get(reverse("instructions:matrix", args=[instruction.pk])).status_code == 403


def test_each_cell_links_to_its_report(client, instruction, sekda, dinsos):
    report = filed(dinsos, instruction, Q1, datetime.date(2026, 4, 1))
    client.force_login(sekda)
    page = client.get(reverse("instructions:matrix", args=[instruction.pk])).content.decode()
    assert reverse("instructions:report_detail", args=[report.pk]) in page


def test_matrix_downloads_as_xlsx_and_pdf(client, instruction, sekda, dinsos):
    filed(dinsos, instruction, Q1, datetime.date(2026, 4, 1))
    client.force_login(sekda)
    response = client.get(reverse("instructions:matrix_xlsx", args=[instruction.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["Dinas Sosial"][0] == "Masuk 01-04-2026"
    assert rows["Badan Keuangan Daerah"][0] == "Tidak ada"
    response = client.get(reverse("instructions:matrix_pdf", args=[instruction.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Dinas Sosial" in text and "Tidak ada" in text


def test_matrix_queries_do_not_grow_with_reports(client, instruction, sekda, dinsos, bkd, camat):
    client.force_login(sekda)
    url = reverse("instructions:matrix", args=[instruction.pk])
    filed(dinsos, instruction, Q1, datetime.date(2026, 4, 1))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for actor in (bkd, camat):
        filed(actor, instruction, Q1, datetime.date(2026, 4, 1))
    filed(dinsos, instruction, Q2, datetime.date(2026, 7, 1))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
