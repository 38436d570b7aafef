"""The dashboard's, the premium's and the recap's tables as .xlsx (XlsxWriter): one sheet per
table, numbers as numbers, every text cell written as a string (never a formula)."""

from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter


@dataclass
class Table:
    sheet: str
    title: str
    headers: list
    rows: list
    # Column index -> "rupiah" or "percent" (a number like 93.5).
    formats: dict = field(default_factory=dict)


def _sheet_name(name, taken):
    base = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "Tabel"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base[:25]} {n}", n + 1
    taken.add(candidate.lower())
    return candidate


def write(output, heading, tables, stacked=False):
    """`heading`: lines above each table (area, period). `stacked`: all tables on one sheet,
    one under another (the monthly recap), else one sheet each."""
    book = xlsxwriter.Workbook(output, {"in_memory": False})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#E9ECEF", "text_wrap": True})
    styles = {
        "rupiah": book.add_format({"num_format": "#,##0"}),
        "percent": book.add_format({"num_format": "0.0"}),
    }
    taken = set()
    sheet, row = None, 0
    for table in tables:
        if sheet is None or not stacked:
            sheet = book.add_worksheet(_sheet_name(table.sheet, taken))
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 12, 16)
            row = 0
            for line in heading:
                sheet.write_string(row, 0, line, bold)
                row += 1
            row += 1
        sheet.write_string(row, 0, table.title, bold)
        row += 1
        for col, name in enumerate(table.headers):
            sheet.write_string(row, col, str(name), header)
        row += 1
        for cells in table.rows:
            for col, value in enumerate(cells):
                style = styles.get(table.formats.get(col))
                if value is None:
                    sheet.write_blank(row, col, None)
                elif isinstance(value, bool):
                    sheet.write_string(row, col, "ya" if value else "tidak")
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(row, col, float(value), style)
                else:
                    sheet.write_string(row, col, str(value))
            row += 1
        row += 1
    book.close()
