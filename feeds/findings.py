"""The findings page's cases (issue 18 §3): every case the feeds found in a month, whatever
found it, as rows of one table.

A feed plugs in by adding a `Source` to SOURCES: its `kind` (the filter's value), its label,
`rows(asked)` returning the `Rows` of the cases `asked.actor` sees in `asked.month` and
`asked.area` (a Village, a District or None for all the actor's area; out of scope rows are
never returned): a scoped queryset, its order within a village and how to build the `Case` of
each row, so that a page builds only its own (`Cases`); and the bulk `actions` its cases
take. An action's `run(actor=..., keys=[...], reason=...)` calls the same services as the
manual path and returns how many cases it settled; keys the actor does not see are a 404
(`scoped`). Dukcapil's three kinds are below, then DTSEN's two: the
participants due for re-verification now (a link to each one's re-verification) and the calon
usulan (proposed into the village's Usulan by its staff).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from accounts import permissions
from accounts.models import User
from enrollment.models import Participation, RegistryRecord
from feeds import dtsen, services
from feeds.models import Finding, FindingKind
from people.nik import mask
from regions.models import District, Village

Area = Village | District | None


@dataclass(frozen=True)
class Case:
    key: int  # what the source's actions act on
    kind: str
    label: str
    village: Village
    name: str
    nik: str  # as the actor may see it
    detail: str
    status: str
    is_open: bool
    url: str = ""  # where the case is dealt with one by one, when not by an action here


@dataclass(frozen=True)
class Action:
    name: str  # the value the page posts
    label: str
    may: Callable[[User], bool]
    run: Callable[..., int]
    needs_reason: bool = False


@dataclass(frozen=True)
class Rows:
    """One source's cases of a month as the actor sees them, none built yet: `queryset` holds
    them (keyed by `pk`, placed by `village`), in `order` within a village; `cases(keys,
    villages)` builds those of some of its keys. `counts` (village id -> cases there) is given
    for a source of many cases, counted more cheaply than by reading every key: its keys are
    then read for the villages shown only."""

    queryset: QuerySet
    order: tuple[str, ...]
    cases: Callable[[list[int], dict[int, Village]], Iterable[Case]]
    counts: dict[int, int] | None = None


@dataclass
class Asked:
    """What the page asks: the actor's cases of `month` in `area`; what several sources read
    is read once."""

    actor: User
    month: datetime.date
    area: Area

    @cached_property
    def rank(self) -> dtsen.Ranking:
        return dtsen.ranking(dtsen.day_of(self.month))

    @cached_property
    def shown(self) -> Callable[[str], str]:
        """How a NIK is shown to the actor: whole, or masked for the oversight roles."""
        return (lambda nik: nik) if permissions.can_see_full_identity(self.actor) else mask


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    rows: Callable[[Asked], Rows | None]  # None: the actor reads none of this kind
    actions: tuple[Action, ...] = ()


def scoped(queryset, keys: list[int]) -> list:
    """The rows of the actor's scoped `queryset` with these keys; a key outside it is a 404."""
    rows = list(queryset.filter(pk__in=keys))
    if len(rows) != len(set(keys)):
        raise Http404
    return rows


def _findings_of(kind: FindingKind):
    def rows(asked: Asked) -> Rows:
        findings = Finding.objects.visible_to(asked.actor).filter(kind=kind, month=asked.month)

        def cases(keys: list[int], villages: dict[int, Village]) -> list[Case]:
            chosen = Finding.objects.filter(pk__in=keys).select_related("person", "event")
            return [
                Case(
                    key=finding.pk,
                    kind=kind,
                    label=kind.label,
                    village=villages[finding.village_id],
                    name=finding.person.name,
                    nik=asked.shown(finding.event.nik),
                    detail=finding.note,
                    status=finding.get_status_display(),
                    is_open=finding.is_open,
                )
                for finding in chosen
            ]

        return Rows(dtsen.in_place(findings, asked.area, "village"), ("pk",), cases)

    return rows


