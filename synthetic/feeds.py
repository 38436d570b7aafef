"""Dukcapil's and DTSEN's side of the synthetic kabupaten, with a known number of each case:
- an extract of population events (.xlsx or .csv in the deployment's layout,
  `DUKCAPIL_EVENTS_LAYOUT`) for this month: what feeds.services.extract_import finds in it;
- a DTSEN period (.csv, as the DTKS/DTSEN import reads it) for this month on top of an earlier
  period planted as already imported: what feeds.dtsen ranks as urgent and as calon usulan.
A bench or a test imports the file and checks the feed finds exactly what was planted; the
counts are stored beside the file (`planted_path`).

Every event is planted on a person of a household no other event touches, so that no other
rule of the import catches them first.
"""

import csv
import datetime
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db.models import F

from bpjs.tasks import write_xlsx
from enrollment.bulk import bulk_insert
from enrollment.imports import REGISTRY_FIELDS
from enrollment.models import Kind, RegistryRecord, RegistrySource
from feeds import dtsen
from feeds.events import event_layout
from feeds.models import Finding, FindingKind
from people.models import EventKind, PopulationEvent
from regions.months import add_months
from synthetic.bpjs import planted_path

# What the extract's import does with an event of a kind.
REMOVAL, FLAG, MOVE = FindingKind.REMOVAL.value, FindingKind.FLAG.value, FindingKind.MOVE.value
IDENTITY, UNKNOWN, NOTHING = "ganti_identitas", "nik_tidak_dikenal", "tidak_ada"
# kind -> (what the import does, events per 1,000 of the extract). The deaths of other
# residents take the events left over.
EVENT_KINDS = {
    "meninggal_peserta": (REMOVAL, 60),
    "pindah_keluar_peserta": (REMOVAL, 40),
    "meninggal_dalam_usulan": (FLAG, 10),
    "pindah_keluar_bukan_peserta": (NOTHING, 250),
    "pindah_dalam": (MOVE, 150),
    "ganti_nik": (IDENTITY, 100),
    "nik_tidak_dikenal": (UNKNOWN, 90),
    "meninggal_bukan_peserta": (NOTHING, None),
}
# What feeds.dtsen makes of a listing of a kind.
URGENT, CANDIDATE = "segera", "calon_usulan"
# kind -> (what feeds.dtsen finds, people per 1,000 listings of the new period). Residents
# who are not participants, above the threshold, take the listings left over.
DTSEN_KINDS = {
    "desil_naik": (URGENT, 10),
    # Listed in the earlier period only: not a row of the file.
    "keluar_dtsen": (URGENT, 6),
    "calon_usulan": (CANDIDATE, 170),
    "peserta_di_bawah_ambang": (NOTHING, 300),
    "bukan_peserta_di_atas_ambang": (NOTHING, None),
}


class Planted:
    """What was planted: people per kind, and so per outcome of the feed."""

    def __init__(self, period: datetime.date, kinds: dict):
        self.period, self.table = period, kinds
        self.kinds = Counter()
        self.rows = 0

    def as_dict(self) -> dict:
        outcomes = Counter()
        for kind, count in self.kinds.items():
            outcomes[self.table[kind][0]] += count
        return {
            "period": self.period.isoformat(),
            "rows": self.rows,
            "kinds": dict(self.kinds),
            "outcomes": dict(outcomes),
        }


def read_planted(path: Path) -> dict:
    """The planted counts the builder stored beside the file."""
    return json.loads(planted_path(Path(path)).read_text())


@dataclass(slots=True)
class Event:
    """One row of the extract, one attribute per event field (feeds.events.EVENT_FIELDS)."""

    jenis: str
    nik: str
    tanggal: datetime.date
    no_akta: str = ""
    tujuan: str = ""
    kode_desa_tujuan: str = ""
    dusun_tujuan: str = ""
    rt_tujuan: str = ""
    rw_tujuan: str = ""
    nik_baru: str = ""
    no_kk_baru: str = ""


