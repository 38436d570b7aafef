import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from instructions import attachments
from instructions.addressees import addressee_of
from instructions.models import (
    Attachment,
    Instruction,
    Item,
    Report,
    ReportEvent,
    ReportLine,
    ReportStatus,
)
from instructions.transitions import (
    FORWARD,
    require_may_move,
    submission_status,
    transition,
)
from people.names import validate_free_text


def report_open(
    *,
    actor: User,
    instruction: Instruction,
    period_start: datetime.date,
    today: datetime.date | None = None,
) -> Report:
    """Starts the actor's addressee's report for a period: one line per item addressed to it.
    A period that has not started, or one already reported, is refused."""
    today = today or timezone.localdate()
    permissions.require(permissions.can_write_report(actor), "Anda bukan penerima instruksi ini.")
    addressee = addressee_of(actor)
    if not addressee.is_addressed_by(instruction):
        raise ValidationError("Anda bukan penerima instruksi ini.")
    try:
        period = instruction.period_at(period_start)
    except ValueError as error:
        raise ValidationError("Periode laporan tidak sah.") from error
    if period.end < instruction.reporting_from:
        raise ValidationError("Periode ini sebelum pemantauan laporan dimulai.")
    if not period.has_started(today):
        raise ValidationError(
            f"Periode {period.label} belum dimulai; laporan dapat dibuat mulai "
            f"{period.start:%d-%m-%Y}."
        )
    items = list(Item.objects.filter(diktum__instruction=instruction).addressed_to(addressee))
    if not items:
        raise ValidationError("Tidak ada butir instruksi yang ditujukan kepada Anda.")
    with transaction.atomic():
        if Report.objects.filter(
            instruction=instruction, period_start=period.start, **addressee.report_fields
        ).exists():
            raise ValidationError(f"Laporan {addressee} periode {period.label} sudah ada.")
        try:
            # A concurrent opener of the same period meets the unique constraint here.
            with transaction.atomic():
                report = Report.objects.create(
                    instruction=instruction,
                    period_start=period.start,
                    created_by=actor,
                    **addressee.report_fields,
                )
        except IntegrityError as error:
            raise ValidationError(
                f"Laporan {addressee} periode {period.label} sudah ada."
            ) from error
        ReportLine.objects.bulk_create(
            [ReportLine(report=report, item=item, figure_unit=item.figure_unit) for item in items]
        )
        ReportEvent.objects.create(report=report, to_status=ReportStatus.DRAFT, actor=actor)
        return report


def _require_writer(actor: User, report: Report) -> None:
    permissions.require(
        permissions.can_write_report(actor, report), "Anda tidak berwenang mengubah laporan ini."
    )


def _require_writable(actor: User, report: Report) -> None:
    _require_writer(actor, report)
    if not report.is_editable:
        raise ValidationError(
            f"Laporan berstatus '{report.get_status_display()}' tidak dapat diubah lagi."
        )


def report_update(*, actor: User, report: Report, lines: dict[int, dict]) -> Report:
    """Saves what the addressee wrote. `lines` maps each ReportLine id to its cleaned input
    (status, narrative, figure, figure_unit, upload). Any bad attachment refuses all."""
    _require_writer(actor, report)
    errors = []
    for values in lines.values():
        upload = values.get("upload")
        if upload:
            try:
                values["content_type"] = attachments.checked_type(upload)
            except ValidationError as error:
                errors += error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _require_writable(actor, report)
        own_lines = {line.pk: line for line in report.lines.all()}
        if set(lines) - set(own_lines):
            raise ValidationError("Butir laporan tidak sesuai laporan ini.")
        for pk, values in lines.items():
            line = own_lines[pk]
            line.status = values["status"]
            line.narrative = values["narrative"]
            line.figure = values["figure"]
            line.figure_unit = values["figure_unit"] if values["figure"] is not None else ""
            line.save(update_fields=["status", "narrative", "figure", "figure_unit"])
            upload = values.get("upload")
            if upload:
                attachment = Attachment(
                    line=line,
                    name=upload.name[:255],
                    content_type=values["content_type"],
                    size=upload.size,
                    uploaded_by=actor,
                )
                attachment.file.save(upload.name, upload, save=False)
                attachment.save()
        report.save(update_fields=["updated_at"])
        return report


def attachment_delete(*, actor: User, attachment: Attachment) -> Report:
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=attachment.line.report_id)
        _require_writable(actor, report)
        stored = attachment.file.name
        attachment.delete()
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
        return report


def report_submit(*, actor: User, report: Report) -> Report:
    """Files the report: a village's goes to its Camat, any other to the Sekda."""
    with transaction.atomic():
        return transition(report=report, to=submission_status(report), actor=actor)


def report_return(*, actor: User, report: Report, note: str) -> Report:
    require_may_move(report=report, to=ReportStatus.RETURNED, actor=actor)
    if not note.strip():
        raise ValidationError("Tuliskan catatan agar desa tahu apa yang harus diperbaiki.")
    validate_free_text(note)
    with transaction.atomic():
        return transition(report=report, to=ReportStatus.RETURNED, actor=actor, note=note)


def report_forward(*, actor: User, report: Report) -> Report:
    """The Camat accepts a village's submitted report and forwards it to the Bupati through the
    Sekda; no other report is forwarded (an agency's or Camat's own is filed by submitting)."""
    with transaction.atomic():
        return transition(report=report, to=ReportStatus.DELIVERED, actor=actor, allowed=FORWARD)
