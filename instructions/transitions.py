"""The report's routing (diktum KEDELAPAN BELAS): allowed moves and the capability that may
make each.

Agencies and Camat report to the Bupati through the Sekda: their submission is the delivery.
Kepala Desa/Lurah report through their Camat, who accepts and forwards, or returns with a note.
"""

from django.utils import timezone

from accounts import transitions
from accounts.permissions import (
    can_deliver_report,
    can_review_report,
    can_submit_report_to_district,
)
from instructions.addressees import of_report
from instructions.models import ReportEvent, ReportStatus

S = ReportStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED): can_submit_report_to_district,
    (S.RETURNED, S.SUBMITTED): can_submit_report_to_district,
    (S.SUBMITTED, S.RETURNED): can_review_report,
    (S.SUBMITTED, S.DELIVERED): can_review_report,
    (S.DRAFT, S.DELIVERED): can_deliver_report,
}
# The Camat's *teruskan*: a village's submitted report only. An agency's or a Camat's own
# report is filed by its submission (the DRAFT to DELIVERED move above), never forwarded.
FORWARD = {(S.SUBMITTED, S.DELIVERED): can_review_report}
REFUSAL = "Anda tidak berwenang melakukan tindakan ini pada laporan ini."


def submission_status(report):
    return S.SUBMITTED if of_report(report).reports_through_district else S.DELIVERED


def require_may_move(*, report, to, actor):
    transitions.require_may_move(report, to=to, actor=actor, allowed=ALLOWED, message=REFUSAL)


def transition(*, report, to, actor, note="", allowed=ALLOWED):
    """Moves a report to `to` by a move of `allowed` (the whole table, or FORWARD), locking its
    row, and appends the history row. Call inside the service's transaction."""
    now = timezone.now()

    def apply(report):
        report.submitted_at = report.submitted_at or now
        if to == S.DELIVERED:
            report.delivered_at = now
        if to == S.RETURNED:
            report.return_note = note

    return transitions.transition(
        report,
        to=to,
        actor=actor,
        allowed=allowed,
        history=ReportEvent,
        note=note,
        message=REFUSAL,
        apply=apply,
    )
