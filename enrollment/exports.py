"""Spreadsheet exports of the roster, streamed row by row (XlsxWriter constant_memory)."""

import xlsxwriter
from django.db.models import Q
from django.utils import timezone

from enrollment.models import Ground, Participation

_ROSTER_COLUMNS = [
    ("NIK", 18),
    ("NO.KK", 18),
    ("NAMA", 28),
    ("TANGGAL LAHIR", 14),
    ("JENIS KELAMIN", 8),
    ("DUSUN", 16),
    ("RT", 5),
    ("RW", 5),
    ("KALURAHAN/DESA", 18),
    ("PESERTA SEJAK", 14),
    ("DASAR", 40),
]


def roster_rows(user, query="", village=""):
    """The active participants `user` may see, filtered by a search (NIK prefix or name) and
    a village code: rows of the projection, with their person, household and village."""
    rows = (
        Participation.objects.visible_to(user)
        .active_on(timezone.localdate())
        .select_related("person__household", "village")
    )
    query = query.strip()
    if query:
        rows = rows.filter(Q(person__nik__startswith=query) | Q(person__name__icontains=query))
    if village:
        rows = rows.filter(village__code=village)
    return rows.order_by("village__code", "person__name")


def write_roster(output, rows, on_row=None):
    """Writes `rows` of the projection (with person, household and village) as .xlsx."""
    grounds = dict(Ground.choices)
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("Peserta")
    bold = workbook.add_format({"bold": True})
    # NIK and No. KK stay text: a number format would show 3.4E+15 and drop leading zeros.
    text = workbook.add_format({"num_format": "@"})
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for column, (title, width) in enumerate(_ROSTER_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, title, bold)
    for number, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        person, household = row.person, row.person.household
        sheet.write_string(number, 0, person.nik, text)
        sheet.write_string(number, 1, household.number, text)
        sheet.write_string(number, 2, person.name)
        if person.birth_date:
            sheet.write_datetime(number, 3, person.birth_date, date)
        sheet.write_string(number, 4, person.sex)
        sheet.write_string(number, 5, household.dusun)
        sheet.write_string(number, 6, household.rt, text)
        sheet.write_string(number, 7, household.rw, text)
        sheet.write_string(number, 8, row.village.name)
        sheet.write_datetime(number, 9, row.since, date)
        sheet.write_string(number, 10, grounds.get(row.ground, row.ground))
        if on_row and number % 1000 == 0:
            on_row(number)
    workbook.close()
