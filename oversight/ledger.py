"""Monthly figures from the ledger, with GROUP BY: the query count never grows with the data.

A person's entries alternate addition, removal, addition…, and every entry takes effect on the
first day of its month, so the participants active on the first day of month M are the
additions minus the removals with an effective month up to M (corrections included: a reversed
addition is a removal entry, a reversed removal an addition entry).
"""

from collections import Counter, defaultdict

from django.db.models import Count, F, QuerySet

from enrollment.models import Ground, Kind
from enrollment.stamps import carried, ledger_since, ledger_stamp, ledger_upto
from regions.models import Regency
from regions.months import add_months

# Short names of the grounds for chart legends and table headers.
GROUND_NAMES = {
    Ground.NEWBORN: "a. bayi baru lahir",
    Ground.FAMILY: "b. anggota keluarga",
    Ground.DTKS: "c.1 DTKS/DTSEN",
    Ground.SKTM: "c.2 SKTM",
    Ground.OPENING: "saldo awal",
    Ground.DIED: "a. meninggal",
    Ground.DUPLICATE: "b. duplikasi",
    Ground.SEGMENT: "c. pindah segmen",
    Ground.MOVED_OUT: "d. pindah keluar daerah",
    Ground.CORRECTION: "koreksi",
}
ADDITIONS_SHOWN = [Ground.NEWBORN, Ground.FAMILY, Ground.DTKS, Ground.SKTM]
REMOVALS_SHOWN = [Ground.DIED, Ground.DUPLICATE, Ground.SEGMENT, Ground.MOVED_OUT]
# The village each entry was written in, kept on the entry: no join of residents and
# households. People whose household moved since are counted in their village now
# (`_moved`), as the figures always counted them.
VILLAGE_PATH = "village"
_NOW_VILLAGE = "person__participation__village"
# More entries appended than this since the counts were kept (an import's): counted whole.
ADDED_MAX = 5_000


def month_list(first, last):
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def in_area(area, queryset: QuerySet, village_path: str) -> QuerySet:
    """`area.filter`, except that the whole kabupaten of a deployment that serves one needs no
    condition at all (nor its join through villages and kapanewon)."""
    if area.level == "regency" and not Regency.objects.exclude(pk=area.place.pk).exists():
        return queryset
    return area.filter(queryset, village_path)


def _moved(area, entries: QuerySet, village_path: str) -> QuerySet:
    """The `entries` of the people whose household moved since one of their entries was
    written, whose village (through `village_path`) lies in the area."""
    moved = entries.filter(person__participation__has_moved_village=True)
    return area.filter(moved, village_path)


def _grouped(queryset: QuerySet, fields: tuple, now_village: bool = False) -> Counter:
    """{(effective month, kind, *fields): entries} of `queryset`; with `now_village`, a field
    `village_id` is the person's village now."""
    names = {field: field for field in fields}
    if now_village and "village_id" in fields:
        names["village_id"] = "now_village"
        queryset = queryset.annotate(now_village=F(f"{_NOW_VILLAGE}_id"))
    rows = queryset.values("effective_month", "kind", *names.values()).annotate(n=Count("pk"))
    return Counter(
        {
            (row["effective_month"], row["kind"], *(row[names[f]] for f in fields)): row["n"]
            for row in rows.order_by()
        }
    )


def _counted(area, fields: tuple, entries: QuerySet) -> Counter:
    found = _grouped(in_area(area, entries, VILLAGE_PATH), fields)
    found.subtract(_grouped(_moved(area, entries, VILLAGE_PATH), fields))
    found.update(_grouped(_moved(area, entries, _NOW_VILLAGE), fields, now_village=True))
    return found


def counts(area, *fields, stamp: str | None = None):
    """Ledger entries of the area counted by effective month, kind and `fields` (`ground`,
    `village_id`), each person in their village now; kept with the ledger's stamp (`stamp`: the
    `ledger_stamp()` the caller has just read, if any). Entries appended since are added to
    the kept counts: an entry is written in its person's village, so it changes no other
    entry's count. A household moved since (its people's entries move with it), or entries
    not told apart (`enrollment.stamps.since`), count them all again."""
    stamp = stamp or ledger_stamp()

    def added(kept: Counter, before: str) -> Counter | None:
        appended = ledger_since(before, stamp, ADDED_MAX)
        if appended is None or appended[1].exists():
            return None
        total = kept.copy()
        total.update(_counted(area, fields, appended[0]))
        return total

    found = carried(
        f"ledger-counts:{area.level}:{area.place.pk}:{','.join(fields)}",
        stamp,
        lambda: _counted(area, fields, ledger_upto(stamp)),
        added,
    )
    keys = ("effective_month", "kind", *fields)
    return [dict(zip(keys, key, strict=True), n=n) for key, n in found.items() if n]


def _signed(row):
    return row["n"] if row["kind"] == Kind.ADDITION else -row["n"]


def active_on_first_days(rows, months, key=lambda row: None):
    """{key: [participants active on the first day of each of `months`]} from `counts` rows."""
    net = defaultdict(lambda: defaultdict(int))
    for row in rows:
        net[key(row)][row["effective_month"]] += _signed(row)
    result = {}
    for group, by_month in net.items():
        ordered = sorted(by_month.items())
        series, running, i = [], 0, 0
        for month in months:
            while i < len(ordered) and ordered[i][0] <= month:
                running += ordered[i][1]
                i += 1
            series.append(running)
        result[group] = series
    return result
