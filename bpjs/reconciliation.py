"""The reconciliation of a month (issue 17 §4): who the ledger says was a participant on the
month's first day against who BPJS Kesehatan billed in the latest version of that month's list.

Each person lands in exactly one category, checked in this order (the first that holds wins):

1. NIK mismatch candidate: a billed NIK that is no resident, whose name and birth date are those
   of a participant not billed under their own NIK (one item for the pair);
2. billed but not a participant, a resident of another kabupaten: a billed NIK that is no
   resident;
3. billed but dead or moved out: the person's latest ledger entry in force is a removal on
   ground ayat (2) a (meninggal) or d (pindah keluar daerah), or Dukcapil's extract records the
   death or the move out of the kabupaten before the month (the removal may still be waiting);
4. billed twice or in another segment: the row's card number is billed on another row too, the
   person's BPJS history holds another card, or the row's segment is not PBPU/BP Pemda;
5. billed but not a participant: never in the ledger, or removed (ayat 2 b, c, a correction);
6. matched: a participant on the first day, billed;
7. a participant but not billed: sent and TMT not reached, sent and not active past its TMT,
   never sent, or inactive at BPJS (a row the list marks nonaktif counts as not billed).

A billed person costs the premium in force on the month's first day (one month of the bill);
a participant costs it in the ledger's premium. The difference of a category is what BPJS
bills for its people less what the ledger says is owed for them. A person billed after a
recorded removal has been billed for every month from the removal's effect to the reconciled
month, both counted (removed from March, reconciled in May: March, April, May); the cost of a
category is those months × the premium in force on the reconciled month.

A participant billed twice (the same card for two residents: ayat 2 b) or in another segment
(ayat 2 c) may be proposed for removal into the Dinas Sosial's findings, with the
reconciliation as evidence (`reconciliation_propose_removals`). Whoever is billed and no
participant is not removed again: the deactivation request asks BPJS to stop billing them.

The result is cached, keyed on what it reads (the stamps of the ledger, the household moves,
the residents' changes, the billing files, the BPJS histories), the rate, the month and the
actor's scope: a repeated view costs the stamps and a lookup, and a new row anywhere makes a
new key, so a cached result is never stale. The matched, most of a month's people, are kept
as the ids of their billed rows and read from the list when shown (`MatchedItems`): the
result of 200,000 people holds the 13,000 or so others as items.

One query per table, set-based: the billing rows, the participants (the projection, with the
ledger only for people whose latest spell began after the month), the BPJS histories, the
villages. No query per person.
"""

import datetime
import gzip
import hashlib
import io
import itertools
import operator
import pickle
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import permissions, scoping
from accounts.models import User
from bpjs.models import BillingFile, BillingRow, Record, Source, Status
from bpjs.services import bpjs_record
from enrollment import stamps
from enrollment.models import Ground, Kind, LedgerEntry, Participation, Segment
from people.models import (
    EventKind,
    Household,
    HouseholdChange,
    Person,
    PersonChange,
    PopulationEvent,
)
from regions.models import District, PremiumRate, Village
from regions.months import month_start
from verification import services as verification
from verification.models import ProposalItem


class Category:
    MATCHED = "cocok"
    NOT_PARTICIPANT = "bukan_peserta"
    DEAD_OR_MOVED = "meninggal_pindah"
    DOUBLE = "ganda"
    NOT_BILLED = "tidak_ditagih"
    NIK_MISMATCH = "nik_beda"


# In the order the page lists them.
CATEGORIES = {
    Category.MATCHED: "Cocok: peserta dan ditagih",
    Category.NOT_PARTICIPANT: "Ditagih, bukan peserta",
    Category.DEAD_OR_MOVED: "Ditagih, meninggal atau pindah keluar daerah",
    Category.DOUBLE: "Ditagih ganda atau di segmen lain",
    Category.NOT_BILLED: "Peserta, tidak ditagih",
    Category.NIK_MISMATCH: "Calon NIK tidak cocok (nama dan tanggal lahir sama)",
}

# Ayat (2) a and d: BPJS should stop billing at once; the other removals are category 5.
_GONE = {Ground.DIED: "meninggal dunia", Ground.MOVED_OUT: "pindah keluar daerah"}
_GONE_EVENTS = {EventKind.DIED: "meninggal dunia", EventKind.MOVED_OUT: "pindah keluar daerah"}
# A row of another segment names it; the kabupaten's own is PBPU/BP Pemda.
_OWN_SEGMENT = "pemda"
# A segment as BPJS writes it, to the ledger's segment (ayat 2 c), the first match wins.
_SEGMENTS = [
    ("apbn", Segment.PBI_APBN),
    ("pbi", Segment.PBI_APBN),
    ("pbpu", Segment.PBPU),
    ("ppu", Segment.PPU),
]
# What the reconciliation reads that grows: append-only tables and the change logs of residents
# and households.
_READ = (LedgerEntry, HouseholdChange, PersonChange, BillingFile, Record, PopulationEvent)


