"""The findings page's cases (issue 18 §3): every case the feeds found in a month, whatever
found it, as rows of one table.

A feed plugs in by adding a `Source` to SOURCES: its `kind` (the filter's value), its label,
`cases(actor, month, area)` returning the `Case` rows the actor sees (area: a Village, a
District or None for all the actor's area; out of scope rows are never returned), and the
bulk `actions` its cases take. An action's `run(actor=..., keys=[...], reason=...)` calls the
same services as the manual path and returns how many cases it settled; keys the actor does
not see are a 404 (`scoped`). Dukcapil's three kinds are below, then DTSEN's two: the
participants due for re-verification now (a link to each one's re-verification) and the calon
usulan (proposed into the village's Usulan by its staff).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.urls import reverse

from accounts import permissions
from accounts.models import User
from enrollment.models import RegistryRecord
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
class Source:
    kind: str
    label: str
    cases: Callable[[User, datetime.date, Area], Iterable[Case]]
    actions: tuple[Action, ...] = ()


def in_area(queryset, area: Area, village_path: str = "village"):
    """Rows of `queryset` in the chosen village or district (None: no narrowing)."""
    if isinstance(area, Village):
        return queryset.filter(**{village_path: area})
    if isinstance(area, District):
        return queryset.filter(**{f"{village_path}__district": area})
    return queryset


def scoped(queryset, keys: list[int]) -> list:
    """The rows of the actor's scoped `queryset` with these keys; a key outside it is a 404."""
    rows = list(queryset.filter(pk__in=keys))
    if len(rows) != len(set(keys)):
        raise Http404
    return rows


def _findings_of(kind: FindingKind):
    def cases(actor: User, month: datetime.date, area: Area) -> list[Case]:
        shown = _shown(actor)
        rows = in_area(Finding.objects.visible_to(actor), area).filter(kind=kind, month=month)
        return [
            Case(
                key=finding.pk,
                kind=kind,
                label=kind.label,
                village=finding.village,
                name=finding.person.name,
                nik=shown(finding.event.nik),
                detail=finding.note,
                status=finding.get_status_display(),
                is_open=finding.is_open,
            )
            for finding in rows.select_related("person", "event", "village__district")
        ]

    return cases


def _on_findings(service, kind: FindingKind, *, with_reason: bool = False):
    """An action of Dukcapil's findings: the chosen ones, through the actor's scope."""

    def run(*, actor: User, keys: list[int], reason: str = "") -> int:
        findings = scoped(Finding.objects.visible_to(actor).filter(kind=kind), keys)
        if with_reason:
            return service(actor=actor, findings=findings, reason=reason)
        return service(actor=actor, findings=findings)

    return run


def _shown(actor: User):
    """How a NIK is shown to the actor: whole, or masked for the oversight roles."""
    return (lambda nik: nik) if permissions.can_see_full_identity(actor) else mask


def _urgent_cases(actor: User, month: datetime.date, area: Area) -> list[Case]:
    """Participants due for re-verification now because of DTSEN, each linked to the form
    that records their re-verification (which ends the urgency)."""
    if not permissions.can_read_reverification(actor):
        return []
    shown = _shown(actor)
    rank = dtsen.ranking(dtsen.day_of(month))
    rows = dtsen.urgent_cases(actor=actor, month=month, area=area, rank=rank)
    return [
        Case(
            key=row.person_id,
            kind=dtsen.URGENT,
            label="Verifikasi ulang segera (DTSEN)",
            village=row.village,
            name=row.person.name,
            nik=shown(row.person.nik),
            detail=rank.reason(row.person_id),
            status="Menunggu verifikasi ulang",
            is_open=False,
            url=reverse("oversight:reverification_person", args=[row.person_id]),
        )
        for row in rows.select_related("person", "village__district")
    ]


def _candidate_cases(actor: User, month: datetime.date, area: Area) -> list[Case]:
    """The calon usulan, read as plain values: a kabupaten's are tens of thousands, and only
    whether each is already proposed is asked of its annotations."""
    rank = dtsen.ranking(dtsen.day_of(month))
    if not permissions.can_read_candidates(actor) or rank.latest is None:
        return []
    shown = _shown(actor)
    rows = list(
        dtsen.candidate_cases(actor=actor, month=month, area=area, rank=rank).values_list(
            "pk", "village_id", "name", "nik", "desil", "data_period", "is_proposed"
        )
    )
    villages = Village.objects.select_related("district").in_bulk({row[1] for row in rows})
    return [
        Case(
            key=key,
            kind=dtsen.CANDIDATE,
            label="Calon usulan (DTSEN)",
            village=villages[village_id],
            name=name,
            nik=shown(nik),
            detail=f"Desil {desil}, DTSEN periode {period:%m-%Y}",
            status="Sudah dalam usulan" if is_proposed else "Belum diusulkan",
            is_open=not is_proposed,
        )
        for key, village_id, name, nik, desil, period, is_proposed in rows
    ]


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
    Source(dtsen.URGENT, "Verifikasi ulang segera (DTSEN)", _urgent_cases),
    Source(
        dtsen.CANDIDATE,
        "Calon usulan (DTSEN)",
        _candidate_cases,
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


def cases(actor: User, month: datetime.date, area: Area, kind: str = "") -> list[Case]:
    """Every case of the month in the area, of one kind or of all, by village."""
    chosen = [source(kind)] if kind else SOURCES
    rows = [case for each in chosen for case in each.cases(actor, month, area)]
    return sorted(rows, key=lambda case: (case.village.district.name, case.village.name))
