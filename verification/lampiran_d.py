"""Lampiran D of Perbup Kulon Progo 10/2022, "Form Usulan Peserta Jaminan Kesehatan PBI Pemda",
as .xlsx (streamed, XlsxWriter constant_memory) and as PDF, in the regulation's own layout."""

import xlsxwriter
from django.template.loader import render_to_string

from enrollment.models import Kind
from people.models import MaritalStatus, Relationship, Sex
from regions import terminology
from regions.months import MONTH_NAMES, long_date
from sktm import letters

_TITLE = "FORM USULAN PESERTA JAMINAN KESEHATAN PBI PEMDA"
_WIDTHS = [5, 19, 19, 28, 18, 16, 16, 13, 13, 12, 16, 5, 5, 20, 16, 24]
ROW_FIELDS = [
    "person__nik",
    "person__household__number",
    "person__name",
    "person__occupation",
    "person__relationship",
    "person__birth_place",
    "person__birth_date",
    "person__sex",
    "person__marital_status",
    "person__household__dusun",
    "person__household__rt",
    "person__household__rw",
    "person__household__village__name",
    "person__household__village__district__name",
    "faskes__name",
]
_LABELS = {
    4: dict(Relationship.choices),
    7: dict(Sex.choices),
    8: dict(MaritalStatus.choices),
}
_DATE_COLUMN = 6


def headers(terms=None):
    terms = terms or terminology.current()
    return [
        "NO",
        "NIK",
        "NO.KK",
        "NAMA",
        "PEKERJAAN",
        "HUB.KELUARGA",
        "TEMPAT LAHIR",
        "TANGGAL LAHIR",
        "JENIS KELAMIN",
        "STATUS",
        "DUSUN",
        "RT",
        "RW",
        terms.village_or_kelurahan.upper(),
        terms.district.upper(),
        "FASKES",
    ]


def month_title(month):
    return f"BULAN {MONTH_NAMES[month.month - 1].upper()} TAHUN {month.year}"


def rows(items):
    """The proposed additions of `items` (ProposalItems) as Lampiran D rows, without NO:
    values only, streamed in chunks, choices as their labels."""
    queryset = (
        items.filter(kind=Kind.ADDITION)
        .order_by("proposal__village__code", "pk")
        .values_list(*ROW_FIELDS)
    )
    for values in queryset.iterator(chunk_size=5000):
        values = list(values)
        for column, labels in _LABELS.items():
            values[column] = labels.get(values[column], "")
        yield [
            "" if value is None else str(value) if column != _DATE_COLUMN else value
            for column, value in enumerate(values)
        ]


def write_xlsx(output, month, items, signature=None, on_row=None):
    """Writes Lampiran D to `output` (a path or a file). Every text is written as a string, so a
    cell beginning with = + - @ stays text and NIK/No. KK keep their leading zeros; dates are
    dates. `signature` is (place_and_date, title, name) for one village's Usulan; `on_row(n)` is
    called every 1,000 rows with the count so far."""
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Lampiran D")
    bold = workbook.add_format({"bold": True, "align": "center"})
    head = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    titles = headers()
    last = len(titles) - 1
    for column, width in enumerate(_WIDTHS):
        sheet.set_column(column, column, width)
    # Printed, the gridlines draw the form's table; data cells carry no format of their own,
    # which keeps 100,000 rows as quick to write as bare XlsxWriter.
    sheet.hide_gridlines(0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)
    sheet.merge_range(0, 0, 0, last, _TITLE, bold)
    sheet.merge_range(1, 0, 1, last, month_title(month), bold)
    sheet.set_row(3, 30)  # room for the wrapped headers
    for column, title in enumerate(titles):
        sheet.write_string(3, column, title, head)
    write_string, date_column = sheet.write_string, _DATE_COLUMN + 1
    number = 0
    for number, values in enumerate(rows(items), start=1):
        row = number + 3
        sheet.write_number(row, 0, number)
        for column, value in enumerate(values, start=1):
            if column == date_column and value:
                sheet.write_datetime(row, column, value, date)
            else:
                write_string(row, column, value)
        if on_row and number % 1000 == 0:
            on_row(number)
    row = number + 3
    if signature:
        place_and_date, title, name = signature
        sign = last - 3
        sheet.write_string(row + 2, sign, place_and_date)
        sheet.write_string(row + 3, sign, title)
        sheet.write_string(row + 7, sign, f"( {name} )")
    workbook.close()
    return number


def signature(proposal):
    """Place and date, the head's title and name, for the Lampiran D of one Usulan."""
    signed = proposal.submitted_at.date() if proposal.submitted_at else None
    place_and_date = (
        f"{proposal.signed_place}, {long_date(signed)}" if signed else "Tempat, tanggal"
    )
    return place_and_date, proposal.village.head_title, proposal.signer_name or " " * 30


def pdf(proposal, items, removals, base_url):
    """Lampiran D of one Usulan as PDF (landscape), with the proposed removals on a page of
    their own when there are any."""
    html = render_to_string(
        "verification/lampiran_d_pdf.html",
        {
            "title": _TITLE,
            "month_title": month_title(proposal.month),
            "headers": headers(),
            "rows": list(rows(items)),
            "removals": removals,
            "signature": signature(proposal),
            "page_size": letters.page_style(landscape=True),
            "proposal": proposal,
        },
    )
    return letters.pdf(html, base_url)
