"""What each addressee's home page reminds it of: its open periods and their due dates."""

from dataclasses import dataclass

from django.utils import timezone

from accounts import permissions
from instructions.addressees import addressee_of
from instructions.models import Instruction, Item, Report, ReportStatus


@dataclass(frozen=True)
class Reminder:
    instruction: Instruction
    period: object
    report: Report | None
    is_overdue: bool

    @property
    def state(self):
        return self.report.get_status_display() if self.report else "Belum dibuat"


def open_periods(user, today=None):
    """Every started period of the user's instructions without a submitted report, oldest
    first."""
    today = today or timezone.localdate()
    addressee = addressee_of(user)
    if addressee is None:
        return []
    reminders = []
    instructions = Instruction.objects.visible_to(user).filter(is_active=True)
    for instruction in instructions:
        if not addressee.is_addressed_by(instruction) or not (
            Item.objects.filter(diktum__instruction=instruction).addressed_to(addressee).exists()
        ):
            continue
        reports = {
            report.period_start: report
            for report in Report.objects.filter(instruction=instruction, **addressee.report_fields)
        }
        for period in instruction.periods_until(today):
            report = reports.get(period.start)
            if report is None or report.is_editable:
                reminders.append(Reminder(instruction, period, report, period.is_overdue(today)))
    return reminders


def awaiting_review(user):
    """Village reports waiting for this Camat's review."""
    if not permissions.can_review_report(user):
        return Report.objects.none()
    return (
        Report.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED, village__district=user.district_id)
        .select_related("village", "instruction")
    )