class _Planter:
    """What both planters share: the builder's kabupaten (synthetic.builder.Builder, just
    built), the people each case is planted on, and NIKs no resident has."""

    # An event acts on the person's household too: one case per household keeps them apart.
    one_per_household = True
    # Kinds planted outside the file.
    not_rows = ()

    def __init__(self, builder, size: int, path: Path, kinds: dict):
        self.builder, self.size, self.path = builder, size, Path(path)
        self.random = builder.random
        self.planted = Planted(builder.this_month, kinds)
        self.used_households, self.used_people = set(), set()
        self.taken_niks = set(builder.person_niks)
        b = builder
        in_ledger = set(b.chosen)
        self.actives = [i for i in b.chosen if i not in b.removed]
        self.others = [i for i in range(len(b.person_ids)) if i not in in_ledger]
        self.random.shuffle(self.actives)
        self.random.shuffle(self.others)

    def shares(self) -> dict[str, int]:
        """People of each kind: its share of `size`, the kind without one the rows left."""
        counts = {
            kind: round(self.size * per / 1000)
            for kind, (_, per) in self.planted.table.items()
            if per is not None
        }
        rest = [kind for kind, (_, per) in self.planted.table.items() if per is None]
        rows = sum(count for kind, count in counts.items() if kind not in self.not_rows)
        counts[rest[0]] = self.size - rows
        return counts

    def take(self, pool: list[int], count: int, kind: str) -> list[int]:
        """`count` people of `pool` not taken for another case, each (with
        `one_per_household`) of a household no case has touched yet."""
        taken = []
        while pool and len(taken) < count:
            index = pool.pop()
            household = self.builder.person_household[index]
            if index in self.used_people:
                continue
            if not self.one_per_household or household not in self.used_households:
                self.used_households.add(household)
                self.used_people.add(index)
                taken.append(index)
        if len(taken) < count:
            raise ValueError(
                f"Tidak cukup penduduk untuk {count} kasus {kind}: ubah jumlah baris atau penduduk."
            )
        self.planted.kinds[kind] += count
        return taken

    def free_nik(self, index: int) -> str:
        """A NIK of the person's kecamatan and birth date that no resident has."""
        stamp, serial = self.builder.person_niks[index][:12], 9999
        while f"{stamp}{serial:04d}" in self.taken_niks:
            serial -= 1
        nik = f"{stamp}{serial:04d}"
        self.taken_niks.add(nik)
        return nik

    def store(self) -> Planted:
        planted_path(self.path).write_text(json.dumps(self.planted.as_dict(), indent=2))
        return self.planted


class EventPlanter(_Planter):
    """Plants an extract of `size` events of this month."""

    def __init__(self, builder, size: int, path: Path):
        super().__init__(builder, size, path, EVENT_KINDS)
        self.events = []

    def run(self) -> Planted:
        b, shares, day = self.builder, self.shares(), self.builder.this_month
        waiting = list(b.waiting_people)
        self.random.shuffle(waiting)
        # The others' deaths ask nothing of a village: none of them is in an open Usulan.
        in_usulan = set(waiting)
        self.others = [i for i in self.others if i not in in_usulan]
        for kind, (outcome, _) in EVENT_KINDS.items():
            pool = {REMOVAL: self.actives, FLAG: waiting}.get(outcome, self.others)
            for index in self.take(pool, shares[kind], kind):
                nik = b.person_niks[index]
                if kind.startswith("meninggal"):
                    event = Event("Meninggal", nik, day, no_akta=f"KM-SINTETIS-{index}")
                elif kind.startswith("pindah_keluar"):
                    event = Event("Pindah keluar", nik, day, tujuan="Kota Yogyakarta")
                elif kind == "pindah_dalam":
                    here = b.village_codes[b.person_village[index]]
                    there = self.random.choice([c for c in b.village_codes.values() if c != here])
                    event = Event("Pindah dalam", nik, day, kode_desa_tujuan=there)
                    event.dusun_tujuan, event.rt_tujuan, event.rw_tujuan = "Dusun 1", "001", "001"
                elif kind == "ganti_nik":
                    event = Event("Ganti NIK", nik, day, nik_baru=self.free_nik(index))
                else:
                    event = Event("Meninggal", self.free_nik(index), day, no_akta="KM-LUAR")
                self.events.append(event)
        self.random.shuffle(self.events)
        self.write()
        self.planted.rows = len(self.events)
        return self.store()

    def write(self) -> None:
        """The file, in the deployment's layout: .xlsx (every cell text) or UTF-8 .csv."""
        layout = event_layout()
        if self.path.suffix.lower() == ".xlsx":
            with self.path.open("wb") as output:
                write_xlsx(output, layout, self.events)
            return
        with self.path.open("w", newline="", encoding="utf-8") as output:
            writer = csv.writer(output)
            writer.writerow(layout.titles)
            writer.writerows(
                [column.cell(event) for column in layout.columns] for event in self.events
            )


