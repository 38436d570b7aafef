"""Background jobs of enrollment: the preview and the saving of an import (see jobs/)."""

import csv
import io
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from enrollment import exports, services
from enrollment.imports import (
    REGISTRY_REQUIRED,
    REQUIRED,
    deployment_regency,
    plan_participants,
    plan_registry,
    read_rows,
)
from jobs import register

PARTICIPANTS_PREVIEW = "enrollment.participants_preview"
PARTICIPANTS_IMPORT = "enrollment.participants_import"
REGISTRY_PREVIEW = "enrollment.registry_preview"
REGISTRY_IMPORT = "enrollment.registry_import"
ROSTER_EXPORT = "enrollment.roster_export"
# Bad rows listed on the page; all of them are in the downloadable report.
_ERRORS_SHOWN = 100
_MESSAGES_SHOWN = 20


def _preview_result(job, plan, stored, confirm_url):
    """The summary a preview page shows; keeps the upload only if it can be saved."""
    confirmable = bool(plan.to_add and not plan.errors)
    if plan.errors:
        report = io.StringIO()
        writer = csv.writer(report)
        writer.writerow(["baris", "masalah"])
        writer.writerows(plan.errors)
        job.attach("baris-bermasalah.csv", report.getvalue().encode("utf-8-sig"))
    if not confirmable:
        default_storage.delete(stored)
    return {
        "rows": plan.rows,
        "to_add": plan.to_add,
        "unchanged": plan.unchanged,
        "error_count": len(plan.errors),
        "errors": plan.errors[:_ERRORS_SHOWN],
        "is_confirmable": confirmable,
        "cut_short": plan.cut_short_message() if plan.is_cut_short else "",
        "confirm_url": confirm_url,
    }


def shortened(error):
    """A refusal listing many bad rows, cut to what a page can show."""
    messages = error.messages
    if len(messages) <= _MESSAGES_SHOWN:
        return error
    more = len(messages) - _MESSAGES_SHOWN
    return ValidationError([*messages[:_MESSAGES_SHOWN], f"… dan {more} baris bermasalah lainnya."])


def _preview(job, *, stored, filename, plan, required, confirm_url):
    """What saving the stored upload would do, as `plan` reads its rows; an unreadable upload
    is deleted at once."""
    job.progress(0, message="Memeriksa baris")
    try:
        with default_storage.open(stored, "rb") as file:
            result = plan(
                read_rows(file, filename, required), deployment_regency(), progress=job.progress
            )
    except ValidationError:
        default_storage.delete(stored)
        raise
    return _preview_result(job, result, stored, confirm_url)


def _save(job, stored, save):
    """Saves the stored upload with `save(file)`; the upload is deleted whatever the outcome."""
    job.progress(0, message="Memeriksa dan menyimpan")
    try:
        with default_storage.open(stored, "rb") as file:
            plan = save(file)
    except ValidationError as error:
        raise shortened(error) from error
    finally:
        default_storage.delete(stored)
    return {"rows": plan.rows, "added": plan.to_add, "unchanged": plan.unchanged}


@register(
    PARTICIPANTS_PREVIEW,
    label="Pratinjau impor peserta",
    template="enrollment/_import_preview.html",
    atomic=False,
    back="enrollment:import_participants",
)
def participants_preview(job, *, stored, filename):
    return _preview(
        job,
        stored=stored,
        filename=filename,
        plan=plan_participants,
        required=REQUIRED,
        confirm_url="enrollment:import_confirm",
    )


@register(
    PARTICIPANTS_IMPORT,
    label="Impor peserta",
    template="enrollment/_import_done.html",
    back="enrollment:import_participants",
)
def participants_import(job, *, stored, filename):
    return _save(
        job,
        stored,
        lambda file: services.participants_import(
            actor=job.created_by,
            rows=read_rows(file, filename),
            regency=deployment_regency(),
            source=filename,
            progress=job.progress,
        ),
    )


@register(
    REGISTRY_PREVIEW,
    label="Pratinjau impor DTKS/DTSEN",
    template="enrollment/_import_preview.html",
    atomic=False,
    back="enrollment:import_registry",
)
def registry_preview(job, *, stored, filename):
    return _preview(
        job,
        stored=stored,
        filename=filename,
        plan=plan_registry,
        required=REGISTRY_REQUIRED,
        confirm_url="enrollment:import_registry_confirm",
    )


@register(
    REGISTRY_IMPORT,
    label="Impor DTKS/DTSEN",
    template="enrollment/_import_done.html",
    back="enrollment:import_registry",
)
def registry_import(job, *, stored, filename):
    return _save(
        job,
        stored,
        lambda file: services.registry_import(
            actor=job.created_by,
            rows=read_rows(file, filename, REGISTRY_REQUIRED),
            regency=deployment_regency(),
            progress=job.progress,
        ),
    )


@register(
    ROSTER_EXPORT,
    label="Unduh daftar peserta",
    template="enrollment/_roster_export_done.html",
    back="enrollment:roster",
    atomic=False,
)
def roster_export(job, *, q="", village="", format="xlsx"):
    rows = exports.roster_rows(job.created_by, q, village)
    job.progress(0, rows.count(), "Menulis daftar peserta")
    name = f"peserta-pbi-pemda-{timezone.localdate():%Y-%m-%d}"
    with tempfile.TemporaryFile() as output:
        if format == "csv":
            exports.write_csv(output, exports.roster_values(rows), exports.ROSTER_HEADERS)
        else:
            exports.write_roster(output, rows, on_row=job.progress)
        output.seek(0)
        job.attach(f"{name}.{'csv' if format == 'csv' else 'xlsx'}", File(output))
    return {"rows": job.total}