@dataclass(slots=True)
class Item:
    category: str
    reason: str
    nik: str
    name: str
    person_id: int | None = None
    village_id: int | None = None
    card_number: str = ""
    tmt: datetime.date | None = None
    is_billed: bool = False
    is_participant: bool = False
    # The billed NIK of a mismatch pair (the participant's own NIK is `nik`).
    billed_nik: str = ""
    village: str = ""
    district: str = ""
    segment: str = ""
    # Months BPJS billed that the item stands for: the reconciled one, or every month since
    # a recorded removal took effect.
    months: int = 1
    # The other resident billed on the same card (ayat 2 b's pair).
    twin_id: int | None = None
    # A removal of the person awaits the validation of population data (ayat 3).
    is_proposed: bool = False

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def removal_ground(self) -> str | None:
        """The Pasal 5 ayat (2) ground a participant's category proves, if any."""
        if not self.is_participant or self.category != Category.DOUBLE or self.person_id is None:
            return None
        if _segment_of(self.segment) is not None:
            return Ground.SEGMENT
        if self.twin_id is not None:
            return Ground.DUPLICATE
        return None

    @property
    def can_propose(self) -> bool:
        return self.removal_ground is not None and not self.is_proposed


# An item's values in field order: a cached reconciliation keeps its items as plain tuples,
# pickled a chunk at a time.
_item_values = operator.attrgetter(*(item_field.name for item_field in fields(Item)))
_CHUNK = 1000
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_REPEATED = ("category", "reason", "village", "district", "segment")
# The columns of a billed row an item is made of, its village's last.
_ROW = ("card_number", "nik", "name", "birth_date", "tmt", "segment", "person_id")
_ROW_VILLAGE = "person__household__village_id"
_MATCHED_REASON = "peserta dan ditagih"
# Up to this many matched are read by their ids; more, by reading the list once.
_BY_IDS = 20_000


def _item_rows(rows: QuerySet) -> QuerySet:
    """The billed rows' columns an item is made of, as named tuples."""
    return rows.values_list("pk", *_ROW, _ROW_VILLAGE, named=True)


@dataclass
class Total:
    count: int = 0
    billed: int = 0
    participants: int = 0
    # Months billed, a removed person's since the removal took effect.
    months: int = 0


class MatchedItems(Sequence):
    """The matched people of a reconciliation, read from the list's rows a slice at a time:
    of 200,000 people billed, 191,000 are matched, and as items they would hold the result's
    memory (docs/bpjs.md). The list is append-only, so its rows read later are those the
    reconciliation read."""

    def __init__(self, result: "Reconciliation"):
        self.result = result

    def __len__(self) -> int:
        return len(self.result.matched)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.result.matched_items(self.result.matched[index])
        return self.result.matched_items([self.result.matched[index]])[0]

    def __iter__(self):
        """Every matched item in the list's order: a village's or kapanewon's by their ids,
        2,000 a query; a kabupaten's by reading the list once and keeping its matched rows
        (191,000 by ids took 20 s, the list 2.5)."""
        if len(self) <= _BY_IDS:
            for start in range(0, len(self), 2000):
                yield from self[start : start + 2000]
            return
        matched = set(self.result.matched)
        rows = BillingRow.objects.filter(file=self.result.billing_file).order_by("row_number")
        for row in _item_rows(rows).iterator(2000):
            if row.pk in matched:
                yield self.result.matched_item(row)