class ListingPlanter(_Planter):
    """Plants this month's DTSEN period of `size` listings, and the period three months
    earlier as already imported. Urgent cases are participants verified before this month,
    so that today's import is news to them. The ranking reads each person's listing by NIK:
    members of a household may be of different cases."""

    one_per_household = False
    not_rows = ("keluar_dtsen",)
    TITLES = ["sumber", "id_dtks", "nik", "nama", "no_kk", "kode_desa", "desil", "periode"]

    def __init__(self, builder, size: int, path: Path):
        super().__init__(builder, size, path, DTSEN_KINDS)
        self.threshold = dtsen.threshold_on(builder.today)
        self.earlier = add_months(builder.this_month, -3)
        self.rows = {self.earlier: [], builder.this_month: []}

    def run(self) -> Planted:
        b, shares = self.builder, self.shares()
        joined = {
            person_id: month
            for person_id, _, _, kind, _, month in b.entries
            if kind == Kind.ADDITION
        }
        before = [i for i in self.actives if joined[b.person_ids[i]] < b.months - 1]
        poor, rich = range(1, self.threshold + 1), range(self.threshold + 1, 11)
        rng = self.random
        for index in self.take(before, shares["desil_naik"], "desil_naik"):
            self.list(index, rng.choice(poor), rng.choice(rich))
        for index in self.take(before, shares["keluar_dtsen"], "keluar_dtsen"):
            self.list(index, rng.choice(poor), None)
        for index in self.take(
            self.actives, shares["peserta_di_bawah_ambang"], "peserta_di_bawah_ambang"
        ):
            desil = rng.choice(poor)
            self.list(index, desil, desil)
        for kind, desils in (("calon_usulan", poor), ("bukan_peserta_di_atas_ambang", rich)):
            for index in self.take(self.others, shares[kind], kind):
                desil = rng.choice(desils)
                self.list(index, desil, desil)
        self.write()
        imported = datetime.datetime.combine(
            self.earlier.replace(day=5), datetime.time(9), tzinfo=datetime.UTC
        )
        bulk_insert(
            RegistryRecord,
            [*REGISTRY_FIELDS, "imported_at", "imported_by_id"],
            [
                (*(row[name] for name in REGISTRY_FIELDS), imported, b.verifier.pk)
                for row in self.rows[self.earlier]
            ],
        )
        self.planted.rows = len(self.rows[b.this_month])
        return self.store()

    def list(self, index: int, earlier: int | None, now: int | None) -> None:
        """The person's listing in the earlier period and in this month's (None: not listed)."""
        b = self.builder
        for period, desil in ((self.earlier, earlier), (b.this_month, now)):
            if desil is None:
                continue
            self.rows[period].append(
                {
                    "source": RegistrySource.DTSEN.value,
                    "registry_id": f"DTSEN-{b.person_niks[index]}",
                    "nik": b.person_niks[index],
                    "name": b.person_names[index],
                    "household_number": b.household_numbers[b.person_household[index]],
                    "village_id": b.person_village[index],
                    "desil": desil,
                    "data_period": period,
                }
            )

    def write(self) -> None:
        """This month's listings as a UTF-8 .csv with the columns the DTKS/DTSEN import reads."""
        codes = self.builder.village_codes
        rows = self.rows[self.builder.this_month]
        self.random.shuffle(rows)
        with self.path.open("w", newline="", encoding="utf-8") as output:
            writer = csv.writer(output)
            writer.writerow(self.TITLES)
            writer.writerows(
                [
                    row["source"],
                    row["registry_id"],
                    row["nik"],
                    row["name"],
                    row["household_number"],
                    codes[row["village_id"]],
                    row["desil"],
                    f"{row['data_period']:%Y-%m}",
                ]
                for row in rows
            )


def events_found(extract) -> dict[str, int]:
    """What the import of `extract` (people.PopulationExtract) did, by outcome as planted."""
    events = PopulationEvent.objects.filter(extract=extract)
    findings = Finding.objects.filter(event__extract=extract)
    found = {kind: findings.filter(kind=kind).count() for kind in (REMOVAL, FLAG, MOVE)}
    changes = events.filter(kind=EventKind.IDENTITY_CHANGED)
    found[IDENTITY] = changes.filter(person__nik=F("new_nik")).count()
    found[UNKNOWN] = events.filter(person__isnull=True).count()
    # Matched, neither a change of identity nor a finding: the import left it be.
    left_be = events.exclude(person__isnull=True).exclude(kind=EventKind.IDENTITY_CHANGED)
    found[NOTHING] = left_be.exclude(pk__in=findings.values("event")).count()
    return found


def dtsen_found(actor, month: datetime.date) -> dict[str, int]:
    """The kabupaten's DTSEN cases as the findings pages read them, counted: the one place
    the bench and the tests follow feeds.dtsen's functions."""
    return {
        URGENT: dtsen.urgent_cases(actor=actor, month=month).count(),
        CANDIDATE: dtsen.candidate_cases(actor=actor, month=month).count(),
    }
