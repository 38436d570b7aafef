"""BPJS Kesehatan's side of the synthetic kabupaten: this month's list of billed participants,
written as the branch office sends it (.xlsx or .csv in the deployment's layout,
`BPJS_BILLING_LAYOUT`), and the BPJS histories behind it, with a known number of people of
each category and reason of the reconciliation (bpjs.reconciliation). A bench or a test imports
the file and checks the reconciliation finds exactly what was planted.

Every kind below is planted on its own people, chosen so that no other rule of the
reconciliation catches them first (a NIK mismatch is planted on a participant whose name and
birth date no other participant shares; a non-resident is named so that no resident is).
"""

import csv
import datetime
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bpjs.layout import billing_layout
from bpjs.models import Record, Source, Status
from bpjs.reconciliation import Category
from bpjs.tasks import write_xlsx
from enrollment.bulk import bulk_insert
from enrollment.models import Ground
from regions.months import add_months

# kind -> (category it lands in, people planted per 1,000 rows of the file). The remaining rows
# are matched participants; participants left over are "never sent" (BELUM_DIKIRIM).
KINDS = {
    "luar_daerah": (Category.NOT_PARTICIPANT, 5),
    "tidak_pernah_peserta": (Category.NOT_PARTICIPANT, 5),
    "dihapus_tagihan_berlanjut": (Category.NOT_PARTICIPANT, 5),
    "meninggal": (Category.DEAD_OR_MOVED, 2.5),
    "pindah": (Category.DEAD_OR_MOVED, 2.5),
    "kartu_ditagih_dua_kali": (Category.DOUBLE, 5),
    "kartu_lain_di_riwayat": (Category.DOUBLE, 5),
    "segmen_lain": (Category.DOUBLE, 5),
    "nik_beda": (Category.NIK_MISMATCH, 5),
    "nonaktif_di_tagihan": (Category.NOT_BILLED, 5),
    "menunggu_aktivasi": (Category.NOT_BILLED, 5),
    "didaftarkan_lewat_tmt": (Category.NOT_BILLED, 5),
    "ditolak_bpjs": (Category.NOT_BILLED, 5),
    "aktif_tidak_ditagih": (Category.NOT_BILLED, 5),
}
MATCHED, NEVER_SENT = "cocok", "belum_dikirim"
OWN_SEGMENT, OTHER_SEGMENT = "PBPU/BP Pemda", "PBI APBN"
# Ayat (2) b and c: a removal after which BPJS billing on is "billed, not a participant".
_REMOVED_OTHERWISE = {Ground.DUPLICATE, Ground.SEGMENT}


@dataclass(slots=True)
class Line:
    """One row of the list, one attribute per billing field (bpjs.layout.BILLING_FIELDS)."""

    no_kartu: str
    nik: str
    nama: str
    tanggal_lahir: datetime.date | None
    tmt: datetime.date
    status: str = "aktif"
    segmen: str = OWN_SEGMENT
    kode_faskes: str = ""
    nama_faskes: str = ""
    no_kk: str = ""


class Planted:
    """What was planted: people per kind, and so per category of the reconciliation."""

    def __init__(self, month: datetime.date):
        self.month = month
        self.kinds = Counter()
        self.rows = 0

    @property
    def categories(self) -> dict[str, int]:
        counts = Counter()
        for kind, count in self.kinds.items():
            counts[category_of(kind)] += count
        return dict(counts)

    def as_dict(self) -> dict:
        return {
            "month": self.month.isoformat(),
            "rows": self.rows,
            "kinds": dict(self.kinds),
            "categories": self.categories,
        }


def category_of(kind: str) -> str:
    if kind == MATCHED:
        return Category.MATCHED
    if kind == NEVER_SENT:
        return Category.NOT_BILLED
    return KINDS[kind][0]


def read_planted(path: Path) -> dict:
    """The planted counts the builder stored beside the file (`planted_path`)."""
    return json.loads(planted_path(path).read_text())


