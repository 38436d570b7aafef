"""The overview matrix as .xlsx (XlsxWriter) and PDF (WeasyPrint)."""

import xlsxwriter
from django.template.loader import render_to_string

from instructions.overview import CellStatus
from sktm import letters

_COLORS = {
    CellStatus.SUBMITTED: "#d1e7dd",
    CellStatus.LATE: "#fff3cd",
    CellStatus.MISSING: "#f8d7da",
    CellStatus.RETURNED: "#cfe2ff",
    CellStatus.OPEN: "#ffffff",
}


def write_matrix(output, matrix):
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("Rekap laporan")
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    fills = {
        status: workbook.add_format({"bg_color": color, "border": 1})
        for status, color in _COLORS.items()
    }
    instruction = matrix.instruction
    sheet.write_string(0, 0, f"Rekap laporan pelaksanaan {instruction}", bold)
    sheet.write_string(1, 0, f"Keadaan pada {matrix.today:%d-%m-%Y}")
    header = 3
    sheet.set_column(0, 0, 45)
    sheet.write_string(header, 0, "Penerima instruksi", wrap)
    for column, period in enumerate(matrix.periods, start=1):
        sheet.set_column(column, column, 18)
        sheet.write_string(header, column, f"{period.label}\n(batas {period.due:%d-%m-%Y})", wrap)
    for row_number, row in enumerate(matrix.rows, start=header + 1):
        sheet.write_string(row_number, 0, str(row.addressee))
        for column, cell in enumerate(row.cells, start=1):
            text = cell.label
            if cell.report is not None and cell.report.submitted_at is not None:
                text += f" {cell.report.submitted_at:%d-%m-%Y}"
            sheet.write_string(row_number, column, text, fills[cell.status])
    sheet.freeze_panes(header + 1, 1)
    workbook.close()


def matrix_pdf(matrix, base_url):
    html = render_to_string(
        "instructions/matrix_pdf.html",
        {"matrix": matrix, "statuses": CellStatus, "colors": _COLORS},
    )
    return letters.pdf(html, base_url)
