"""Lampiran D of Perbup Kulon Progo 10/2022, "Form Usulan Peserta Jaminan Kesehatan PBI Pemda",
as .xlsx (streamed, XlsxWriter constant_memory, set up to print), as CSV and as PDF, in the
regulation's own layout."""

import heapq

import xlsxwriter
from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string

from enrollment.exports import choice_labels
from enrollment.exports import write_csv as write_csv_rows
from enrollment.models import Kind
from people.models import MaritalStatus, Relationship, Sex
from regions import terminology
from regions.months import MONTH_NAMES, long_date
from sktm import letters

_TITLE = "FORM USULAN PESERTA JAMINAN KESEHATAN PBI PEMDA"
# Widths in characters, for a landscape F4 or A4 printed at about 85 % of size when fitted to
# the page's width: NIK and No. KK whole on one line, the longer texts wrapped in their cell.
WIDTHS = [4, 17.5, 17.5, 22, 13, 10, 12, 11, 10, 10, 12, 4, 4, 13, 12, 16]
_WRAPPED = {3, 4, 5, 6, 9, 10, 13, 14, 15}
# Excel's paper codes: 9 is A4, 14 is Folio (8.5 x 13 in), the F4 of Indonesian offices.
_PAPER = {"F4": 14, "A4": 9}
_HEADER_ROW = 3
# The model fields of a row, in Lampiran D's order (bench/ writes them bare, as the floor).
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
# Choices written as their labels, computed by the database (see `_additions`).
_LABELLED = {
    "person__relationship": ("relationship_label", Relationship.choices),
    "person__sex": ("sex_label", Sex.choices),
    "person__marital_status": ("marital_status_label", MaritalStatus.choices),
}
_VALUE_FIELDS = [_LABELLED[field][0] if field in _LABELLED else field for field in ROW_FIELDS]
_DATE_COLUMN = 6
_ORDER = ["proposal__village__code", "pk"]


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


def _additions(items):
    """The proposed additions of `items` naming a resident (held ones are `_held_rows`), in
    Lampiran D's order, with choices as their labels (computed by the database, so a COPY
    writes them as the workbook does)."""
    return (
        items.filter(kind=Kind.ADDITION, person__isnull=False)
        .annotate(
            **{
                label: choice_labels(field, choices)
                for field, (label, choices) in _LABELLED.items()
            }
        )
        .order_by(*_ORDER)
    )


def _held_rows(items):
    """The proposed additions of `items` held for the Tim Verifikasi (ProposalItem.person
    empty), each as (its place in Lampiran D's order, its values): the identity as the village
    submitted it, as a new resident's row would read."""
    held = (
        items.filter(kind=Kind.ADDITION, person__isnull=True)
        .select_related("proposal__village__district", "faskes")
        .order_by(*_ORDER)
    )
    for item in held:
        person, village = item.subject, item.proposal.village
        household = person.household
        values = [
            person.nik,
            household.number,
            person.name,
            person.occupation,
            person.get_relationship_display(),
            person.birth_place,
            person.birth_date,
            person.get_sex_display(),
            person.get_marital_status_display(),
            household.dusun,
            household.rt,
            household.rw,
            village.name,
            village.district.name,
            item.faskes.name if item.faskes else None,
        ]
        yield (village.code, item.pk), values


def rows(items):
    """The proposed additions of `items` (ProposalItems) as Lampiran D rows, without NO:
    value tuples, streamed in chunks; text as text, the birth date a date."""
    queryset = _additions(items).values_list(*_ORDER, *_VALUE_FIELDS)
    recorded = ((tuple(values[:2]), values[2:]) for values in queryset.iterator(chunk_size=5000))
    for _, values in heapq.merge(recorded, _held_rows(items), key=lambda row: row[0]):
        yield [
            value if column == _DATE_COLUMN else "" if value is None else str(value)
            for column, value in enumerate(values)
        ]


def write_csv(output, items):
    """Lampiran D's table as UTF-8 CSV (see enrollment.exports.write_csv): NO, then the
    columns of `rows`; COPY … TO STDOUT on PostgreSQL. Returns the number of rows."""
    numbered = _additions(items).annotate(
        number=Window(RowNumber(), order_by=[F(field).asc() for field in _ORDER])
    )
    return write_csv_rows(output, numbered.values_list("number", *_VALUE_FIELDS), headers())


def _page_setup(sheet):
    """A printout an office can use: landscape on the deployment's paper, fitted to the
    page's width (as many pages down as it takes), the column headers on every page."""
    sheet.set_landscape()
    sheet.set_paper(_PAPER.get(settings.LETTER_PAPER.upper(), _PAPER["A4"]))
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(_HEADER_ROW)
    sheet.set_footer("&CHalaman &P dari &N")


def write_xlsx(output, month, items, signature=None, on_row=None, note=""):
    """Writes Lampiran D to `output` (a path or a file). Every text is written as a string, so a
    cell beginning with = + - @ stays text and NIK/No. KK keep their leading zeros; dates are
    dates. `signature` is (place_and_date, title, name) for one village's Usulan; `note` a line
    under the title (what the export leaves out); `on_row(n)` is called every 1,000 rows with
    the count so far."""
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Lampiran D")
    bold = workbook.add_format({"bold": True, "align": "center"})
    head = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    cell = workbook.add_format({"border": 1, "valign": "top"})
    wrapped = workbook.add_format({"border": 1, "valign": "top", "text_wrap": True})
    date = workbook.add_format({"border": 1, "valign": "top", "num_format": "dd-mm-yyyy"})
    formats = [wrapped if column in _WRAPPED else cell for column in range(len(WIDTHS))]
    titles = headers()
    last = len(titles) - 1
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    _page_setup(sheet)
    sheet.merge_range(0, 0, 0, last, _TITLE, bold)
    sheet.merge_range(1, 0, 1, last, month_title(month), bold)
    if note:
        sheet.merge_range(2, 0, 2, last, note, workbook.add_format({"align": "center"}))
    sheet.set_row(_HEADER_ROW, 30)  # room for the wrapped headers
    for column, title in enumerate(titles):
        sheet.write_string(_HEADER_ROW, column, title, head)
    write_string, date_column = sheet.write_string, _DATE_COLUMN + 1
    number = 0
    for number, values in enumerate(rows(items), start=1):
        row = number + _HEADER_ROW
        sheet.write_number(row, 0, number, cell)
        for column, value in enumerate(values, start=1):
            if column == date_column:
                if value:
                    sheet.write_datetime(row, column, value, date)
                else:
                    write_string(row, column, "", date)
            else:
                write_string(row, column, value, formats[column])
        if on_row and number % 1000 == 0:
            on_row(number)
    row = number + _HEADER_ROW
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
