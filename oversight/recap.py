"""The monthly recap of an area: additions and removals by ground, the Tim Verifikasi's
decisions, the Usulan, SKTM forms and letters, and re-verifications of one month."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from enrollment.models import Ground, Kind
from oversight import ledger
from oversight.areas import Area
from oversight.models import Outcome, Reverification
from regions.months import add_months
from sktm import scoring
from sktm.models import Letter, VerificationForm
from verification.models import Decision, ProposalEvent, ProposalStatus


@dataclass
class Section:
    title: str
    headers: list
    rows: list


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes bounding the local month."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    return begin, datetime.datetime.combine(add_months(month, 1), datetime.time.min, tzinfo=tz)


def _ledger_section(area: Area, month: datetime.date) -> tuple[Section, Section]:
    next_month = add_months(month, 1)
    counted = ledger.counts(area, "ground")
    found = Counter()
    start = end = 0
    for row in counted:
        signed = row["n"] if row["kind"] == Kind.ADDITION else -row["n"]
        if row["effective_month"] <= month:
            start += signed
        if row["effective_month"] < next_month:
            end += signed
        if row["effective_month"] == month:
            found[row["kind"], row["ground"]] += row["n"]
    rows = []
    for kind, grounds in (
        (Kind.ADDITION, [*ledger.ADDITIONS_SHOWN, Ground.OPENING, Ground.CORRECTION]),
        (Kind.REMOVAL, [*ledger.REMOVALS_SHOWN, Ground.CORRECTION]),
    ):
        for ground in grounds:
            rows.append([kind.label, ledger.GROUND_NAMES[ground], found.get((kind, ground), 0)])
        rows.append([kind.label, "Jumlah", sum(found.get((kind, g), 0) for g in grounds)])
    return (
        Section(
            "Mutasi peserta berlaku bulan ini menurut dasar", ["Jenis", "Dasar", "Orang"], rows
        ),
        Section(
            "Peserta aktif",
            ["Keadaan", "Orang"],
            [
                ["Tanggal 1 bulan ini (dasar iuran bulan ini)", start],
                ["Tanggal 1 bulan berikutnya", end],
            ],
        ),
    )


def _decision_section(area: Area, month: datetime.date) -> tuple[Section, Section]:
    begin, after = _month_bounds(month)
    events = area.filter(ProposalEvent.objects.all(), "proposal__village").filter(
        at__gte=begin, at__lt=after
    )
    found = {
        (row["to_status"], row["item__kind"]): row["n"]
        for row in events.values("to_status", "item__kind").annotate(n=Count("pk")).order_by()
    }
    rows = [
        [kind.label, decision.label, found.get((decision.value, kind.value), 0)]
        for kind in Kind
        for decision in (Decision.APPROVED, Decision.REJECTED)
    ]
    rows.append(
        ["Pengurangan", "Divalidasi dan dicatat", found.get(("validated", Kind.REMOVAL), 0)]
    )
    usulan = [
        ["Dikirim desa ke Dinas Sosial", found.get((ProposalStatus.SUBMITTED, None), 0)],
        ["Dikembalikan ke desa", found.get((ProposalStatus.RETURNED, None), 0)],
        ["Selesai diverifikasi", found.get((ProposalStatus.CLOSED, None), 0)],
    ]
    return (
        Section("Keputusan Tim Verifikasi", ["Jenis", "Keputusan", "Orang"], rows),
        Section("Usulan", ["Peristiwa", "Usulan"], usulan),
    )


def _sktm_section(area: Area, month: datetime.date) -> Section:
    begin, after = _month_bounds(month)
    last_day = add_months(month, 1) - datetime.timedelta(days=1)
    forms = area.filter(VerificationForm.objects.all(), "village").aggregate(
        entered=Count("pk", filter=Q(created_at__gte=begin, created_at__lt=after)),
        poor=Count(
            "pk",
            filter=Q(
                created_at__gte=begin,
                created_at__lt=after,
                total_score__gte=scoring.THRESHOLD,
            ),
        ),
    )
    letters = area.filter(Letter.objects.all(), "village").aggregate(
        issued=Count("pk", filter=Q(issued_on__gte=month, issued_on__lte=last_day)),
        revoked=Count("pk", filter=Q(revoked_at__gte=begin, revoked_at__lt=after)),
    )
    return Section(
        "Formulir dan surat SKTM",
        ["Keterangan", "Jumlah"],
        [
            ["Formulir verifikasi diisi", forms["entered"]],
            [f"… dengan skor ≥ {scoring.THRESHOLD} (tidak mampu)", forms["poor"]],
            ["SKTM diterbitkan", letters["issued"]],
            ["SKTM dicabut", letters["revoked"]],
        ],
    )


def _reverification_section(area: Area, month: datetime.date) -> Section:
    last_day = add_months(month, 1) - datetime.timedelta(days=1)
    found = dict(
        area.filter(Reverification.objects.all(), "village")
        .filter(checked_on__gte=month, checked_on__lte=last_day)
        .values_list("outcome")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    return Section(
        "Verifikasi ulang peserta (Instruksi KELIMA b)",
        ["Hasil", "Peserta"],
        [[outcome.label, found.get(outcome.value, 0)] for outcome in Outcome],
    )


def sections(area: Area, month: datetime.date) -> list[Section]:
    ledger_changes, active = _ledger_section(area, month)
    decisions, proposals = _decision_section(area, month)
    return [
        active,
        ledger_changes,
        decisions,
        proposals,
        _sktm_section(area, month),
        _reverification_section(area, month),
    ]
