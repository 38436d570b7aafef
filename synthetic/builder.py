"""A synthetic kabupaten for proof at scale: every real village of the deployment, about a
million residents with synthetic names and valid-shaped NIKs, participants with two years of
ledger, the monthly Usulan that produced them and the SKTM letters of ground c.2.

Rows go in through `enrollment.bulk.bulk_insert` (COPY on PostgreSQL). The data obey the
rules the services enforce (alternating ledger, validated removals, the projection in step with
the ledger), but the services themselves are bypassed: at this volume they would take hours.
"""

import datetime
import random
import secrets
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from enrollment.bulk import bulk_insert
from enrollment.models import Ground, Kind, LedgerEntry, Validator
from enrollment.participation import project_people
from people.models import Household, Person
from regions.models import HealthFacility, Village
from regions.months import add_months, month_start
from sktm.letters import letter_number
from sktm.models import FormStatus, Letter, LetterSequence, VerificationForm
from synthetic.bpjs import BillingPlanter
from synthetic.feeds import EventPlanter, ListingPlanter
from verification.models import Decision, Proposal, ProposalItem, ProposalStatus

FIRST_NAMES = [
    "Agus",
    "Budi",
    "Dwi",
    "Eko",
    "Sri",
    "Siti",
    "Tri",
    "Joko",
    "Wahyu",
    "Rina",
    "Dewi",
    "Sugeng",
    "Slamet",
    "Painem",
    "Tumini",
    "Suparmi",
    "Sutrisno",
    "Mulyono",
    "Ngatini",
    "Wartini",
    "Yuli",
    "Bambang",
    "Heru",
    "Lestari",
    "Rahayu",
    "Purwanto",
    "Suharti",
    "Kasiyem",
    "Ponirah",
    "Sukirno",
    "Widodo",
    "Ratna",
    "Endang",
    "Hartono",
    "Sumarni",
    "Giyono",
    "Marsono",
    "Tukiyem",
    "Paijo",
    "Suyatmi",
]
LAST_NAMES = [
    "Santoso",
    "Wibowo",
    "Saputra",
    "Lestari",
    "Prasetyo",
    "Hidayat",
    "Susanto",
    "Rahayu",
    "Wijaya",
    "Setiawan",
    "Nugroho",
    "Kurniawan",
    "Purnomo",
    "Utami",
    "Handayani",
    "Suryani",
    "Mulyani",
    "Sari",
    "Pratama",
    "Wulandari",
    "Hartati",
    "Raharjo",
]
OCCUPATIONS = ["Buruh tani", "Petani", "Buruh harian lepas", "Pedagang", "Ibu rumah tangga"]
OCCUPATIONS += ["Pelajar", "Belum bekerja", "Wiraswasta", "Nelayan", "Perangkat desa"]
ADDITION_MIX = [(Ground.DTKS, 50), (Ground.SKTM, 20), (Ground.FAMILY, 20), (Ground.NEWBORN, 10)]
REMOVAL_GROUNDS = [Ground.DIED, Ground.DUPLICATE, Ground.SEGMENT, Ground.MOVED_OUT]
PASSWORD = "sintetis-2026"
CHUNK = 100_000


def chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert(model, names, rows):
    ids = []
    for chunk in chunks(rows):
        ids += bulk_insert(model, names, chunk)
    return ids


