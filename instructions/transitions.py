"""The report's routing (diktum KEDELAPAN BELAS): allowed moves and who may make each.

Agencies and Camat report to the Bupati through the Sekda: their submission is the delivery.
Kepala Desa/Lurah report through their Camat, who accepts and forwards, or returns with a note.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from instructions.addressees import can_review, can_submit, of_report
from instructions.models import Report, ReportEvent, ReportStatus

S = ReportStatus
# (from, to, the addressee reports through its district) -> who may make the move
ALLOWED = {
    (S.DRAFT, S.SUBMITTED, True): can_submit,
    (S.RETURNED, S.SUBMITTED, True): can_submit,
    (S.SUBMITTED, S.RETURNED, True): can_review,
    (S.SUBMITTED, S.DELIVERED, True): can_review,
    (S.DRAFT, S.DELIVERED, False): can_submit,
}


def submission_status(report):
    return S.SUBMITTED if of_report(report).reports_through_district else S.DELIVERED


def transition(*, report, to, actor, note=""):
    """Moves a report to `to`, locking its row, and appends the history row. Call inside the
    service's transaction."""
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("village").get(pk=report.pk)
    )
    through_district = of_report(report).reports_through_district
    allowed = ALLOWED.get((report.status, to, through_district))
    if allowed is None:
        raise ValidationError(
            f"Laporan berstatus '{report.get_status_display()}' tidak dapat diubah menjadi "
            f"'{ReportStatus(to).label}'."
        )
    if not allowed(actor, report):
        raise ValidationError("Anda tidak berwenang melakukan tindakan ini pada laporan ini.")
    ReportEvent.objects.create(
        report=report, from_status=report.status, to_status=to, actor=actor, note=note
    )
    now = timezone.now()
    report.status = to
    report.submitted_at = report.submitted_at or now
    if to == S.DELIVERED:
        report.delivered_at = now
    if to == S.RETURNED:
        report.return_note = note
    report.save(
        update_fields=["status", "submitted_at", "delivered_at", "return_note", "updated_at"]
    )
    return report