@dataclass
class Reconciliation:
    month: datetime.date
    billing_file: BillingFile | None
    rate: Decimal | None
    # Every person but the matched, in the list's order, then the participants not billed.
    discrepancies: list[Item] = field(default_factory=list)
    # The matched: the ids of their billed rows, in the list's order.
    matched: array = field(default_factory=lambda: array("q"))
    totals: dict[str, Total] = field(default_factory=dict)
    # {village id: (village, kapanewon)} of the villages reconciled.
    names: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Whose removal waits for the validation of population data (ayat 3), asked at every view.
    proposed: set[int] = field(default_factory=set)

    def __reduce__(self):
        """Pickled for the cache as one gzipped blob: its fields, then its discrepancies as
        tuples a thousand at a time, so a month without a list (every participant not
        billed) pickles in a few MB and never as a second copy of the result in memory
        (docs/scale.md)."""
        packed = io.BytesIO()
        with gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=1) as stream:
            state = {**self.__dict__, "discrepancies": len(self.discrepancies)}
            pickle.dump(state, stream, _PROTOCOL)
            for start in range(0, len(self.discrepancies), _CHUNK):
                chunk = self.discrepancies[start : start + _CHUNK]
                pickle.dump([_item_values(item) for item in chunk], stream, _PROTOCOL)
        return _unpacked, (packed.getvalue(),)

    @property
    def items(self) -> list[Item]:
        """Every person: the discrepancies, then the matched read from the list."""
        return [*self.discrepancies, *MatchedItems(self)]

    def matched_items(self, ids) -> list[Item]:
        """The matched items of the billed rows `ids`, in their order."""
        rows = _item_rows(BillingRow.objects.filter(pk__in=list(ids)).order_by())
        by_id = {row.pk: row for row in rows}
        return [self.matched_item(by_id[pk]) for pk in ids]

    def of_people(self, people: set[int]) -> dict[int, Item]:
        """{person id: their item} of those of the residents `people` in the reconciliation
        (one matched on a row and a discrepancy on another: the discrepancy)."""
        rows = BillingRow.objects.filter(file=self.billing_file, person_id__in=people)
        found = {
            item.person_id: item
            for item in self.matched_items(
                [pk for pk in rows.values_list("pk", flat=True) if pk in self.matched]
            )
        }
        found.update(
            (item.person_id, item) for item in self.discrepancies if item.person_id in people
        )
        return found

    def matched_item(self, row) -> Item:
        """The matched item of a billed row of `_item_rows`."""
        village_id = getattr(row, _ROW_VILLAGE)
        village, district = self.names.get(village_id, ("", ""))
        return Item(
            Category.MATCHED,
            _MATCHED_REASON,
            nik=row.nik,
            name=row.name,
            person_id=row.person_id,
            village_id=village_id,
            card_number=row.card_number,
            tmt=row.tmt,
            is_billed=True,
            is_participant=True,
            village=village,
            district=district,
            segment=row.segment.strip(),
            is_proposed=row.person_id in self.proposed,
        )

    def amount(self, people: int) -> Decimal | None:
        return None if self.rate is None else self.rate * people

    @property
    def billed(self) -> int:
        return sum(total.billed for total in self.totals.values())

    @property
    def participants(self) -> int:
        return sum(total.participants for total in self.totals.values())

    @property
    def bill_amount(self) -> Decimal | None:
        return self.amount(self.billed)

    @property
    def ledger_amount(self) -> Decimal | None:
        return self.amount(self.participants)

    @property
    def difference(self) -> Decimal | None:
        return self.amount(self.billed - self.participants)

    @property
    def cost(self) -> Decimal | None:
        """What the months billed cost, those since a recorded removal included."""
        return self.amount(sum(total.months for total in self.totals.values()))

    def rows(self) -> list[dict]:
        """One row per category, in page order: count, Rupiah billed, owed, difference."""
        result = []
        for key, label in CATEGORIES.items():
            total = self.totals[key]
            result.append(
                {
                    "key": key,
                    "label": label,
                    "count": total.count,
                    "billed": total.billed,
                    "participants": total.participants,
                    "bill_amount": self.amount(total.billed),
                    "ledger_amount": self.amount(total.participants),
                    "difference": self.amount(total.billed - total.participants),
                    "months": total.months,
                    "cost": self.amount(total.months),
                }
            )
        return result

    def of(self, category: str) -> Sequence[Item]:
        if category == Category.MATCHED:
            return MatchedItems(self)
        return [item for item in self.discrepancies if item.category == category]

    def to_deactivate(self) -> list[Item]:
        """Whom BPJS should stop billing: billed and no participant (never, removed, dead,
        moved out, a resident of another kabupaten). The double-billed and the NIK mismatch
        candidates are participants: they need a look first, not a deactivation; so does one
        Dukcapil says died or moved out while the ledger's removal waits."""
        stop = {Category.NOT_PARTICIPANT, Category.DEAD_OR_MOVED}
        return [
            item for item in self.discrepancies if item.category in stop and not item.is_participant
        ]


def _unpacked(blob: bytes) -> Reconciliation:
    """A reconciliation from `Reconciliation.__reduce__`'s blob. Each chunk pickles its own
    texts: those the discrepancies repeat (category, reason, village, kapanewon, segment) are
    made one object again."""
    result = Reconciliation.__new__(Reconciliation)
    shared = {}
    with gzip.GzipFile(fileobj=io.BytesIO(blob)) as stream:
        state = pickle.load(stream)
        items = []
        while len(items) < state["discrepancies"]:
            for values in pickle.load(stream):
                item = Item(*values)
                for name in _REPEATED:
                    text = getattr(item, name)
                    setattr(item, name, shared.setdefault(text, text))
                items.append(item)
    result.__dict__.update(state, discrepancies=items)
    return result


def _segment_of(text: str) -> str | None:
    """The ledger's segment of a row billed outside PBPU/BP Pemda; None for the own one."""
    text = text.strip().lower()
    if not text or _OWN_SEGMENT in text:
        return None
    return next((segment for word, segment in _SEGMENTS if word in text), Segment.OTHER)


