"""Background jobs of the Usulan: the Lampiran D of a month across a kapanewon or the
kabupaten, written while the admin watches its progress."""

import datetime
import tempfile

from django.core.files import File

from enrollment.models import Kind
from jobs import register
from regions import terminology
from regions.models import District
from verification import lampiran_d
from verification.models import Decision, ProposalItem, ProposalStatus

# Usulan that reached Dinas Sosial: what the kabupaten-wide Lampiran D lists.
SENT_STATUSES = [ProposalStatus.SUBMITTED, ProposalStatus.CLOSED]


def _export_items(user, month, district=None):
    """The proposed people of `month` in the user's scope (and `district`, when given), less
    those the Tim Verifikasi rejected and those it has not yet identified (held: their NIK or
    No. KK is recorded in another village): the export goes on to BPJS."""
    items = (
        ProposalItem.objects.visible_to(user)
        .filter(proposal__month=month, proposal__status__in=SENT_STATUSES, person__isnull=False)
        .exclude(decision=Decision.REJECTED)
    )
    return items.filter(proposal__village__district=district) if district else items


# Under the title of the export, so a reader knows what it leaves out.
LEAVES_OUT = (
    "Tidak memuat orang yang usulannya ditolak Tim Verifikasi, atau yang datanya masih "
    "diperiksa Tim Verifikasi."
)


@register(
    "verification.lampiran_d",
    label="Ekspor Lampiran D",
    template="verification/_export_result.html",
    back="verification:export",
    atomic=False,
)
def lampiran_d_export(job, *, month, district=None, format="xlsx"):
    """Lampiran D of `month` for the kabupaten (or one `district`): .xlsx set up to print, or
    with `format="csv"` the table alone as CSV."""
    month = datetime.date.fromisoformat(month)
    district = District.objects.get(pk=district) if district else None
    items = _export_items(job.created_by, month, district)
    job.progress(0, items.filter(kind=Kind.ADDITION).count(), "Menulis Lampiran D")
    area = district.code if district else terminology.current().regency_code
    suffix = "csv" if format == "csv" else "xlsx"
    with tempfile.TemporaryFile() as output:
        if suffix == "csv":
            rows = lampiran_d.write_csv(output, items)
        else:
            rows = lampiran_d.write_xlsx(output, month, items, on_row=job.progress, note=LEAVES_OUT)
        output.seek(0)
        job.attach(f"Lampiran-D-{area}-{month:%Y-%m}.{suffix}", File(output))
    return {"rows": rows, "month": lampiran_d.month_title(month), "area": str(district or "")}