class Builder:
    def __init__(
        self,
        regency,
        *,
        residents,
        participants,
        months,
        today,
        seed=2026,
        log=print,
        billing_file=None,
        billing_rows=0,
        events_file=None,
        events=0,
        dtsen_file=None,
        dtsen_rows=0,
    ):
        self.regency, self.today, self.log = regency, today, log
        # With a path, this month's BPJS list is planted there (synthetic.bpjs).
        self.billing_file, self.billing_rows = billing_file, billing_rows
        self.planted = None
        # With a path, a Dukcapil extract and a DTSEN period are planted there (synthetic.feeds).
        self.events_file, self.events = events_file, events
        self.dtsen_file, self.dtsen_rows = dtsen_file, dtsen_rows
        self.planted_events = self.planted_dtsen = None
        self.residents, self.participants, self.months = residents, participants, months
        self.random = random.Random(seed)
        self.this_month = month_start(today)
        self.first_month = add_months(self.this_month, -(months - 1))
        self.villages = list(
            Village.objects.filter(district__regency=regency).select_related("district")
        )
        self.village_codes = {v.pk: v.code for v in self.villages}
        self.faskes = {}
        for facility in HealthFacility.objects.filter(district__regency=regency):
            self.faskes.setdefault(facility.district_id, facility.pk)

    def step(self, label, function):
        start = time.perf_counter()
        result = function()
        self.log(f"{label:<38} {time.perf_counter() - start:7.1f} s")
        return result

    def run(self):
        start = time.perf_counter()
        self.step("staff logins", self.users)
        self.step("households and residents", self.people)
        self.step("ledger, projection, Usulan", self.ledger)
        self.step("SKTM forms and letters", self.letters)
        self.step("Usulan waiting this month", self.waiting)
        if self.billing_file:
            self.step("BPJS list and histories", self.billing)
        if self.events_file:
            self.step("Dukcapil extract", self.population_events)
        if self.dtsen_file:
            self.step("DTSEN periods", self.dtsen)
        self.log(f"{'total':<38} {time.perf_counter() - start:7.1f} s")

    def users(self):
        """An operator and a head per village, a verifier and a Dukcapil user, all with one
        password (hashed once)."""
        password = make_password(PASSWORD)
        code = self.regency.code.replace(".", "")
        users = [
            User(username=f"op{v.code.replace('.', '')}", role=Role.OPERATOR, village=v)
            for v in self.villages
        ]
        users += [
            User(username=f"kades{v.code.replace('.', '')}", role=Role.VILLAGE_HEAD, village=v)
            for v in self.villages
        ]
        users += [
            User(username=f"verifikator{code}", role=Role.VERIFIER, regency=self.regency),
            User(username=f"dukcapil{code}", role=Role.DUKCAPIL, regency=self.regency),
        ]
        for user in users:
            user.password, user.first_name = password, "Sintetis"
        User.objects.bulk_create(users)
        by_name = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in users])
        }
        self.operators = {v.pk: by_name[f"op{v.code.replace('.', '')}"] for v in self.villages}
        self.heads = {v.pk: by_name[f"kades{v.code.replace('.', '')}"] for v in self.villages}
        self.verifier = by_name[f"verifikator{code}"]
        self.validator = by_name[f"dukcapil{code}"]

    def people(self):
        """Households of one to six members spread evenly over the villages; NIKs with the
        kecamatan prefix, a real birth date (a woman's day + 40) and a serial unique per date."""
        rng, serials = self.random, defaultdict(int)
        households, members = [], []
        village_index = 0
        while len(members) < self.residents:
            village = self.villages[village_index % len(self.villages)]
            village_index += 1
            prefix = village.district.code.replace(".", "")
            number = f"{prefix}{len(households) + 1:010d}"
            households.append(
                (
                    number,
                    village.pk,
                    f"Dusun {rng.randint(1, 12)}",
                    f"{rng.randint(1, 15):03d}",
                    f"{rng.randint(1, 6):03d}",
                )
            )
            for member in range(min(rng.randint(1, 6), self.residents - len(members))):
                birth = datetime.date(
                    rng.randint(1940, 2024), rng.randint(1, 12), rng.randint(1, 28)
                )
                sex = rng.choice("LP")
                day = birth.day + (40 if sex == "P" else 0)
                stamp = f"{prefix}{day:02d}{birth:%m%y}"
                serials[stamp] += 1
                relationship = 1 if member == 0 else rng.choice([2, 3, 4, 4, 4, 7])
                members.append(
                    (
                        f"{stamp}{serials[stamp]:04d}",
                        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        len(households) - 1,
                        relationship,
                        2 if relationship in (1, 2, 3) else 1,
                        village.district.regency.name.removeprefix("Kabupaten "),
                        birth,
                        sex,
                        rng.choice(OCCUPATIONS),
                        # Living here since a year, or since birth (the resident rules).
                        max(birth, datetime.date(rng.randint(1990, 2023), 1, 1)),
                    )
                )
        household_ids = insert(Household, ["number", "village_id", "dusun", "rt", "rw"], households)
        self.household_village = [village for _, village, *_ in households]
        self.household_numbers = [number for number, *_ in households]
        self.person_household = [h for _, _, h, *_ in members]
        self.person_niks = [nik for nik, *_ in members]
        self.person_names = [name for _, name, *_ in members]
        self.person_births = [member[6] for member in members]
        rows = [(nik, name, household_ids[h], *rest) for nik, name, h, *rest in members]
        self.person_ids = insert(
            Person,
            [
                "nik",
                "name",
                "household_id",
                "relationship",
                "marital_status",
                "birth_place",
                "birth_date",
                "sex",
                "occupation",
                "domicile_since",
            ],
            rows,
        )
        self.person_village = [self.household_village[h] for h in self.person_household]

    def month(self, index):
        return add_months(self.first_month, index)

    def ledger(self):
        """Participants: some there from the first month (opening balance), the others added on a
        Pasal 5 ground in a later month; one in ten of all of them removed again later, so that
        about `participants` are active today. Each month's changes came through its Usulan."""
        rng = self.random
        removed_share = 0.1
        total = min(len(self.person_ids), int(self.participants / (1 - removed_share)))
        chosen = rng.sample(range(len(self.person_ids)), total)
        # Who joined the ledger, and the removal ground of those removed again.
        self.chosen, self.removed = chosen, {}
        grounds = [g for g, weight in ADDITION_MIX for _ in range(weight)]
        entries, self.sktm_people = [], []
        for index in chosen:
            person_id, village_id = self.person_ids[index], self.person_village[index]
            opening = rng.random() < 0.6
            added = 0 if opening else rng.randint(1, self.months - 1)
            ground = Ground.OPENING if opening else rng.choice(grounds)
            entries.append((person_id, village_id, 1, Kind.ADDITION, ground, added))
            if ground == Ground.SKTM:
                self.sktm_people.append((len(entries) - 1, index))
            if rng.random() < removed_share and added < self.months - 1:
                removal = rng.choice(REMOVAL_GROUNDS)
                removed = rng.randint(added + 1, self.months - 1)
                entries.append((person_id, village_id, 2, Kind.REMOVAL, removal, removed))
                self.removed[index] = removal
        self.entries = entries
        rows = []
        for person_id, village_id, sequence, kind, ground, month in entries:
            effective = self.month(month)
            removal = kind == Kind.REMOVAL
            rows.append(
                (
                    person_id,
                    village_id,
                    sequence,
                    kind,
                    ground,
                    effective,
                    self.evidence(ground, effective),
                    Validator.DUKCAPIL if removal else "",
                    effective if removal else None,
                    "Data SIAK Disdukcapil" if removal else "",
                    self.validator.pk if removal else self.verifier.pk,
                )
            )
        self.entry_ids = insert(
            LedgerEntry,
            [
                "person_id",
                "village_id",
                "sequence",
                "kind",
                "ground",
                "effective_month",
                "evidence",
                "validated_by",
                "validated_on",
                "validated_against",
                "recorded_by_id",
            ],
            rows,
        )
        self.projection()
        self.proposals()

    def evidence(self, ground, month):
        if ground == Ground.DTKS:
            return {
                "has_other_cover": False,
                "domicile_document": "KTP dan KK",
                "source": "DTSEN",
                "dtks_id": f"DTSEN-{month:%Y%m}",
                "desil": 1,
                "data_period": f"{month.year}",
                "checked_on": month.isoformat(),
            }
        if ground == Ground.FAMILY:
            return {"has_other_cover": False}
        if ground == Ground.SKTM:
            return {"has_other_cover": False, "domicile_document": "KTP dan KK"}
        if ground == Ground.DIED:
            return {"death_date": month.isoformat(), "death_certificate": "KM-SINTETIS"}
        if ground == Ground.SEGMENT:
            return {"segment": "ppu", "since": month.isoformat()}
        if ground == Ground.MOVED_OUT:
            return {"destination": "Kota Yogyakarta", "moved_on": month.isoformat()}
        return {}

    def projection(self):
        project_people(list(dict.fromkeys(person_id for person_id, *_ in self.entries)))

    def proposals(self):
        """A closed Usulan per village and month with the changes of that month, each person
        approved and pointing at its ledger entry."""
        monthly = defaultdict(list)
        for position, (_, village_id, _, _, ground, month) in enumerate(self.entries):
            if ground != Ground.OPENING:
                monthly[village_id, month].append(position)
        keys = sorted(monthly)
        ids = insert(
            Proposal,
            [
                "village_id",
                "month",
                "status",
                "created_by_id",
                "submitted_at",
                "submitted_by_id",
                "signed_place",
                "signer_name",
                "closed_at",
            ],
            [
                (
                    village_id,
                    self.month(month),
                    ProposalStatus.CLOSED,
                    self.operators[village_id].pk,
                    self.moment(month, 20),
                    self.heads[village_id].pk,
                    "Sintetis",
                    "Kepala Sintetis",
                    self.moment(month, 27),
                )
                for village_id, month in keys
            ],
        )
        village_district = {v.pk: v.district_id for v in self.villages}
        rows = []
        for proposal_id, key in zip(ids, keys, strict=True):
            for position in monthly[key]:
                person_id, village_id, _, kind, ground, month = self.entries[position]
                rows.append(
                    (
                        proposal_id,
                        person_id,
                        kind,
                        ground,
                        self.evidence(ground, self.month(month)),
                        self.faskes.get(village_district[village_id])
                        if kind == Kind.ADDITION
                        else None,
                        self.operators[village_id].pk,
                        Decision.APPROVED,
                        self.verifier.pk,
                        self.moment(month, 25),
                        self.entry_ids[position],
                    )
                )
        insert(
            ProposalItem,
            [
                "proposal_id",
                "person_id",
                "kind",
                "ground",
                "evidence",
                "faskes_id",
                "added_by_id",
                "decision",
                "decided_by_id",
                "decided_at",
                "ledger_entry_id",
            ],
            rows,
        )

    def moment(self, month, day):
        date = self.month(month)
        return datetime.datetime(date.year, date.month, day, 9, tzinfo=datetime.UTC)

    def letters(self):
        """The Lampiran A form and SKTM letter behind each ground c.2 addition, numbered per
        village and year, issued early in the month before the addition."""
        forms, sequences = [], defaultdict(int)
        for position, index in self.sktm_people:
            person_id, village_id, _, _, _, month = self.entries[position]
            issued = add_months(self.month(month), -1).replace(day=5)
            sequences[village_id, issued.year] += 1
            forms.append((village_id, person_id, index, issued, sequences[village_id, issued.year]))
        villages = {v.pk: v for v in self.villages}
        form_rows = [
            (
                village_id,
                person_id,
                "Pemohon sintetis",
                self.person_niks[index],
                self.household_numbers[self.person_household[index]],
                "Dusun 1",
                "001",
                "001",
                "Buruh tani",
                5,
                2,
                2,
                2,
                3,
                3,
                900000,
                2000000,
                2,
                14,
                FormStatus.ISSUED,
                self.operators[village_id].pk,
            )
            for village_id, person_id, index, _, _ in forms
        ]
        form_ids = insert(
            VerificationForm,
            [
                "village_id",
                "person_id",
                "applicant_name",
                "nik",
                "kk_number",
                "dusun",
                "rt",
                "rw",
                "occupation",
                "dependants_count",
                "dependants",
                "ownership",
                "wall",
                "floor",
                "lighting",
                "monthly_income",
                "minimum_wage",
                "income",
                "total_score",
                "status",
                "created_by_id",
            ],
            form_rows,
        )
        letter_rows = [
            (
                form_id,
                village_id,
                person_id,
                issued.year,
                sequence,
                letter_number(sequence, villages[village_id], issued),
                issued,
                add_months(issued, 3),
                self.heads[village_id].pk,
                "Kepala Sintetis",
                villages[village_id].head_title,
                secrets.token_urlsafe(16),
            )
            for form_id, (village_id, person_id, _, issued, sequence) in zip(
                form_ids, forms, strict=True
            )
        ]
        insert(
            Letter,
            [
                "form_id",
                "village_id",
                "person_id",
                "year",
                "sequence",
                "number",
                "issued_on",
                "valid_until",
                "issued_by_id",
                "signer_name",
                "signer_title",
                "token",
            ],
            letter_rows,
        )
        LetterSequence.objects.bulk_create(
            LetterSequence(village_id=village_id, year=year, last=last)
            for (village_id, year), last in sequences.items()
        )

    def billing(self):
        """This month's BPJS list with known numbers of each reconciliation category."""
        self.planted = BillingPlanter(self, self.billing_rows, self.billing_file).run()

    def population_events(self):
        """This month's Dukcapil extract with known numbers of each case."""
        self.planted_events = EventPlanter(self, self.events, self.events_file).run()

    def dtsen(self):
        """This month's DTSEN period, on an earlier one, with known numbers of each case."""
        self.planted_dtsen = ListingPlanter(self, self.dtsen_rows, self.dtsen_file).run()

    def waiting(self):
        """This month's Usulan, sent and waiting for the Tim Verifikasi: ten residents who are
        not participants per village, proposed on ground c.1."""
        participants = {person_id for person_id, *_ in self.entries}
        candidates = defaultdict(list)
        self.waiting_people = []
        for index, person_id in enumerate(self.person_ids):
            village_id = self.person_village[index]
            if person_id not in participants and len(candidates[village_id]) < 10:
                candidates[village_id].append(person_id)
                self.waiting_people.append(index)
        ids = insert(
            Proposal,
            [
                "village_id",
                "month",
                "status",
                "created_by_id",
                "submitted_at",
                "submitted_by_id",
                "signed_place",
                "signer_name",
            ],
            [
                (
                    v.pk,
                    add_months(self.this_month, 1),
                    ProposalStatus.SUBMITTED,
                    self.operators[v.pk].pk,
                    self.moment(self.months - 1, 2),
                    self.heads[v.pk].pk,
                    v.name,
                    "Kepala Sintetis",
                )
                for v in self.villages
            ],
        )
        evidence = self.evidence(Ground.DTKS, self.this_month)
        insert(
            ProposalItem,
            ["proposal_id", "person_id", "kind", "ground", "evidence", "faskes_id", "added_by_id"],
            [
                (
                    proposal_id,
                    person_id,
                    Kind.ADDITION,
                    Ground.DTKS,
                    evidence,
                    self.faskes.get(v.district_id),
                    self.operators[v.pk].pk,
                )
                for proposal_id, v in zip(ids, self.villages, strict=True)
                for person_id in candidates[v.pk]
            ],
        )