def _months_since(start: datetime.date, month: datetime.date) -> int:
    """Months from `start` through `month`, both counted."""
    return (month.year - start.year) * 12 + month.month - start.month + 1


def latest_billing_file(month: datetime.date) -> BillingFile | None:
    return BillingFile.objects.filter(month=month_start(month)).order_by("-version").first()


def _villages(actor: User, area: District | Village | None) -> tuple[QuerySet, bool]:
    """The villages reconciled, and whether billed NIKs of no resident belong in it (they name
    no village: only the whole kabupaten holds them, as BillingRowQuerySet.visible_to)."""
    villages = scoping.villages_for(actor)
    sees_kabupaten = actor.area_kind in ("regency", None)
    if not permissions.can_read_residents(actor):
        # Those who read figures only (Badan Keuangan Daerah, Dinas Sosial staff) read the
        # kabupaten's totals; the page shows them no one.
        figure_area = scoping.figure_area(actor)
        villages = Village.objects.filter(district__regency=figure_area) if figure_area else None
        sees_kabupaten = figure_area is not None
        if villages is None:
            return Village.objects.none(), False
    if isinstance(area, District):
        return villages.filter(district=area), False
    if isinstance(area, Village):
        return villages.filter(pk=area.pk), False
    return villages, sees_kabupaten


def _key(name: str, birth_date: datetime.date | None) -> tuple[str, datetime.date] | None:
    if birth_date is None or not name:
        return None
    return " ".join(name.upper().split()), birth_date


def _participants(
    month: datetime.date, village_ids: set[int], billed: set[int]
) -> tuple[set[int], dict[int, tuple]]:
    """(the ids of those active on the month's first day, {person_id: person's fields (a named
    tuple)} of those of them not in `billed`): of 200,000 participants, only the few not billed
    are kept with their names."""
    fields = ("person_id", "village_id", "person__nik", "person__name", "person__birth_date")
    in_villages = Participation.objects.filter(village_id__in=village_ids)
    active = in_villages.active_on(month).values_list(*fields, named=True).order_by()
    found, not_billed = set(), {}
    for row in itertools.chain(active.iterator(2000), _earlier_spells(month, in_villages, fields)):
        found.add(row.person_id)
        if row.person_id not in billed:
            not_billed[row.person_id] = row
    return found, not_billed


def _earlier_spells(month: datetime.date, participations: QuerySet, fields: tuple) -> list:
    """The projection holds the latest spell only: of the people whose latest spell began
    after the month, those the ledger says were participants on its first day (their entries
    up to the month, the latest decides), as named tuples of `fields`."""
    later = participations.filter(since__gt=month)
    # By ids, not a subquery: the few people of later spells, whose entries an index finds (a
    # subquery over the projection made PostgreSQL scan the ledger).
    last = _last_entries(month, list(later.values_list("person_id", flat=True)))
    return [
        row
        for row in later.values_list(*fields, named=True).order_by().iterator(2000)
        if (entry := last.get(row.person_id)) and entry["kind"] == Kind.ADDITION
    ]


def participant_count(*, month: datetime.date, villages: QuerySet | None = None) -> int:
    """How many the ledger says were participants on the month's first day, in `villages`
    (None: all): the same people `reconciliation` counts, by COUNT; cached until the ledger
    grows or a household moves (the dashboard shows it on every visit)."""
    month = month_start(month)
    where = "" if villages is None else hashlib.sha256(str(villages.query).encode()).hexdigest()
    key = f"bpjs-participants:{month}:{where}:{stamps.ledger_stamp()}"
    return stamps.cached(key, lambda: _participant_count(month, villages))


def _participant_count(month: datetime.date, villages: QuerySet | None) -> int:
    participations = Participation.objects.all()
    if villages is not None:
        participations = participations.filter(village__in=villages)
    return participations.active_on(month).count() + len(
        _earlier_spells(month, participations, ("person_id",))
    )


def _last_entries(month: datetime.date, people: QuerySet | list[int]) -> dict[int, dict]:
    """{person_id: the latest ledger entry in force on the month's first day} of the people
    `people` (a subquery or a list of person ids) names."""
    last = {}
    entries = (
        LedgerEntry.objects.filter(person__in=people, effective_month__lte=month)
        .values("person_id", "kind", "ground", "effective_month", "sequence")
        .order_by("person_id", "sequence")
    )
    for entry in entries.iterator(2000):
        last[entry["person_id"]] = entry
    return last