def _on_findings(service, kind: FindingKind, *, with_reason: bool = False):
    """An action of Dukcapil's findings: the chosen ones, through the actor's scope."""

    def run(*, actor: User, keys: list[int], reason: str = "") -> int:
        findings = scoped(Finding.objects.visible_to(actor).filter(kind=kind), keys)
        if with_reason:
            return service(actor=actor, findings=findings, reason=reason)
        return service(actor=actor, findings=findings)

    return run


def _urgent_rows(asked: Asked) -> Rows | None:
    """Participants due for re-verification now because of DTSEN, each linked to the form
    that records their re-verification (which ends the urgency)."""
    if not permissions.can_read_reverification(asked.actor):
        return None
    rank = asked.rank
    urgent = dtsen.urgent_cases(actor=asked.actor, month=asked.month, area=asked.area, rank=rank)

    def cases(keys: list[int], villages: dict[int, Village]) -> list[Case]:
        chosen = Participation.objects.filter(pk__in=keys).select_related("person")
        return [
            Case(
                key=row.person_id,
                kind=dtsen.URGENT,
                label="Verifikasi ulang segera (DTSEN)",
                village=villages[row.village_id],
                name=row.person.name,
                nik=asked.shown(row.person.nik),
                detail=rank.reason(row.person_id),
                status="Menunggu verifikasi ulang",
                is_open=False,
                url=reverse("oversight:reverification_person", args=[row.person_id]),
            )
            for row in chosen
        ]

    return Rows(urgent, ("verified_on", "person_id"), cases)


def _candidate_rows(asked: Asked) -> Rows | None:
    """The calon usulan, counted per village from the ranking's cached figure (a kabupaten's
    are tens of thousands) and read as plain values for the rows shown."""
    if not permissions.can_read_candidates(asked.actor):
        return None
    rank = asked.rank
    if rank.latest is None:
        return None
    listings = dtsen.candidate_cases(
        actor=asked.actor, month=asked.month, area=asked.area, rank=rank
    )
    counts = dtsen.visible_candidate_counts(rank, asked.actor, asked.area)

    def cases(keys: list[int], villages: dict[int, Village]) -> list[Case]:
        values = listings.filter(pk__in=keys).values_list(
            "pk", "village_id", "name", "nik", "desil", "data_period", "is_proposed"
        )
        return [
            Case(
                key=key,
                kind=dtsen.CANDIDATE,
                label="Calon usulan (DTSEN)",
                village=villages[village_id],
                name=name,
                nik=asked.shown(nik),
                detail=f"Desil {desil}, DTSEN periode {period:%m-%Y}",
                status="Sudah dalam usulan" if is_proposed else "Belum diusulkan",
                is_open=not is_proposed,
            )
            for key, village_id, name, nik, desil, period, is_proposed in values
        ]

    return Rows(listings, ("desil", "name", "pk"), cases, counts)


# What the operator declares by proposing from this page, as the label of the action says.
_DECLARED = {"domicile_document": "KTP dan KK", "has_other_cover": False}


def _candidates_propose(*, actor: User, keys: list[int], reason: str = "") -> int:
    """Each chosen calon usulan into the village's Usulan of this month on ground c.1, with
    the kapanewon's first faskes (changeable in the Usulan), through `dtsen.candidate_propose`:
    all or none."""
    listings = scoped(RegistryRecord.objects.visible_to(actor).select_related("village"), keys)
    with transaction.atomic():
        for listing in listings:
            dtsen.candidate_propose(
                actor=actor,
                listing=listing,
                faskes=dtsen.first_faskes(listing.village),
                **_DECLARED,
            )
    return len(listings)


