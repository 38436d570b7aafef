"""Background jobs of the BPJS hand-off: the registration file for e-Dabu of a month, across a
kapanewon or the kabupaten, written while the Tim Verifikasi watches its progress."""

import csv
import datetime
import hashlib
import io
import tempfile

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from accounts import permissions
from bpjs import billing, services
from bpjs import layout as layouts
from bpjs import reconciliation as recon
from bpjs.models import BillingFile
from jobs import register
from people.nik import mask
from regions import terminology
from regions.models import District, Village
from regions.months import add_months, month_start

BILLING_PREVIEW = "bpjs.billing_preview"
BILLING_IMPORT = "bpjs.billing_import"
RECONCILIATION_EXPORT = "bpjs.reconciliation_export"
DEACTIVATION_REQUEST = "bpjs.deactivation_request"


def write_xlsx(output, layout: layouts.Layout, lines, on_row=None) -> tuple[int, list]:
    """Writes the lines under the layout's titles; every cell is text, so NIK and No. KK keep
    their leading zeros and a cell beginning with = stays text. Returns the number of lines and
    the lines themselves (kept for the file's record)."""
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(layout.sheet)
    bold = workbook.add_format({"bold": True})
    for column, title in enumerate(layout.titles):
        sheet.write_string(0, column, title, bold)
        sheet.set_column(column, column, max(6, min(30, len(title) + 4)))
    written = []
    for row, line in enumerate(lines, start=1):
        for column, spec in enumerate(layout.columns):
            text = spec.cell(line)
            if text:  # an empty field stays an empty cell
                sheet.write_string(row, column, text)
        written.append(line)
        if on_row and row % 1000 == 0:
            on_row(row)
    workbook.close()
    return len(written), written


@register(
    "bpjs.registration",
    label="Berkas registrasi e-Dabu",
    template="bpjs/_registration_result.html",
    back="bpjs:registration",
)
def registration_export(job, *, month, district=None):
    """Writes the file and keeps who it lists (bpjs.models.RegistrationLine), in one
    transaction: a failure leaves neither."""
    month = datetime.date.fromisoformat(month)
    district = District.objects.get(pk=district) if district else None
    layout = layouts.registration_layout()
    entries = services.registration_entries(user=job.created_by, month=month, district=district)
    job.progress(0, entries.count(), "Menulis berkas registrasi")
    lines = services.registration_lines(user=job.created_by, month=month, district=district)
    area = district.code if district else terminology.current().regency_code
    with tempfile.TemporaryFile() as output:
        rows, written = write_xlsx(output, layout, lines, on_row=job.progress)
        output.seek(0)
        job.attach(f"Registrasi-eDabu-{area}-{month:%Y-%m}.xlsx", File(output))
    registration_file = services.registration_file_create(
        actor=job.created_by,
        job=job,
        month=month,
        district=district,
        layout_name=layout.name,
        lines=written,
    )
    return {
        "file": registration_file.pk,
        "rows": rows,
        "additions": sum(line.action == "daftar" for line in written),
        "removals": sum(line.action == "nonaktif" for line in written),
        "gaps": sum(bool(line.gaps) for line in written),
        "month": f"{month:%m-%Y}",
        "area": str(district or ""),
    }


# BPJS's monthly data: a preview, then the import the Tim Verifikasi confirms.
_ERRORS_SHOWN = 100
# The rows a preview checked, kept beside the upload for its import.
_CHECKED = ".rows.csv.gz"


def _plan(job, stored, filename, month):
    """The stored upload read and checked; an unreadable upload is deleted at once."""
    month = services.check_billing_month(datetime.date.fromisoformat(month))
    layout = layouts.billing_layout()
    try:
        with default_storage.open(stored, "rb") as file:
            return layout, billing.plan(file, filename, layout, month, progress=job.progress)
    except ValidationError:
        default_storage.delete(stored)
        raise