def _latest_records(village_ids: set[int] | None, people: set[int]) -> dict[int, tuple]:
    """{person_id: latest BPJS record (a named tuple)} of `people`, residents of the villages
    (None: anywhere). The villages' histories are read, those of `people` alone kept: a
    kabupaten holds 200,000 histories, the reconciliation needs a few (docs/scale.md)."""
    latest = {}
    rows = Record.objects.all()
    if village_ids is not None:
        rows = rows.filter(person__household__village_id__in=village_ids)
    rows = rows.values_list("person_id", "status", "tmt", "card_number", named=True)
    for row in rows.order_by("person_id", "pk").iterator(2000):
        if row.person_id in people:
            latest[row.person_id] = row
    return latest


def _other_cards(billed_rows: QuerySet) -> dict[int, set[str]]:
    """{person_id: the card numbers their BPJS history records besides the one billed} of the
    billed residents that have any, found by the database."""
    billed_other = billed_rows.filter(person_id=OuterRef("person_id")).exclude(
        card_number=OuterRef("card_number")
    )
    records = Record.objects.exclude(card_number="").filter(Exists(billed_other))
    found = defaultdict(set)
    for person_id, card_number in records.values_list("person_id", "card_number").order_by():
        found[person_id].add(card_number)
    return found


def _not_billed_reason(record: tuple | None, month: datetime.date) -> str:
    if record is None or record.status == Status.UNREGISTERED:
        return "belum pernah dikirim ke BPJS"
    if record.status == Status.SENT:
        if record.tmt is not None and record.tmt > month:
            return f"menunggu aktivasi: TMT {record.tmt:%d-%m-%Y} belum tiba"
        return "didaftarkan, belum aktif melewati TMT"
    if record.status == Status.INACTIVE:
        return "ditolak atau dinonaktifkan BPJS"
    return "aktif menurut riwayat BPJS, tetapi tidak ada dalam tagihan"


def _billed(
    billing_file: BillingFile | None, village_ids: set[int] | None, whole: bool
) -> QuerySet:
    """The list's rows of the villages' residents (None: every resident), and with `whole`
    the NIKs of no resident. The whole list is asked of the file alone, joining no village."""
    if billing_file is None:
        return BillingRow.objects.none()
    if village_ids is None and whole:
        return BillingRow.objects.filter(file=billing_file)
    if village_ids is None:
        return BillingRow.objects.filter(file=billing_file, person__isnull=False)
    condition = Q(person__household__village_id__in=village_ids)
    if whole:
        condition |= Q(person__isnull=True)
    return BillingRow.objects.filter(condition, file=billing_file)


def _scope_key(actor: User, area: District | Village | None) -> str:
    """Whose view it is: the actor's role and area (the villages and names they see), and the
    area chosen."""
    own = actor.area
    chosen = f"{type(area).__name__}-{area.pk}" if area is not None else "-"
    return f"{actor.role}:{actor.area_kind}:{own.pk if own else '-'}:{chosen}"


def reconciliation(
    *, actor: User, month: datetime.date, area: District | Village | None = None
) -> Reconciliation:
    """The month's reconciliation for `area` (default: all the actor sees), every person of it
    in one category. Reads only; recording what it found is `reconciliation_record_cards`.
    Cached on the stamps of what it reads (see the module's docstring)."""
    permissions.require(permissions.can_read_reconciliation(actor))
    month = month_start(month)
    rate = PremiumRate.objects.in_force(month)
    amount = None if rate is None else rate.amount
    read = stamps.stamp(*(model.objects.all() for model in _READ))
    key = f"bpjs-reconciliation:{month}:{_scope_key(actor, area)}:{amount}:{read}"
    result = stamps.cached(key, lambda: _reconcile(actor, month, area, amount))
    # Which removals wait for validation changes without a new row: asked at every view.
    proposed = set(ProposalItem.objects.awaiting_validation().values_list("person_id", flat=True))
    result.proposed = proposed
    for item in result.discrepancies:
        item.is_proposed = item.person_id in proposed
    return result


