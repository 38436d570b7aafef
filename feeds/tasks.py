"""Background jobs of Dukcapil's extract: a preview, then the import its user confirms."""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from feeds import events, services
from feeds.models import Finding, FindingKind
from jobs import register
from people.models import Person, PopulationEvent

EXTRACT_PREVIEW = "feeds.extract_preview"
EXTRACT_IMPORT = "feeds.extract_import"
_SHOWN = 100


def _plan(job, stored, filename, period):
    """The stored upload read and checked, with what the records cannot give; an unreadable
    upload is deleted at once."""
    period = services.check_period(datetime.date.fromisoformat(period))
    layout = events.event_layout()
    try:
        with default_storage.open(stored, "rb") as file:
            plan = events.plan(
                file, filename, layout, period, timezone.localdate(), progress=job.progress
            )
    except ValidationError:
        default_storage.delete(stored)
        raise
    plan.errors = sorted(plan.errors + services.extract_problems(plan))
    return layout, plan


@register(
    EXTRACT_PREVIEW,
    label="Pratinjau impor peristiwa Dukcapil",
    template="feeds/_extract_preview.html",
    atomic=False,
    back="feeds:extract_upload",
)
def extract_preview(job, *, stored, filename, period):
    job.progress(0, message="Memeriksa baris")
    _, plan = _plan(job, stored, filename, period)
    same = services.extract_same_as(plan)
    confirmable = bool(plan.rows) and not plan.errors and same is None
    if plan.errors:
        report = io.StringIO()
        writer = csv.writer(report)
        writer.writerow(["baris", "masalah"])
        writer.writerows(plan.errors)
        job.attach("baris-bermasalah.csv", report.getvalue().encode("utf-8-sig"))
    if not confirmable:
        default_storage.delete(stored)
    known = set(
        Person.objects.filter(nik__in=[row["nik"] for row in plan.rows]).values_list(
            "nik", flat=True
        )
    )
    unknown = [(row["row_number"], row["nik"]) for row in plan.rows if row["nik"] not in known]
    return {
        "rows": len(plan.rows) + len(plan.errors),
        "valid": len(plan.rows),
        "matched": len(plan.rows) - len(unknown),
        "unknown_count": len(unknown),
        "unknown": unknown[:_SHOWN],
        "error_count": len(plan.errors),
        "errors": plan.errors[:_SHOWN],
        "same_as": str(same or ""),
        "period": f"{plan.period:%m-%Y}",
        "is_confirmable": confirmable,
    }


@register(
    EXTRACT_IMPORT,
    label="Impor peristiwa Dukcapil",
    template="feeds/_extract_done.html",
    back="feeds:extract_upload",
)
def extract_import(job, *, stored, filename, period):
    job.progress(0, message="Memeriksa dan menyimpan")
    try:
        layout, plan = _plan(job, stored, filename, period)
        saved = services.extract_import(
            actor=job.created_by, plan=plan, filename=filename, layout_name=layout.name
        )
    finally:
        default_storage.delete(stored)
    if saved is None:
        return {"saved": False, "period": f"{plan.period:%m-%Y}"}
    found = Finding.objects.filter(event__extract=saved)
    unknown = PopulationEvent.objects.filter(extract=saved, person__isnull=True)
    return {
        "saved": True,
        "extract": str(saved),
        "rows": saved.rows,
        "unknown_count": unknown.count(),
        "unknown": [[event.row_number, event.nik] for event in unknown[:_SHOWN]],
        "removals": found.filter(kind=FindingKind.REMOVAL).count(),
        "moves": found.filter(kind=FindingKind.MOVE).count(),
        "flags": found.filter(kind=FindingKind.FLAG).count(),
        "period": f"{saved.period:%m-%Y}",
    }
