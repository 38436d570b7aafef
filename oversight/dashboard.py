"""The dashboard of an area (village, kapanewon or kabupaten): each figure is a chart and the
table it is drawn from. A handful of grouped queries whatever the number of participants."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils import timezone

from enrollment import stamps
from enrollment.models import Ground, Kind, Participation
from oversight import charts, ledger, schedule
from oversight.areas import Area
from oversight.charts import Series
from oversight.models import Reverification
from regions.models import District, Village
from regions.months import add_months, month_start
from sktm import scoring
from sktm.models import FormStatus, VerificationForm
from verification.models import Proposal, ProposalItem, ProposalStatus

MONTHS_SHOWN = 24
_CHANGE_MONTHS = 12
_WAITING_BUCKETS = [(0, 7), (8, 14), (15, 30), (31, None)]


@dataclass
class Figure:
    key: str
    title: str
    headers: list
    rows: list
    svg: str = ""
    note: str = ""
    # Columns holding Rupiah or percentages, for the .xlsx formats.
    formats: dict = field(default_factory=dict)

    @property
    def is_wide(self) -> bool:
        """A table too wide to stand beside its chart: shown under it."""
        return len(self.headers) > 4


def _month_label(month: datetime.date) -> str:
    return f"{month:%m-%Y}"


def _active_figure(rows: list[dict], months: list[datetime.date]) -> Figure:
    series = ledger.active_on_first_days(rows, months).get(None, [0] * len(months))
    labels = [_month_label(m) for m in months]
    return Figure(
        "peserta",
        "Peserta aktif (per tanggal 1 setiap bulan)",
        ["Bulan", "Peserta aktif"],
        [[label, value] for label, value in zip(labels, series, strict=True)],
        svg=charts.line_chart(labels, [Series("Peserta aktif", series)], "Peserta aktif"),
        note="Dihitung dari buku mutasi: penambahan dikurangi pengurangan yang berlaku sampai "
        "bulan itu.",
    )


def _changes_figure(rows: list[dict], months: list[datetime.date]) -> Figure:
    by_cell = {}
    for row in rows:
        ground = row["ground"]
        if ground == Ground.CORRECTION:
            ground = "correction_add" if row["kind"] == Kind.ADDITION else "correction_rem"
        key = (row["effective_month"], ground)
        by_cell[key] = by_cell.get(key, 0) + row["n"]
    columns = [
        *[(g, f"Tambah {ledger.GROUND_NAMES[g]}") for g in ledger.ADDITIONS_SHOWN],
        (Ground.OPENING, "Saldo awal"),
        ("correction_add", "Koreksi (+)"),
        *[(g, f"Kurang {ledger.GROUND_NAMES[g]}") for g in ledger.REMOVALS_SHOWN],
        ("correction_rem", "Koreksi (−)"),
    ]
    table = []
    for month in months:
        cells = [by_cell.get((month, key), 0) for key, _ in columns]
        table.append([_month_label(month), *cells])
    labels = [_month_label(m) for m in months]
    series = [
        Series(f"+ {ledger.GROUND_NAMES[g]}", [by_cell.get((m, g), 0) for m in months])
        for g in ledger.ADDITIONS_SHOWN
    ] + [
        Series(f"− {ledger.GROUND_NAMES[g]}", [-by_cell.get((m, g), 0) for m in months])
        for g in ledger.REMOVALS_SHOWN
    ]
    return Figure(
        "mutasi",
        "Penambahan dan pengurangan per bulan menurut dasar Pasal 5",
        ["Bulan", *[label for _, label in columns]],
        table,
        svg=charts.bar_chart(labels, series, "Penambahan dan pengurangan per bulan"),
        note="Bulan = bulan berlaku. Grafik: penambahan di atas garis nol, pengurangan di "
        "bawahnya; saldo awal dan koreksi hanya di tabel.",
    )


_SKTM_OUTCOMES = [
    ("issued", "SKTM terbit", [FormStatus.ISSUED]),
    ("ineligible", "Tidak memenuhi", [FormStatus.INELIGIBLE]),
    (
        "open",
        "Dalam proses",
        [FormStatus.SUBMITTED, FormStatus.RETURNED, FormStatus.ACKNOWLEDGED],
    ),
]


def _sktm_figure(area: Area, now: datetime.datetime) -> Figure:
    forms = area.filter(VerificationForm.objects.all(), "village").filter(
        created_at__gt=now - datetime.timedelta(days=365)
    )
    found = {
        (row["total_score"], row["status"]): row["n"]
        for row in forms.values("total_score", "status").annotate(n=Count("pk")).order_by()
    }
    scores = list(range(6, 16))
    table, series_values = [], {key: [] for key, _, _ in _SKTM_OUTCOMES}
    for score in scores:
        cells = []
        for key, _, statuses in _SKTM_OUTCOMES:
            value = sum(found.get((score, status), 0) for status in statuses)
            cells.append(value)
            series_values[key].append(value)
        table.append([score, *cells, sum(cells)])
    return Figure(
        "sktm",
        "Formulir SKTM menurut skor (12 bulan terakhir)",
        ["Skor", *[label for _, label, _ in _SKTM_OUTCOMES], "Jumlah"],
        table,
        svg=charts.bar_chart(
            [str(s) for s in scores],
            [Series(label, series_values[key]) for key, label, _ in _SKTM_OUTCOMES],
            "Formulir SKTM menurut skor",
            marker=scores.index(scoring.THRESHOLD),
            marker_label=f"batas {scoring.THRESHOLD}: tidak mampu",
        ),
        note=f"Skor ≥ {scoring.THRESHOLD} termasuk kategori masyarakat tidak mampu (Lampiran B).",
    )


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high} hari" if high is not None else f"> {low - 1} hari"


def _age_counts(field_name: str, now: datetime.datetime) -> dict[str, Count]:
    """Conditional counts of rows whose `field_name` (a moment) is 0-7, 8-14, … days old."""
    result = {}
    for i, (low, high) in enumerate(_WAITING_BUCKETS):
        condition = Q(**{f"{field_name}__lte": now - datetime.timedelta(days=low)})
        if high is not None:
            condition &= Q(**{f"{field_name}__gt": now - datetime.timedelta(days=high + 1)})
        result[f"age_{i}"] = Count("pk", filter=condition)
    return result


def _waiting_figure(area: Area, now: datetime.datetime) -> Figure:
    proposals = area.filter(Proposal.objects.all(), "village")
    waiting = proposals.filter(status=ProposalStatus.SUBMITTED).aggregate(
        oldest=Min("submitted_at"), **_age_counts("submitted_at", now)
    )
    returned = proposals.filter(status=ProposalStatus.RETURNED).count()
    removals = area.filter(ProposalItem.objects.awaiting_validation(), "proposal__village")
    validation = removals.aggregate(**_age_counts("decided_at", now))
    labels = [_bucket_label(low, high) for low, high in _WAITING_BUCKETS]
    keys = [f"age_{i}" for i in range(len(_WAITING_BUCKETS))]
    table = [
        [label, waiting[key], validation[key]] for label, key in zip(labels, keys, strict=True)
    ]
    table.append(["Jumlah", sum(waiting[key] for key in keys), sum(validation.values())])
    oldest = (now - waiting["oldest"]).days if waiting["oldest"] else None
    note = f"Usulan dikembalikan ke desa dan belum dikirim ulang: {returned}."
    if oldest is not None:
        note += f" Usulan terlama menunggu {oldest} hari."
    return Figure(
        "usulan",
        "Usulan menunggu keputusan Tim Verifikasi, menurut lama menunggu",
        ["Lama menunggu", "Usulan menunggu keputusan", "Pengurangan menunggu validasi"],
        table,
        svg=charts.bar_chart(
            labels,
            [Series("Usulan menunggu keputusan", [waiting[key] for key in keys])],
            "Usulan menunggu keputusan",
        ),
        note=note,
    )


def _coverage(
    area: Area, today: datetime.date, group: str | None = None, stamp: str | None = None
) -> dict:
    """Active participants by re-verification status, in total or per `group` (a values()
    path of Participation); cached for the day until the ledger grows, a household moves or
    a participant is re-verified (`stamp`: the ledger's, when the caller has read it)."""
    key = (
        f"coverage:{area.level}:{area.place.pk}:{group}:{today}:"
        f"{stamp or stamps.ledger_stamp()}:{stamps.stamp(Reverification.objects.all())}"
    )
    return stamps.cached(key, lambda: _count_coverage(area, today, group))


def _count_coverage(area: Area, today: datetime.date, group: str | None) -> dict:
    rows = schedule.with_schedule(
        ledger.in_area(area, Participation.objects.active_on(today), "village"), today
    )
    if group is None:
        return rows.aggregate(active=Count("pk"), **schedule.status_counts(today))
    return {
        row[group]: row
        for row in rows.values(group)
        .annotate(active=Count("pk"), **schedule.status_counts(today))
        .order_by()
    }


COVERAGE_KEYS = ["active", "overdue", "due", "current"]


def coverage_with_parts(
    area: Area, parts: list[District | Village], today: datetime.date, stamp: str | None = None
) -> tuple[dict[str, int], dict[int, dict] | None]:
    """(the area's coverage, {part pk: its coverage} or None when the area has no parts). The
    parts cover the area: their sum is its total, without a second pass over the rows."""
    if not parts:
        return _coverage(area, today, stamp=stamp), None
    by_part = _coverage(area, today, _part_path(area), stamp)
    return {key: sum(row[key] for row in by_part.values()) for key in COVERAGE_KEYS}, by_part


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _coverage_figure(totals: dict[str, int]) -> Figure:
    labels = [label for _, label in schedule.Status.choices]
    values = [totals[key] for key, _ in schedule.Status.choices]
    active = totals["active"]
    table = [
        [label, value, _percent(value, active)] for label, value in zip(labels, values, strict=True)
    ]
    table.append(["Peserta aktif", active, 100.0 if active else 0.0])
    covered = _percent(active - totals["overdue"], active)
    return Figure(
        "verifikasi-ulang",
        "Cakupan verifikasi ulang (Instruksi KELIMA b: paling lama 3 bulan sekali)",
        ["Status", "Peserta", "%"],
        table,
        svg=charts.hbar_chart(labels, values, "Cakupan verifikasi ulang"),
        note=f"Terverifikasi dalam 3 bulan terakhir (bergabung atau diverifikasi ulang): "
        f"{covered} %. Jatuh tempo = 3 bulan setelah verifikasi terakhir.",
        formats={2: "percent"},
    )


def _part_path(area: Area) -> str:
    """The lookup from a village-scoped row's village to the area's parts."""
    return "village__district" if area.level == "regency" else "village"


def _ranking_figure(area: Area, parts: list[District | Village], status: dict[int, dict]) -> Figure:
    """Each kapanewon of a kabupaten (each village of a kapanewon): participants,
    re-verification coverage (`status`, from `_coverage` by part) and Usulan waiting; ranked
    by coverage."""
    waiting_path = _part_path(area)
    waiting = dict(
        area.filter(Proposal.objects.waiting(), "village")
        .values_list(waiting_path)
        .annotate(n=Count("pk"))
        .order_by()
    )
    removals_path = f"proposal__{waiting_path}"
    removals = dict(
        area.filter(ProposalItem.objects.awaiting_validation(), "proposal__village")
        .values_list(removals_path)
        .annotate(n=Count("pk"))
        .order_by()
    )
    table = []
    for part in parts:
        row = status.get(part.pk, {"active": 0, "overdue": 0, "due": 0, "current": 0})
        table.append(
            [
                part.name,
                row["active"],
                _percent(row["active"] - row["overdue"], row["active"]),
                row["due"],
                row["overdue"],
                waiting.get(part.pk, 0),
                removals.get(part.pk, 0),
            ]
        )
    table.sort(key=lambda cells: (-cells[2], cells[0]))
    for rank, cells in enumerate(table, start=1):
        cells.insert(0, rank)
    return Figure(
        "peringkat",
        f"Peringkat {area.part_name} menurut cakupan verifikasi ulang",
        [
            "Peringkat",
            area.part_name,
            "Peserta aktif",
            "Terverifikasi ≤ 3 bulan (%)",
            "Jatuh tempo",
            "Lewat jatuh tempo",
            "Usulan menunggu",
            "Pengurangan menunggu validasi",
        ],
        table,
        svg=charts.hbar_chart(
            [cells[1] for cells in table],
            [cells[3] for cells in table],
            "Peringkat cakupan verifikasi ulang",
            unit=" %",
            high=100,
        ),
        formats={3: "percent"},
    )


def figures(
    area: Area, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> list[Figure]:
    """The dashboard's figures for `area`, in the order shown."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    this_month = month_start(today)
    months = ledger.month_list(add_months(this_month, 1 - MONTHS_SHOWN), this_month)
    # Read once: the ledger's count and last id key both cached figures.
    stamp = stamps.ledger_stamp()
    rows = ledger.counts(area, "ground", stamp=stamp)
    parts = area.parts()
    totals, by_part = coverage_with_parts(area, parts, today, stamp)
    result = [
        _active_figure(rows, months),
        _changes_figure(rows, months[-_CHANGE_MONTHS:]),
        _coverage_figure(totals),
        _sktm_figure(area, now),
        _waiting_figure(area, now),
    ]
    if parts:
        result.append(_ranking_figure(area, parts, by_part))
    return result