def _reconcile(
    actor: User, month: datetime.date, area: District | Village | None, rate: Decimal | None
) -> Reconciliation:
    billing_file = latest_billing_file(month)
    result = Reconciliation(month, billing_file, rate)
    result.totals = {key: Total() for key in CATEGORIES}
    villages, whole = _villages(actor, area)
    result.names = names = {
        row.pk: (row.name, row.district__name)
        for row in villages.values_list("pk", "name", "district__name", named=True)
    }
    village_ids = set(names)
    # No resident lives elsewhere (the kabupaten's villages, whatever other regions the
    # reference data holds): the rows and histories are asked with no village join.
    elsewhere = Household.objects.exclude(village_id__in=village_ids)
    everywhere = None if not elsewhere.exists() else village_ids
    billed = _billed(billing_file, everywhere, whole)
    billed_people, inactive = set(), set()
    for person_id, status in (
        billed.filter(person__isnull=False)
        .values_list("person_id", "status")
        .order_by()
        .iterator(2000)
    ):
        (inactive if status == Status.INACTIVE else billed_people).add(person_id)
    participants, not_billed = _participants(month, village_ids, billed_people)
    # The ledger is asked only of the billed residents who were no participant: why they
    # are billed. Their ids, not a subquery joining the list to households and the projection
    # again (7 of the 19 s of queries at 200,000 rows, docs/scale.md).
    last = _last_entries(month, [pk for pk in billed_people if pk not in participants])
    gone = _gone_by_dukcapil(month, billed_people)
    billed_rows = billed.exclude(status=Status.INACTIVE)
    other_cards = _other_cards(billed_rows)
    # A card billed on two rows or more, counted by the database: a handful of 200,000.
    doubled = set(
        billed_rows.values("card_number")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .values_list("card_number", flat=True)
        .order_by()
    )
    card_people = defaultdict(set)
    for card_number, person_id in (
        billed_rows.filter(card_number__in=doubled, person__isnull=False)
        .values_list("card_number", "person_id")
        .order_by()
    ):
        card_people[card_number].add(person_id)

    by_name = defaultdict(list)
    for pk, person in not_billed.items():
        key = _key(person.person__name, person.person__birth_date)
        if key:
            by_name[key].append(pk)

    def count(total: Total, *, is_billed: bool, is_participant: bool, months: int) -> None:
        total.count += 1
        total.billed += is_billed
        total.participants += is_participant
        total.months += months if is_billed else 0

    def add(item: Item) -> None:
        item.village, item.district = names.get(item.village_id, ("", ""))
        count(
            result.totals[item.category],
            is_billed=item.is_billed,
            is_participant=item.is_participant,
            months=item.months,
        )
        result.discrepancies.append(item)

    matched = result.totals[Category.MATCHED]
    rows = _item_rows(billed_rows.order_by("row_number"))
    for row in rows.iterator(2000):
        as_billed = {
            "nik": row.nik,
            "name": row.name,
            "card_number": row.card_number,
            "tmt": row.tmt,
            "is_billed": True,
        }
        person_id = row.person_id
        if person_id is None:
            twins = by_name.get(_key(row.name, row.birth_date), [])
            if twins:
                twin = not_billed.pop(twins.pop(0))
                add(
                    Item(
                        Category.NIK_MISMATCH,
                        f"ditagih dengan NIK {row.nik}",
                        **{**as_billed, "nik": twin.person__nik, "name": twin.person__name},
                        person_id=twin.person_id,
                        village_id=twin.village_id,
                        is_participant=True,
                        billed_nik=row.nik,
                    )
                )
            else:
                add(
                    Item(
                        Category.NOT_PARTICIPANT,
                        "NIK bukan penduduk kabupaten (penduduk daerah lain)",
                        **as_billed,
                    )
                )
            continue
        where = {"person_id": person_id, "village_id": row.person__household__village_id}
        participant = person_id in participants
        entry = last.get(person_id)
        segment = row.segment.strip()
        removed = not participant and entry is not None and entry["kind"] == Kind.REMOVAL
        months = _months_since(entry["effective_month"], month) if removed else 1
        twins = card_people.get(row.card_number, set()) - {person_id}
        if removed and entry["ground"] in _GONE:
            category = Category.DEAD_OR_MOVED
            reason = (
                f"{_GONE[entry['ground']]}, dihapus berlaku {entry['effective_month']:%m-%Y}, "
                f"tagihan berlanjut {months} bulan"
            )
        elif person_id in gone:
            event = gone[person_id]
            category = Category.DEAD_OR_MOVED
            reason = f"{_GONE_EVENTS[event.kind]} {event.occurred_on:%d-%m-%Y} menurut Dukcapil"
        elif row.card_number in doubled:
            category, reason = Category.DOUBLE, f"No. Kartu {row.card_number} ditagih dua kali"
        elif person_id in other_cards:
            other = ", ".join(sorted(other_cards[person_id]))
            category, reason = Category.DOUBLE, f"juga tercatat dengan No. Kartu {other}"
        elif _segment_of(segment) is not None:
            category, reason = Category.DOUBLE, f"ditagih di segmen {segment}"
        elif not participant:
            category = Category.NOT_PARTICIPANT
            if entry is None:
                reason = "tidak pernah tercatat di buku mutasi"
            elif removed:
                reason = (
                    f"dihapus berlaku {entry['effective_month']:%m-%Y}, "
                    f"tagihan berlanjut {months} bulan"
                )
            else:
                reason = "belum menjadi peserta pada bulan ini"
        else:
            # Kept as the row's id: the page and the export read the matched from the list.
            count(matched, is_billed=True, is_participant=True, months=1)
            result.matched.append(row.pk)
            continue
        add(
            Item(
                category,
                reason,
                **as_billed,
                **where,
                is_participant=participant,
                segment=segment,
                months=months,
                twin_id=min(twins) if twins else None,
            )
        )

    latest = _latest_records(everywhere, set(not_billed) - inactive)
    for person_id, person in not_billed.items():
        add(
            Item(
                Category.NOT_BILLED,
                "nonaktif dalam data BPJS bulan ini"
                if person_id in inactive
                else _not_billed_reason(latest.get(person_id), month),
                nik=person.person__nik,
                name=person.person__name,
                person_id=person_id,
                village_id=person.village_id,
                is_participant=True,
            )
        )
    return result


