import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from instructions import services
from instructions.models import LineStatus, Report, ReportEvent, ReportStatus
from tests.builders import Q1, Q2, line_input

pytestmark = pytest.mark.django_db


def test_report_has_one_line_per_item_of_its_addressee(village_report, agency_report):
    assert [line.item.reference for line in village_report.lines.all()] == [
        f"KETUJUH BELAS {letter}" for letter in "abcd"
    ]
    assert agency_report.lines.count() == 7
    assert village_report.status == ReportStatus.DRAFT


def test_village_report_goes_to_its_camat_then_to_the_sekda(village_report, kades, camat):
    report = services.report_submit(actor=kades, report=village_report)
    assert report.status == ReportStatus.SUBMITTED and report.delivered_at is None
    report = services.report_forward(actor=camat, report=report)
    assert report.status == ReportStatus.DELIVERED and report.delivered_at is not None
    assert [(e.from_status, e.to_status) for e in report.events.all()] == [
        ("", ReportStatus.DRAFT),
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED),
        (ReportStatus.SUBMITTED, ReportStatus.DELIVERED),
    ]


def test_agency_and_camat_reports_go_straight_to_the_sekda(agency_report, dinsos, camat):
    assert services.report_submit(actor=dinsos, report=agency_report).status == "delivered"
    camat_report = services.report_open(
        actor=camat, instruction=agency_report.instruction, period_start=Q1
    )
    assert services.report_submit(actor=camat, report=camat_report).status == "delivered"


def test_camat_returns_with_a_note_and_the_village_resubmits(village_report, kades, camat):
    services.report_submit(actor=kades, report=village_report)
    with pytest.raises(ValidationError, match="catatan"):
        services.report_return(actor=camat, report=village_report, note="  ")
    report = services.report_return(actor=camat, report=village_report, note="Lengkapi butir c.")
    assert report.status == ReportStatus.RETURNED and report.return_note == "Lengkapi butir c."
    services.report_update(
        actor=kades, report=report, lines=line_input(report, status=LineStatus.IN_PROGRESS)
    )
    first_submission = report.submitted_at
    report = services.report_submit(actor=kades, report=report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == first_submission


def test_only_the_camat_of_the_district_reviews(village_report, kades, camat_other, dinsos):
    services.report_submit(actor=kades, report=village_report)
    for actor in (camat_other, dinsos, kades):
        with pytest.raises(PermissionDenied, match="tidak berwenang"):
            services.report_forward(actor=actor, report=village_report)
    assert Report.objects.get().status == ReportStatus.SUBMITTED


def test_operator_prepares_but_only_the_kepala_desa_submits(village_report, operator_desa):
    services.report_update(
        actor=operator_desa,
        report=village_report,
        lines=line_input(village_report, narrative="Sosialisasi di balai desa."),
    )
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        services.report_submit(actor=operator_desa, report=village_report)


def test_forwarded_report_is_read_only(village_report, kades, camat):
    services.report_submit(actor=kades, report=village_report)
    services.report_forward(actor=camat, report=village_report)
    with pytest.raises(ValidationError, match="tidak dapat diubah"):
        services.report_update(actor=kades, report=village_report, lines={})
    with pytest.raises(ValidationError):
        services.report_return(actor=camat, report=village_report, note="terlambat")


def test_submitted_agency_report_cannot_be_changed(agency_report, dinsos):
    services.report_submit(actor=dinsos, report=agency_report)
    with pytest.raises(ValidationError, match="tidak dapat diubah"):
        services.report_update(actor=dinsos, report=agency_report, lines={})


def test_second_report_for_a_period_is_refused(village_report, kades, instruction):
    with pytest.raises(ValidationError, match="sudah ada"):
        services.report_open(actor=kades, instruction=instruction, period_start=Q1)
    assert Report.objects.count() == 1


def test_period_that_has_not_started_is_refused(kades, instruction):
    with pytest.raises(ValidationError, match="belum dimulai"):
        services.report_open(
            actor=kades,
            instruction=instruction,
            period_start=Q2,
            today=datetime.date(2026, 3, 31),
        )
    assert not Report.objects.exists() and not ReportEvent.objects.exists()


def test_period_must_start_a_quarter(kades, instruction):
    with pytest.raises(ValidationError, match="tidak sah"):
        services.report_open(
            actor=kades, instruction=instruction, period_start=datetime.date(2026, 2, 1)
        )


def test_users_who_are_not_addressees_cannot_open_a_report(instruction, sekda, verifier):
    for actor in (sekda, verifier):
        with pytest.raises(PermissionDenied, match="bukan penerima"):
            services.report_open(actor=actor, instruction=instruction, period_start=Q1)


def test_kulon_progo_village_is_not_addressed_by_karanganyar_instruction(instruction, lurah_a):
    with pytest.raises(ValidationError, match="bukan penerima"):
        services.report_open(actor=lurah_a, instruction=instruction, period_start=Q1)


def test_update_saves_status_narrative_and_figure(village_report, kades):
    line = village_report.lines.get(item__letter="c")
    services.report_update(
        actor=kades,
        report=village_report,
        lines={
            line.pk: {
                "status": LineStatus.DONE,
                "narrative": "APBDes 2026 menganggarkan premi.",
                "figure": 15000000,
                "figure_unit": "Rupiah",
                "upload": None,
            }
        },
    )
    line.refresh_from_db()
    assert (line.status, line.figure, line.figure_unit) == ("done", 15000000, "Rupiah")


def test_database_refuses_a_second_report_for_a_period(village_report, kades):
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        Report.objects.create(
            instruction=village_report.instruction,
            village=kades.village,
            period_start=Q1,
            created_by=kades,
        )


def test_forwarding_files_no_agency_or_camat_draft(agency_report, dinsos, camat):
    """Finding 17: teruskan moves a village's submitted report only; an agency or a Camat
    files its own report with ajukan."""
    camat_report = services.report_open(
        actor=camat, instruction=agency_report.instruction, period_start=Q1
    )
    for actor, report in ((dinsos, agency_report), (camat, camat_report), (camat, agency_report)):
        with pytest.raises(PermissionDenied, match="tidak berwenang"):
            services.report_forward(actor=actor, report=report)
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    assert not ReportEvent.objects.exclude(to_status=ReportStatus.DRAFT).exists()


def test_a_village_draft_is_not_forwarded_before_it_is_submitted(village_report, camat):
    with pytest.raises(ValidationError):
        services.report_forward(actor=camat, report=village_report)
    assert Report.objects.get().status == ReportStatus.DRAFT
