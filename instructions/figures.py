"""Figures the system already knows, offered beside the items they evidence (diktum KELIMA b,
d, e and KETUJUH BELAS d). Each is computed for one period and one addressee's area: the whole
kabupaten for an agency, the district's villages for a Camat, the village for a Kepala Desa.

A figure whose source is not built yet is None, shown as "belum tersedia".
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from enrollment.models import Ground, Kind, LedgerEntry
from instructions.models import Item, Report
from oversight.models import Reverification
from verification.models import Proposal, ProposalItem, ProposalStatus


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    compute: Callable[[Report, datetime.date, datetime.date], int | None]


def _village_filter(report: Report, path: str) -> dict[str, int]:
    """Filter keyword arguments restricting `path` (a lookup to a Village) to the report's
    addressee's area."""
    if report.village_id:
        return {path: report.village_id}
    if report.district_id:
        return {f"{path}__district": report.district_id}
    return {f"{path}__district__regency": report.instruction.regency_id}


def _day_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes bounding the local days from `start` to `end` inclusive."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return begin, after


def _ledger_count(kind: Kind) -> Callable[[Report, datetime.date, datetime.date], int]:
    def compute(report: Report, start: datetime.date, end: datetime.date) -> int:
        begin, after = _day_bounds(start, end)
        return (
            LedgerEntry.objects.filter(kind=kind, recorded_at__gte=begin, recorded_at__lt=after)
            # The opening balance records who already participated, not work done.
            .exclude(ground=Ground.OPENING)
            # The entry's village, or the person's now when their household moved since.
            .filter(
                Q(**_village_filter(report, "village"))
                & ~Q(person__participation__has_moved_village=True)
                | Q(
                    person__participation__has_moved_village=True,
                    **_village_filter(report, "person__participation__village"),
                )
            )
            .count()
        )

    return compute


def _sent_proposals(report: Report, start: datetime.date, end: datetime.date) -> QuerySet[Proposal]:
    """Usulan the villages sent in the period (whatever was decided since)."""
    begin, after = _day_bounds(start, end)
    return (
        Proposal.objects.filter(submitted_at__gte=begin, submitted_at__lt=after)
        .exclude(status=ProposalStatus.DRAFT)
        .filter(**_village_filter(report, "village"))
    )


def proposals_sent(report: Report, start: datetime.date, end: datetime.date) -> int:
    return _sent_proposals(report, start, end).count()


def additions_proposed(report: Report, start: datetime.date, end: datetime.date) -> int:
    proposals = _sent_proposals(report, start, end)
    return ProposalItem.objects.filter(proposal__in=proposals, kind=Kind.ADDITION).count()


def participants_reverified(report: Report, start: datetime.date, end: datetime.date) -> int:
    """Participants whose re-verification (KELIMA b) was recorded in the period."""
    begin, after = _day_bounds(start, end)
    return (
        Reverification.objects.filter(recorded_at__gte=begin, recorded_at__lt=after)
        .filter(**_village_filter(report, "village"))
        .values("person")
        .distinct()
        .count()
    )


FIGURES = {
    figure.key: figure
    for figure in [
        Figure(
            "participants_reverified",
            "Peserta diverifikasi ulang",
            "orang",
            participants_reverified,
        ),
        Figure(
            "removals_recorded", "Pengurangan peserta dicatat", "orang", _ledger_count(Kind.REMOVAL)
        ),
        Figure(
            "additions_recorded",
            "Penambahan peserta dicatat",
            "orang",
            _ledger_count(Kind.ADDITION),
        ),
        Figure("additions_proposed", "Penambahan diusulkan desa", "orang", additions_proposed),
        Figure("proposals_sent", "Usulan dikirim ke Dinas Sosial", "usulan", proposals_sent),
    ]
}


@dataclass(frozen=True)
class Value:
    label: str
    value: int | None
    unit: str


def for_report(report: Report, items: Iterable[Item]) -> dict[int, list[Value]]:
    """{item id: [Value, …]} for the items among `items` that name figures."""
    period = report.period
    cache = {}
    result = {}
    for item in items:
        values = []
        for key in item.figures:
            figure = FIGURES[key]
            if key not in cache:
                cache[key] = figure.compute(report, period.start, period.end)
            values.append(Value(figure.label, cache[key], figure.unit))
        if values:
            result[item.pk] = values
    return result