def planted_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


class BillingPlanter:
    """Plants the list of `rows` rows for the builder's current month; `builder` is the
    synthetic.builder.Builder that has just built the kabupaten (its people and ledger)."""

    def __init__(self, builder, rows: int, path: Path):
        self.builder, self.rows, self.path = builder, rows, Path(path)
        self.month = builder.this_month
        self.random = builder.random
        self.planted = Planted(self.month)
        self.lines, self.records = [], []
        self.cards = 0

    def card(self) -> str:
        self.cards += 1
        return f"0001{self.cards:09d}"

    def share(self, kind: str) -> int:
        return max(1, round(self.rows * KINDS[kind][1] / 1000))

    def run(self) -> Planted:
        b = self.builder
        actives = [i for i in b.chosen if i not in b.removed]
        self.random.shuffle(actives)
        self.not_participants()
        actives = self.mismatches(actives)
        self.participants(actives)
        self.random.shuffle(self.lines)
        self.write()
        bulk_insert(
            Record,
            ["person_id", "card_number", "tmt", "status", "source", "source_date"]
            + ["recorded_by_id"],
            self.records,
        )
        self.planted.rows = len(self.lines)
        planted_path(self.path).write_text(json.dumps(self.planted.as_dict(), indent=2))
        return self.planted

    def not_participants(self) -> None:
        """Billed, no participant: another kabupaten's residents, residents never in the
        ledger, and people removed (dead, moved out, or on ayat 2 b or c)."""
        b, rng = self.builder, self.random
        self.outsiders(self.share("luar_daerah"))
        in_ledger = set(b.chosen)
        never = [i for i in range(len(b.person_ids)) if i not in in_ledger]
        for index in rng.sample(never, min(len(never), self.share("tidak_pernah_peserta"))):
            self.bill("tidak_pernah_peserta", index)
        for kind, grounds in (
            ("meninggal", {Ground.DIED}),
            ("pindah", {Ground.MOVED_OUT}),
            ("dihapus_tagihan_berlanjut", _REMOVED_OTHERWISE),
        ):
            people = [i for i, ground in b.removed.items() if ground in grounds]
            for index in rng.sample(people, min(len(people), self.share(kind))):
                self.bill(kind, index)

    def mismatches(self, actives: list[int]) -> list[int]:
        """Participants billed under a NIK no resident has; returns the other participants.
        Chosen among those whose name and birth date no other participant shares, so that
        the reconciliation pairs the billed row with them and no one else."""
        keys = Counter(self.key(i) for i in actives)
        unique = [i for i in actives if keys[self.key(i)] == 1]
        chosen = set(unique[: self.share("nik_beda")])
        residents = set(self.builder.person_niks)
        for index in chosen:
            line = self.line(index)
            serial = 9999
            while f"{line.nik[:12]}{serial:04d}" in residents:
                serial -= 1
            line.nik = f"{line.nik[:12]}{serial:04d}"
            residents.add(line.nik)
            self.lines.append(line)
            self.planted.kinds["nik_beda"] += 1
        return [i for i in actives if i not in chosen]

    def participants(self, actives: list[int]) -> None:
        """The participants, each once: billed twice or otherwise doubly, billed nonaktif,
        unbilled with a history saying why, matched (the rows left), never sent (the rest)."""

        def take(count):
            taken, actives[:] = actives[:count], actives[count:]
            return taken

        pairs = take(2 * (self.share("kartu_ditagih_dua_kali") // 2 or 1))
        for first, second in zip(pairs[::2], pairs[1::2], strict=True):
            card = self.card()
            self.bill("kartu_ditagih_dua_kali", first, card=card)
            self.bill("kartu_ditagih_dua_kali", second, card=card)
        for index in take(self.share("kartu_lain_di_riwayat")):
            self.record(index, Status.ACTIVE, card=self.card())
            self.bill("kartu_lain_di_riwayat", index)
        for index in take(self.share("segmen_lain")):
            self.bill("segmen_lain", index, segmen=OTHER_SEGMENT)
        for index in take(self.share("nonaktif_di_tagihan")):
            self.bill("nonaktif_di_tagihan", index, status="nonaktif")
        unbilled = [
            ("menunggu_aktivasi", Status.SENT, add_months(self.month, 1)),
            ("didaftarkan_lewat_tmt", Status.SENT, self.month),
            ("ditolak_bpjs", Status.INACTIVE, None),
            ("aktif_tidak_ditagih", Status.ACTIVE, self.month),
        ]
        for kind, status, tmt in unbilled:
            for index in take(self.share(kind)):
                card = self.card() if status == Status.ACTIVE else ""
                self.record(index, status, card=card, tmt=tmt)
                self.planted.kinds[kind] += 1
        matched = self.rows - len(self.lines)
        if matched < 0 or matched > len(actives):
            participants = len(self.builder.chosen) - len(self.builder.removed)
            raise ValueError(
                f"{self.rows} baris tidak dapat disusun dari {participants} peserta aktif: "
                "ubah jumlah baris atau peserta."
            )
        for index in take(matched):
            card = self.card()
            self.record(index, Status.ACTIVE, card=card)
            self.bill(MATCHED, index, card=card)
        self.planted.kinds[NEVER_SENT] += len(actives)

    def key(self, index: int) -> tuple[str, datetime.date]:
        b = self.builder
        return " ".join(b.person_names[index].upper().split()), b.person_births[index]

    def line(self, index: int, **values) -> Line:
        b = self.builder
        values.setdefault("no_kartu", self.card())
        return Line(
            nik=b.person_niks[index],
            nama=b.person_names[index],
            tanggal_lahir=b.person_births[index],
            tmt=self.month,
            no_kk=b.household_numbers[b.person_household[index]],
            **values,
        )

    def bill(self, kind: str, index: int, *, card: str = "", **values) -> None:
        self.lines.append(self.line(index, **({"no_kartu": card} if card else {}), **values))
        self.planted.kinds[kind] += 1

    def record(self, index, status, *, card="", tmt=None) -> None:
        """A row of the person's BPJS history, as the Tim Verifikasi or a BPJS file left it."""
        tmt = self.month if tmt is None and status == Status.ACTIVE else tmt
        source = Source.BPJS_FILE if status in (Status.ACTIVE, Status.INACTIVE) else Source.TEAM
        self.records.append(
            (
                self.builder.person_ids[index],
                card,
                tmt,
                status,
                source,
                self.builder.today,
                self.builder.verifier.pk,
            )
        )

    def outsiders(self, count: int) -> None:
        """Billed NIKs of another kabupaten: a kecamatan prefix no resident has, names no
        resident bears (so none is taken for a NIK mismatch)."""
        prefix = "347101" if not self.builder.regency.code.startswith("34.71") else "340201"
        for n in range(1, count + 1):
            birth = datetime.date(1960 + n % 40, n % 12 + 1, n % 28 + 1)
            nik = f"{prefix}{birth:%d%m%y}{n % 9999 + 1:04d}"
            self.lines.append(Line(self.card(), nik, f"Warga Luar Daerah {n}", birth, self.month))
        self.planted.kinds["luar_daerah"] += count

    def write(self) -> None:
        """The file, in the deployment's layout: .xlsx (every cell text) or UTF-8 .csv."""
        layout = billing_layout()
        if self.path.suffix.lower() == ".xlsx":
            with self.path.open("wb") as output:
                write_xlsx(output, layout, self.lines)
            return
        with self.path.open("w", newline="", encoding="utf-8") as output:
            writer = csv.writer(output)
            writer.writerow(layout.titles)
            writer.writerows(
                [column.cell(line) for column in layout.columns] for line in self.lines
            )