def _checked_tag(stored, layout) -> str:
    """What the checked rows of the upload `stored` were checked under: the layout and the
    upload's SHA-256, so an upload changed since its preview is checked afresh."""
    with default_storage.open(stored, "rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return f"{layout.name} sha256:{digest}"


@register(
    BILLING_PREVIEW,
    label="Pratinjau impor data BPJS",
    template="bpjs/_billing_preview.html",
    atomic=False,
    back="bpjs:billing_upload",
)
def billing_preview(job, *, stored, filename, month):
    """Checks every row; a list that can be imported keeps its checked rows for the import
    (`billing.dump_rows`), so the confirm does not read and check the file again."""
    job.progress(0, message="Memeriksa baris")
    layout, plan = _plan(job, stored, filename, month)
    same = services.billing_same_as(plan)
    confirmable = bool(plan.rows) and not plan.errors and same is None
    if plan.errors:
        report = io.StringIO()
        writer = csv.writer(report)
        writer.writerow(["baris", "masalah"])
        writer.writerows(plan.errors)
        job.attach("baris-bermasalah.csv", report.getvalue().encode("utf-8-sig"))
    if confirmable:
        with tempfile.TemporaryFile() as output:
            billing.dump_rows(plan, _checked_tag(stored, layout), output)
            output.seek(0)
            checked = f"{stored}{_CHECKED}"
            default_storage.delete(checked)  # a preview run again: kept under the same name
            default_storage.save(checked, File(output))
    else:
        default_storage.delete(stored)
    return {
        "rows": len(plan.rows) + len(plan.errors),
        "valid": len(plan.rows),
        "matched": len(services.residents_by_nik([row.nik for row in plan.rows])),
        "error_count": len(plan.errors),
        "errors": plan.errors[:_ERRORS_SHOWN],
        "same_as": str(same or ""),
        "next_version": BillingFile.objects.filter(month=plan.month).count() + 1,
        "month": f"{plan.month:%m-%Y}",
        "is_confirmable": confirmable,
    }


def _checked_plan(stored, filename, month, job):
    """The rows its preview checked when the upload is the same to the byte (and the month
    and layout the same), else the upload read and checked again. The preview's rows are
    deleted either way."""
    checked = f"{stored}{_CHECKED}"
    layout = layouts.billing_layout()
    if default_storage.exists(checked):
        try:
            with default_storage.open(checked, "rb") as file:
                plan = billing.load_rows(
                    file,
                    services.check_billing_month(datetime.date.fromisoformat(month)),
                    _checked_tag(stored, layout),
                )
        finally:
            default_storage.delete(checked)
        if plan is not None:
            return layout, plan
    return _plan(job, stored, filename, month)


@register(
    BILLING_IMPORT,
    label="Impor data BPJS",
    template="bpjs/_billing_done.html",
    back="bpjs:billing_upload",
)
def billing_import(job, *, stored, filename, month):
    job.progress(0, message="Memeriksa dan menyimpan")
    try:
        layout, plan = _checked_plan(stored, filename, month, job)
        saved = services.billing_import(
            actor=job.created_by, plan=plan, filename=filename, layout_name=layout.name
        )
    finally:
        default_storage.delete(stored)
    if saved is None:
        return {"saved": False, "month": f"{plan.month:%m-%Y}"}
    return {"saved": True, "file": str(saved), "rows": saved.rows, "month": f"{saved.month:%m-%Y}"}


# The reconciliation of a month, a category's people as .xlsx

RECONCILIATION_TITLES = [
    "Kategori",
    "Keterangan",
    "NIK",
    "Nama",
    "NIK ditagih",
    "No. Kartu JKN",
    "TMT",
    "Desa",
    "Wilayah",
    "Ditagih BPJS",
    "Peserta menurut buku mutasi",
    "Selisih (Rp)",
]


@register(
    RECONCILIATION_EXPORT,
    label="Unduhan rekonsiliasi BPJS",
    template="bpjs/_reconciliation_result.html",
    atomic=False,
    back="bpjs:reconciliation",
)
def reconciliation_export(job, *, month, district=None, village=None, category=""):
    """Every cell text (NIK keeps its digits, a name beginning with = stays a name); NIKs
    masked for the oversight roles as on the page."""
    user = job.created_by
    month = datetime.date.fromisoformat(month)
    area = (
        Village.objects.get(pk=village)
        if village
        else District.objects.get(pk=district)
        if district
        else None
    )
    job.progress(0, message="Merekonsiliasi")
    result = recon.reconciliation(actor=user, month=month, area=area)
    items = result.of(category) if category else result.discrepancies
    shown = (lambda nik: nik) if permissions.can_see_full_identity(user) else mask
    job.progress(0, len(items), "Menulis berkas")
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(
            output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet("Rekonsiliasi")
        bold = workbook.add_format({"bold": True})
        for column, title in enumerate(RECONCILIATION_TITLES):
            sheet.write_string(0, column, title, bold)
        for row, item in enumerate(items, start=1):
            difference = result.amount(int(item.is_billed) - int(item.is_participant))
            cells = [
                recon.CATEGORIES[item.category],
                item.reason,
                shown(item.nik),
                item.name,
                shown(item.billed_nik) if item.billed_nik else "",
                item.card_number,
                f"{item.tmt:%d-%m-%Y}" if item.tmt else "",
                item.village,
                item.district,
                "ya" if item.is_billed else "tidak",
                "ya" if item.is_participant else "tidak",
                "" if difference is None else f"{difference:.0f}",
            ]
            for column, text in enumerate(cells):
                if text:
                    sheet.write_string(row, column, text)
            if row % 1000 == 0:
                job.progress(row)
        workbook.close()
        output.seek(0)
        name = category or "selisih"
        job.attach(f"Rekonsiliasi-BPJS-{month:%Y-%m}-{name}.xlsx", File(output))
    return {"rows": len(items), "month": f"{month:%m-%Y}", "category": category}


DEACTIVATION_TITLES = [
    "No",
    "No. Kartu JKN",
    "NIK",
    "Nama",
    "Alasan",
    "Tgl Nonaktif",
    "Desa",
    "Wilayah",
]


@register(
    DEACTIVATION_REQUEST,
    label="Permintaan penonaktifan ke BPJS",
    template="bpjs/_deactivation_result.html",
    atomic=False,
    back="bpjs:reconciliation",
)
def deactivation_request(job, *, month, district=None, village=None):
    """The people of the month's reconciliation BPJS should stop billing, for the branch
    office: card, NIK in full (a letter to BPJS, made by the Tim Verifikasi only), the reason,
    and the first day of next month as the date to stop."""
    user = job.created_by
    permissions.require(permissions.can_work_bpjs(user))
    month = datetime.date.fromisoformat(month)
    area = (
        Village.objects.get(pk=village)
        if village
        else District.objects.get(pk=district)
        if district
        else None
    )
    job.progress(0, message="Merekonsiliasi")
    items = recon.reconciliation(actor=user, month=month, area=area).to_deactivate()
    stop_on = add_months(month_start(datetime.date.today()), 1)
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(
            output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
        )
        sheet = workbook.add_worksheet("Penonaktifan")
        bold = workbook.add_format({"bold": True})
        for column, title in enumerate(DEACTIVATION_TITLES):
            sheet.write_string(0, column, title, bold)
        for row, item in enumerate(items, start=1):
            cells = [
                str(row),
                item.card_number,
                item.nik,
                item.name,
                item.reason,
                f"{stop_on:%d/%m/%Y}",
                item.village,
                item.district,
            ]
            for column, text in enumerate(cells):
                if text:
                    sheet.write_string(row, column, text)
        workbook.close()
        output.seek(0)
        job.attach(f"Permintaan-Penonaktifan-BPJS-{month:%Y-%m}.xlsx", File(output))
    return {"rows": len(items), "month": f"{month:%m-%Y}", "stop_on": f"{stop_on:%d-%m-%Y}"}