SOURCES = [
    Source(
        FindingKind.REMOVAL.value,
        "Usul pengurangan dari data Dukcapil",
        _findings_of(FindingKind.REMOVAL),
        (
            Action(
                "setujui",
                "Setujui pengurangan",
                permissions.can_decide,
                _on_findings(services.findings_approve, FindingKind.REMOVAL),
            ),
            Action(
                "tolak",
                "Tolak",
                permissions.can_decide,
                _on_findings(services.findings_reject, FindingKind.REMOVAL, with_reason=True),
                needs_reason=True,
            ),
        ),
    ),
    Source(
        FindingKind.MOVE.value,
        "Pindah antar-desa",
        _findings_of(FindingKind.MOVE),
        (),
    ),
    Source(
        FindingKind.FLAG.value,
        "Kematian yang perlu ditindaklanjuti desa",
        _findings_of(FindingKind.FLAG),
        (
            Action(
                "selesai",
                "Tandai sudah ditindaklanjuti",
                permissions.can_close_flag,
                _on_findings(services.findings_close, FindingKind.FLAG),
            ),
        ),
    ),
    Source(dtsen.URGENT, "Verifikasi ulang segera (DTSEN)", _urgent_rows),
    Source(
        dtsen.CANDIDATE,
        "Calon usulan (DTSEN)",
        _candidate_rows,
        (
            Action(
                "usulkan",
                "Usulkan dengan dasar DTSEN (bukti domisili KTP dan KK; menyatakan tidak "
                "memiliki jaminan kesehatan lain)",
                permissions.can_draft_proposal,
                _candidates_propose,
            ),
        ),
    ),
]


def source(kind: str) -> Source | None:
    return next((source for source in SOURCES if source.kind == kind), None)


class Cases:
    """Every case of the month in the area, of one kind or of all, by kapanewon and village
    name, then by source, then in each source's order: counted per village and source in SQL,
    built only for the slice asked (`Paginator` takes it as it takes a queryset)."""

    def __init__(self, actor: User, month: datetime.date, area: Area, kind: str = ""):
        asked = Asked(actor, month, area)
        chosen = [source(kind)] if kind else SOURCES
        self.sources = [rows for each in chosen if (rows := each.rows(asked)) is not None]
        # Each source's keys by village, where not counted (then read for the villages shown).
        self.keys = [None if rows.counts is not None else _keys(rows) for rows in self.sources]
        counts = [
            rows.counts if keys is None else {village: len(keys[village]) for village in keys}
            for rows, keys in zip(self.sources, self.keys, strict=True)
        ]
        self.villages = Village.objects.select_related("district").in_bulk(
            {village for each in counts for village in each}
        )
        places = sorted(self.villages.values(), key=lambda v: (v.district.name, v.name, v.pk))
        # (source index, village id, number of cases), in the order shown.
        self.parts = [
            (index, village.pk, each[village.pk])
            for village in places
            for index, each in enumerate(counts)
            if each.get(village.pk)
        ]

    def count(self) -> int:
        return sum(n for _, _, n in self.parts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, asked: slice) -> list[Case]:
        start, stop = asked.start or 0, self.count() if asked.stop is None else asked.stop
        wanted: dict[int, dict[int, tuple[int, int]]] = {}
        shown, offset = [], 0
        for index, village, n in self.parts:
            low, high = max(start - offset, 0), min(stop - offset, n)
            if low < high:
                wanted.setdefault(index, {})[village] = (low, high)
                shown.append((index, village))
            offset += n
        built = {index: self._built(index, bounds) for index, bounds in wanted.items()}
        return [case for index, village in shown for case in built[index][village]]

    def each(self, chunk: int = 2000) -> Iterator[Case]:
        """Every case, built `chunk` at a time (the .xlsx of a kabupaten's tens of
        thousands)."""
        for start in range(0, self.count(), chunk):
            yield from self[start : start + chunk]

    def _built(self, index: int, bounds: dict[int, tuple[int, int]]) -> dict[int, list[Case]]:
        """The cases at positions [low, high) of each village's rows of one source."""
        rows = self.sources[index]
        keys = self.keys[index]
        if keys is None:
            keys = _keys(rows, list(bounds))
        keys = {village: keys[village][low:high] for village, (low, high) in bounds.items()}
        wanted = [key for each in keys.values() for key in each]
        cases = {case.key: case for case in rows.cases(wanted, self.villages)}
        return {village: [cases[key] for key in each] for village, each in keys.items()}


def _keys(rows: Rows, villages: list[int] | None = None) -> dict[int, list[int]]:
    """The keys of the source's rows (in `villages`, or all) by village, each in order."""
    queryset = rows.queryset if villages is None else rows.queryset.filter(village__in=villages)
    keys = defaultdict(list)
    ordered = queryset.order_by("village", *rows.order).values_list("village", "pk")
    for village, key in ordered:
        keys[village].append(key)
    return keys