def _gone_by_dukcapil(month: datetime.date, people: set[int]) -> dict:
    """{person id: the earliest death or move out Dukcapil's extracts record for them before
    the month} of `people`. The kabupaten's deaths and moves are asked and those of `people`
    kept: a list of 200,000 ids, or a subquery of the list, costs more than the events."""
    events = PopulationEvent.objects.filter(
        kind__in=list(_GONE_EVENTS), occurred_on__lt=month
    ).order_by("-occurred_on")
    return {
        event.person_id: event
        for event in events.only("person_id", "kind", "occurred_on").iterator(2000)
        if event.person_id in people
    }


def reconciliation_record_cards(
    *, actor: User, month: datetime.date, area: District | Village | None = None
) -> int:
    """Records, for each matched person of the month whose BPJS history does not yet say so,
    *aktif* with the card number and TMT BPJS billed (source: BPJS's data file, dated the day
    it was imported), through `bpjs_record`, all or none. Returns how many were recorded."""
    permissions.require(
        permissions.can_work_bpjs(actor), "Hanya Tim Verifikasi yang mencatat data BPJS."
    )
    result = reconciliation(actor=actor, month=month, area=area)
    # {person id: (card, TMT) billed}: the matched are read from the list, not kept as items.
    billed, villages = {}, set()
    for item in result.of(Category.MATCHED):
        billed[item.person_id] = (item.card_number, item.tmt)
        villages.add(item.village_id)
    latest = _latest_records(villages, set(billed))
    todo = [
        (pk, card_number, tmt)
        for pk, (card_number, tmt) in billed.items()
        if pk not in latest
        or latest[pk].status != Status.ACTIVE
        or latest[pk].card_number != card_number
        or latest[pk].tmt != tmt
    ]
    if not todo:
        return 0
    source_date = timezone.localtime(result.billing_file.imported_at).date()
    people = Person.objects.in_bulk([pk for pk, _, _ in todo])
    with transaction.atomic():
        for pk, card_number, tmt in todo:
            bpjs_record(
                actor=actor,
                person=people[pk],
                status=Status.ACTIVE,
                source=Source.BPJS_FILE,
                source_date=source_date,
                card_number=card_number,
                tmt=tmt,
                note=f"Rekonsiliasi {result.month:%m-%Y}: cocok dengan {result.billing_file}",
            )
    return len(todo)


def _evidence(item: Item, result: Reconciliation) -> dict:
    """What the reconciliation found, kept with the removal: the list, the month, the card,
    the segment and the reason; and for ayat (2) c the segment it proves, since its TMT."""
    evidence = {
        "bpjs_file": f"{result.billing_file} ({result.billing_file.filename})",
        "bpjs_month": f"{result.month:%Y-%m}",
        "card_number": item.card_number,
        "bpjs_segment": item.segment,
        "bpjs_reason": item.reason,
    }
    if item.removal_ground == Ground.SEGMENT:
        evidence["segment"] = _segment_of(item.segment)
        evidence["since"] = (item.tmt or result.month).isoformat()
    return evidence


def _refusal(item: Item | None, chosen: set[int]) -> str | None:
    """Why a chosen person cannot be proposed for removal from the reconciliation (None: they
    can be)."""
    if item is not None and item.can_propose:
        if item.removal_ground == Ground.DUPLICATE and item.twin_id in chosen:
            # Ayat (2) b removes the duplicate, not both of the pair.
            return "pasangan duplikasinya juga dipilih: usulkan salah satu saja"
        return None
    if item is None:
        return "tidak ada dalam rekonsiliasi bulan ini di wilayah Anda"
    if not item.is_participant:
        return (
            "bukan peserta: BPJS diminta berhenti menagih lewat berkas permintaan "
            "penonaktifan, bukan pengurangan"
        )
    if item.is_proposed:
        return "pengurangannya sudah diusulkan dan menunggu validasi data kependudukan"
    if item.category == Category.DOUBLE:
        return (
            "ganda di BPJS tanpa penduduk lain sebagai pasangannya (kartu kedua orang yang "
            "sama, atau NIK bukan penduduk): minta BPJS menonaktifkan kartu yang salah; bukan "
            "dasar pengurangan"
        )
    return f"kategori {item.category_label} bukan dasar pengurangan"


