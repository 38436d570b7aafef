"""Background jobs of the BPJS hand-off: the registration file for e-Dabu of a month, across a
kapanewon or the kabupaten, written while the Tim Verifikasi watches its progress."""

import datetime
import tempfile

import xlsxwriter
from django.core.files import File

from bpjs import layout as layouts
from bpjs import services
from jobs import register
from regions import terminology
from regions.models import District


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
