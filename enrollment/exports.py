"""The roster: its rows (search, keyset pages, a capped count) and its exports, streamed row
by row."""

import base64
import csv
import io
import json
from dataclasses import dataclass

import xlsxwriter
from django.db import connection, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from enrollment.models import Ground, Participation
from enrollment.participation import Standing, with_standing
from people.models import Household, Person

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


def _search(rows, query):
    """A query of ASCII digits is a NIK or No. KK (or their first digits), looked up by range on
    their unique indexes, the two joined by UNION (an OR across the two tables would read every
    participant); anything else searches names, which PostgreSQL answers from
    a trigram index on UPPER(name) (people migration 0004), the expression `icontains` uses."""
    if not (query.isascii() and query.isdigit()):
        return rows.filter(person__name__icontains=query)
    following = _next_prefix(query) if len(query) < 16 else ""
    nik, kk = Q(nik__gte=query), Q(number__gte=query)
    if len(query) >= 16:
        nik, kk = Q(nik=query), Q(number=query)
    elif following:
        nik &= Q(nik__lt=following)
        kk &= Q(number__lt=following)
    households = Household.objects.filter(kk).order_by().values("pk")
    people = (
        Person.objects.filter(nik)
        .order_by()
        .values("pk")
        .union(Person.objects.filter(household__in=households).order_by().values("pk"))
    )
    return rows.filter(person__in=people)


def _next_prefix(digits):
    """The smallest string of digits after every string starting with `digits` ("3409" ->
    "3410"); none after "99"."""
    stripped = digits.rstrip("9")
    if not stripped:
        return ""
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def roster_rows(user, query="", village="", standing=Standing.ACTIVE):
    """The participants `user` may see of a standing (by default the active ones), filtered by
    a search (digits: NIK or No. KK; otherwise the name) and a village code, in the roster's
    order: village code, name, person id (unique, so the order is stable and pages by keyset)."""
    today = timezone.localdate()
    rows = Participation.objects.visible_to(user)
    rows = (
        rows.active_on(today)
        if standing == Standing.ACTIVE
        else with_standing(rows, standing, today)
    ).select_related("person__household", "village")
    query = query.strip()
    if query:
        rows = _search(rows, query)
    if village:
        rows = rows.filter(village__code=village)
    return rows.order_by(*ROSTER_ORDER)


ROSTER_ORDER = ["village__code", "person__name", "person_id"]
# The roster counts up to this many and shows "1.000+" beyond: an exact COUNT of a
# kabupaten's search reads every match.
COUNT_CAP = 1000


@dataclass
class Page:
    """One page of the roster, reached by keyset: `after` or `before` is the key (village code,
    name, person id) of the row next to it, so any page costs what the first does."""

    rows: list
    count: int
    is_count_capped: bool
    next_key: str
    previous_key: str

    def __iter__(self):
        return iter(self.rows)