def reconciliation_propose_removals(
    *,
    actor: User,
    month: datetime.date,
    people: list[int | str],
    area: District | Village | None = None,
) -> list[ProposalItem]:
    """Proposes the removal of the participants `people` (primary keys) the month's
    reconciliation found billed twice (ayat 2 b, the other resident on the same card) or in
    another segment (ayat 2 c), into the Dinas Sosial's findings
    (`verification.removal_found`), with the reconciliation as evidence; each then waits for
    the validation of population data (ayat 3). All or none."""
    permissions.require(
        permissions.can_work_bpjs(actor) and permissions.can_decide(actor),
        "Hanya Tim Verifikasi yang mengusulkan pengurangan dari rekonsiliasi.",
    )
    try:
        chosen = sorted({int(pk) for pk in people})
    except (TypeError, ValueError):
        raise ValidationError("Pilihan peserta tidak sah.") from None
    if not chosen:
        raise ValidationError("Pilih paling sedikit satu peserta.")
    result = reconciliation(actor=actor, month=month, area=area)
    by_person = result.of_people(set(chosen))
    refusals = [
        f"{by_person[pk].name if pk in by_person else f'Data {pk}'}: {refusal}."
        for pk in chosen
        if (refusal := _refusal(by_person.get(pk), set(chosen)))
    ]
    if refusals:
        raise ValidationError(refusals)
    items = [by_person[pk] for pk in chosen]
    people_by_pk = Person.objects.in_bulk([*chosen, *(item.twin_id for item in items)])
    found = []
    with transaction.atomic():
        for item in items:
            ground = item.removal_ground
            found.append(
                verification.removal_found(
                    actor=actor,
                    item=ProposalItem(
                        person=people_by_pk[item.person_id],
                        kind=Kind.REMOVAL,
                        ground=ground,
                        evidence=_evidence(item, result),
                        duplicate_of=people_by_pk[item.twin_id]
                        if ground == Ground.DUPLICATE
                        else None,
                    ),
                    note=f"Rekonsiliasi BPJS {result.month:%m-%Y}: {item.reason}",
                )
            )
    return found


@dataclass
class Bill:
    month: datetime.date
    billing_file: BillingFile | None
    billed: int
    rate: Decimal | None
    # The ledger's participants of the month, when asked for (`bill_with_ledger`).
    participants: int | None = None

    @property
    def amount(self) -> Decimal | None:
        if self.billing_file is None or self.rate is None:
            return None
        return self.rate * self.billed

    @property
    def ledger_amount(self) -> Decimal | None:
        if self.participants is None or self.rate is None:
            return None
        return self.rate * self.participants

    @property
    def difference(self) -> Decimal | None:
        """BPJS's bill less the ledger's premium (the reconciliation's difference)."""
        if self.amount is None or self.ledger_amount is None:
            return None
        return self.amount - self.ledger_amount


def bills_of(
    *, months: list[datetime.date], villages: QuerySet | None = None, outsiders: bool = False
) -> dict[datetime.date, Bill]:
    """BPJS's bill of each month ("menurut tagihan BPJS"), for figures beside the ledger's
    premium (the dashboard, the premium page): the rows billed *aktif* in the latest version
    of the month, of the residents of `villages` (with `outsiders`, the NIKs of no resident
    too, as a kabupaten's reconciliation counts them), or all of them (None). Three queries
    whatever the months; each the same figure as `reconciliation(...).billed`."""
    months = sorted({month_start(month) for month in months})
    files = {}
    for billing_file in BillingFile.objects.filter(month__in=months).order_by("month", "version"):
        files[billing_file.month] = billing_file
    rows = BillingRow.objects.filter(file__in=list(files.values())).exclude(status=Status.INACTIVE)
    if villages is not None:
        residents = Q(person__household__village__in=villages)
        rows = rows.filter(residents | Q(person__isnull=True) if outsiders else residents)
    counts = dict(rows.values_list("file").annotate(n=Count("pk")).order_by())
    rates = list(PremiumRate.objects.order_by("-valid_from").values_list("valid_from", "amount"))
    result = {}
    for month in months:
        billing_file = files.get(month)
        rate = next((amount for since, amount in rates if since <= month), None)
        billed = counts.get(billing_file.pk, 0) if billing_file else 0
        result[month] = Bill(month, billing_file, billed, rate)
    return result


def bill_of(
    *, month: datetime.date, villages: QuerySet | None = None, outsiders: bool = False
) -> Bill:
    """BPJS's bill of one month (`bills_of`)."""
    return bills_of(months=[month], villages=villages, outsiders=outsiders)[month_start(month)]


def bill_with_ledger(*, month: datetime.date, villages: QuerySet, outsiders: bool = False) -> Bill:
    """BPJS's bill of a month (`bill_of`) with the ledger's participants of `villages`, for
    the difference the reconciliation of the same area shows."""
    bill = bill_of(month=month, villages=villages, outsiders=outsiders)
    bill.participants = participant_count(month=month, villages=villages)
    return bill
