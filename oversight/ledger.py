"""Monthly figures from the ledger, with GROUP BY: the query count never grows with the data.

A person's entries alternate addition, removal, addition…, and every entry takes effect on the
first day of its month, so the participants active on the first day of month M are the
additions minus the removals with an effective month up to M (corrections included: a reversed
addition is a removal entry, a reversed removal an addition entry).
"""

from collections import defaultdict

from django.db.models import Count

from enrollment.models import Ground, Kind, LedgerEntry
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
VILLAGE_PATH = "person__household__village"


def month_list(first, last):
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def entries(area):
    return area.filter(LedgerEntry.objects.all(), VILLAGE_PATH)


def counts(area, *fields):
    """Ledger entries of the area counted by effective month, kind and `fields`."""
    return list(
        entries(area).values("effective_month", "kind", *fields).annotate(n=Count("pk")).order_by()
    )


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
