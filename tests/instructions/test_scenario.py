"""The issue's "done when", tried as new users would through the pages."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from instructions import services
from instructions.models import Report, ReportStatus
from regions.models import Agency
from tests.builders import Q1, edit_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def follow_post(client, url, data=None):
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_dinsos_files_its_quarterly_report_with_figures_from_the_system(
    client, instruction, dinsos
):
    client.force_login(dinsos)
    page = client.get(reverse("instructions:list"), follow=True).content.decode()
    items = re.findall(r'data-item="(KELIMA [a-e])"', page)
    assert items == [f"KELIMA {letter}" for letter in "abcde"]
    assert "Triwulan I 2026" in page and "Buat laporan" in page

    follow_post(
        client,
        reverse("instructions:report_open", args=[instruction.pk]),
        {"period_start": "2026-01-01"},
    )
    report = Report.objects.get(agency=dinsos.agency)
    edit = client.get(reverse("instructions:report_edit", args=[report.pk])).content.decode()
    assert "Dari sistem (Triwulan I 2026)" in edit
    assert "Peserta diverifikasi ulang: <strong>0</strong> orang" in edit
    line = report.lines.get(item__diktum__label="KELIMA", item__letter="d")
    data = edit_data(
        report,
        line,
        status="in_progress",
        narrative="Mutasi data Januari-Maret dilakukan bersama desa.",
        figure="12",
        figure_unit="orang",
    )
    page = follow_post(
        client, reverse("instructions:report_edit", args=[report.pk]), data | {"submit": ""}
    )
    assert "disampaikan kepada Bupati melalui Sekretaris Daerah" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DELIVERED
    assert "Isi/ubah laporan" not in page


def test_kepala_desa_report_is_returned_once_then_forwarded_by_its_camat(
    client, instruction, kades, camat, sekda
):
    client.force_login(kades)
    follow_post(
        client,
        reverse("instructions:report_open", args=[instruction.pk]),
        {"period_start": "2026-01-01"},
    )
    report = Report.objects.get(village=kades.village)
    line = report.lines.get(item__letter="c")
    data = edit_data(report, line, status="done", figure="15000000", figure_unit="Rupiah")
    page = follow_post(
        client, reverse("instructions:report_edit", args=[report.pk]), data | {"submit": ""}
    )
    assert "Laporan diajukan kepada Camat." in page

    client.force_login(camat)
    assert "Menunggu telaah" in client.get(reverse("home")).content.decode()
    page = follow_post(
        client,
        reverse("instructions:report_return", args=[report.pk]),
        {"note": "Sertakan uraian sosialisasi (butir a)."},
    )
    assert "Laporan dikembalikan ke desa." in page

    client.force_login(kades)
    page = client.get(reverse("instructions:report_detail", args=[report.pk])).content.decode()
    assert "Sertakan uraian sosialisasi" in page
    line_a = report.lines.get(item__letter="a")
    data = edit_data(report, line_a, status="done", narrative="Sosialisasi di 4 dusun.")
    follow_post(
        client, reverse("instructions:report_edit", args=[report.pk]), data | {"submit": ""}
    )

    client.force_login(camat)
    page = follow_post(client, reverse("instructions:report_forward", args=[report.pk]))
    assert "diteruskan kepada Bupati" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DELIVERED
    assert [event.to_status for event in report.events.all()] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "delivered",
    ]

    client.force_login(sekda)
    page = client.get(reverse("instructions:report_detail", args=[report.pk])).content.decode()
    assert "Sosialisasi di 4 dusun." in page and "Isi/ubah laporan" not in page


def test_sekda_sees_the_matrix_with_one_agency_missing(client, instruction, sekda):
    late_agency = Agency.objects.get(short_name="BKD")
    for agency in Agency.objects.exclude(pk=late_agency.pk):
        staff = UserFactory(role=Role.AGENCY_STAFF, agency=agency)
        report = services.report_open(actor=staff, instruction=instruction, period_start=Q1)
        services.report_submit(actor=staff, report=report)
    client.force_login(sekda)
    response = client.get(reverse("instructions:matrix", args=[instruction.pk]), {"year": 2026})
    matrix = response.context["matrix"]
    first_quarter = {str(row.addressee): row.cells[0].status for row in matrix.rows}
    agencies = {name: status for name, status in first_quarter.items() if "Kecamatan" not in name}
    assert [name for name, status in agencies.items() if status == "missing"] == [
        "Badan Keuangan Daerah"
    ]
    # Filed today, long after the first quarter's due date: late, not missing.
    assert set(agencies.values()) == {"late", "missing"}
    response = client.get(
        reverse("instructions:matrix", args=[instruction.pk]), {"status": "missing"}
    )
    assert "Badan Keuangan Daerah" in response.content.decode()