def page_key(row):
    """The key of a roster row (village code, name, person id), as a page link carries it."""
    key = [row.village.code, row.person.name, row.person_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _parse_key(text):
    """(village code, name, person id) from a page link; None for anything else."""
    try:
        code, name, pk = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
    except (ValueError, TypeError, UnicodeError):
        return None
    if isinstance(code, str) and isinstance(name, str) and type(pk) is int:
        return code, name, pk
    return None


def _beyond(key, direction):
    """Rows after (`gt`) or before (`lt`) `key` in the roster's order."""
    code, name, pk = key
    return (
        Q(**{f"village__code__{direction}": code})
        | Q(village__code=code, **{f"person__name__{direction}": name})
        | Q(village__code=code, person__name=name, **{f"person_id__{direction}": pk})
    )


def roster_page(rows, *, size, after="", before=""):
    """The page of `rows` (ordered by ROSTER_ORDER) after the key `after`, or before the key
    `before`; the first page when neither parses."""
    after_key, before_key = _parse_key(after), _parse_key(before)
    if before_key:
        backwards = [f"-{field}" for field in ROSTER_ORDER]
        page = list(rows.filter(_beyond(before_key, "lt")).order_by(*backwards)[: size + 1])
        has_more_before, page = len(page) > size, page[:size][::-1]
        has_more_after = True
    else:
        rows_after = rows.filter(_beyond(after_key, "gt")) if after_key else rows
        page = list(rows_after[: size + 1])
        has_more_after, page = len(page) > size, page[:size]
        has_more_before = after_key is not None
    count = rows.order_by()[: COUNT_CAP + 1].count()
    return Page(
        rows=page,
        count=min(count, COUNT_CAP),
        is_count_capped=count > COUNT_CAP,
        next_key=page_key(page[-1]) if page and has_more_after else "",
        previous_key=page_key(page[0]) if page and has_more_before else "",
    )


ROSTER_HEADERS = [title for title, _ in _ROSTER_COLUMNS]
_ROSTER_DATES = {3, 9}
# Rows fetched per round trip by the exports' server-side cursors.
CHUNK_ROWS = 2000


def choice_labels(field, choices):
    """`field`'s choices as their labels, computed by the database."""
    return Case(
        *[When(**{field: value}, then=Value(label)) for value, label in choices],
        default=Cast(field, CharField()),
        output_field=CharField(),
    )


def roster_values(rows):
    """`rows` of the roster as tuples of its columns (no model instances): what both exports
    write, in the roster's order."""
    return rows.annotate(ground_label=choice_labels("ground", Ground.choices)).values_list(
        "person__nik",
        "person__household__number",
        "person__name",
        "person__birth_date",
        "person__sex",
        "person__household__dusun",
        "person__household__rt",
        "person__household__rw",
        "village__name",
        "since",
        "ground_label",
    )


def write_roster(output, rows, on_row=None):
    """Writes `rows` of the projection as .xlsx, one tuple at a time."""
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Peserta")
    bold = workbook.add_format({"bold": True})
    # NIK and No. KK stay text: a number format would show 3.4E+15 and drop leading zeros.
    text = workbook.add_format({"num_format": "@"})
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    formats = {0: text, 1: text, 6: text, 7: text}
    for column, (title, width) in enumerate(_ROSTER_COLUMNS):
        sheet.set_column(column, column, width, formats.get(column))
        sheet.write_string(0, column, title, bold)
    write_string, write_datetime = sheet.write_string, sheet.write_datetime
    number = 0
    for number, values in enumerate(roster_values(rows).iterator(CHUNK_ROWS), start=1):
        for column, value in enumerate(values):
            if column in _ROSTER_DATES:
                if value:
                    write_datetime(number, column, value, date)
            else:
                write_string(number, column, value or "", formats.get(column))
        if on_row and number % 1000 == 0:
            on_row(number)
    workbook.close()
    return number


def write_csv(output, queryset, headers):
    """Writes `queryset` (of values_list tuples) to the binary `output` as UTF-8 CSV for a
    spreadsheet: a byte order mark, a header line, every value quoted (NIK and No. KK stay
    their 16 digits, never a number), dates as YYYY-MM-DD. PostgreSQL streams it with
    `COPY … TO STDOUT`; elsewhere Python's csv writer writes the same text."""
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="", write_through=True)
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(headers)
    text.detach()
    if connection.vendor == "postgresql":
        return _copy_csv(output, queryset)
    text = io.TextIOWrapper(output, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
    count = 0
    for values in queryset.iterator(CHUNK_ROWS):
        writer.writerow(["" if value is None else value for value in values])
        count += 1
    text.detach()
    return count


def _copy_csv(output, queryset):
    sql, params = queryset.query.sql_with_params()
    copy = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        with cursor.cursor.copy(copy, params) as stream:
            for block in stream:
                output.write(block)
                count += bytes(block).count(b"\n")
    return count
