"""Plain builders and constants shared by the test modules: the objects a test starts from,
built through the services. Fixtures stay in the conftest.py files; factories in factories.py."""

import datetime
import itertools
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from enrollment import services as ledger
from enrollment.models import Ground, Kind, LedgerEntry, Participation
from enrollment.participation import active_people, current_participants
from people.services import person_record
from regions.months import month_start
from tests.factories import HouseholdFactory, PersonFactory, faskes, village
from verification import services as proposal_services
from verification.models import ProposalItem

# Areas and personas: two villages in two different kapanewon of Kulon Progo, so that every
# protected view can be tried from another area.
VILLAGE_A = "34.01.01.2001"  # Kalurahan Jangkaran, Kapanewon Temon
VILLAGE_A2 = "34.01.01.2002"  # Kalurahan Sindutan, also Temon
VILLAGE_B = "34.01.02.2001"  # Kapanewon Wates
KULON_PROGO = "34.01"

PERSONAS = [
    "operator_a",
    "lurah_a",
    "operator_b",
    "panewu_a",
    "verifier",
    "dukcapil",
    "agency_staff",
    "leadership",
    "admin_user",
]


# people
NIK = "3401015203850001"
KK = "3401010000001234"


def record(actor, **overrides):
    fields = {
        "actor": actor,
        "village": village(VILLAGE_A),
        "nik": NIK,
        "name": "Sri Wahyuni",
        "kk_number": KK,
        "dusun": "Padukuhan I",
        "rt": "001",
        "rw": "002",
        **overrides,
    }
    return person_record(**fields)


# sktm
# Scores: dependants 7 → 3, contract → 2, not brick → 2, earth floor → 3, 450 KWH → 3,
# income under UMK → 2: total 15. POOR_9 scores 9.
POOR_15 = {
    "applicant_name": "Sri Wahyuni",
    "nik": "3401015201850003",
    "kk_number": "3401010101100001",
    "birth_place": "Kulon Progo",
    "birth_date": None,
    "sex": "P",
    "dusun": "Kepek",
    "rt": "2",
    "rw": "1",
    "occupation": "Buruh tani",
    "phone": "081234567890",
    "dependants_count": 7,
    "ownership": 2,
    "wall": 2,
    "floor": 3,
    "lighting": 3,
    "monthly_income": 900000,
}
NOT_POOR_9 = {
    **POOR_15,
    "applicant_name": "Bambang",
    "nik": "3401011203800004",
    "sex": "L",
    "dependants_count": 3,
    "ownership": 1,
    "wall": 1,
    "floor": 2,
    "lighting": 2,
    "monthly_income": 1000000,
}


def post_data(data):
    return {k: ("" if v is None else v) for k, v in data.items()}


# enrollment
JAN = datetime.date(2026, 1, 1)
FEB, MAR = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
# Pasal 5 ayat (4) c: no other cover, domiciled as the KTP and KK show.
DECLARATION = {"has_other_cover": False, "domicile_document": "KTP dan KK"}
DTKS_EVIDENCE = {
    **DECLARATION,
    "source": "DTSEN",
    "dtks_id": "DTSEN-3401-000123",
    "desil": 2,
    "data_period": "2025-Q4",
    "checked_on": "2025-12-15",
}
VALIDATION = {
    "validated_by": "dukcapil",
    "validated_on": datetime.date(2026, 3, 2),
    "validated_against": "Data SIAK Disdukcapil per 1 Maret 2026",
}
MOVED_OUT = {"destination": "Kota Surakarta", "moved_on": "2026-02-20"}
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample" / "peserta_contoh.csv"


def enroll(actor, person):
    """Adds `person` on ground c.1 (DTSEN) from January 2026, at a faskes of their kapanewon."""
    return ledger.participant_add(
        actor=actor,
        person=person,
        ground=Ground.DTKS,
        effective_month=JAN,
        evidence=DTKS_EVIDENCE,
        faskes=faskes(person.household.village.code),
    )


def add(actor, person, ground, **kwargs):
    if ground != Ground.OPENING:
        kwargs.setdefault("faskes", faskes())
    if ground == Ground.FAMILY:
        kwargs.setdefault("evidence", {"has_other_cover": False})
    if ground == Ground.SKTM:
        kwargs.setdefault("evidence", DECLARATION)
    return ledger.participant_add(
        actor=actor,
        person=person,
        ground=ground,
        effective_month=kwargs.pop("month", FEB),
        **kwargs,
    )


def remove(actor, person, ground, **kwargs):
    return ledger.participant_remove(
        actor=actor,
        person=person,
        ground=ground,
        effective_month=kwargs.pop("month", MAR),
        **{**VALIDATION, **kwargs},
    )


def upload(client, content, name="peserta.csv"):
    """Uploads a file and follows to the preview job's page."""
    return client.post(
        reverse("enrollment:import_participants"),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def assert_projection_matches_ledger():
    """For every person with entries, the projection answers as the ledger does, on every date
    it covers: from the end of the person's previous spell on (today included when it is); and
    it holds their household's village. A few queries, whatever the number of people: the
    ledger and the projection are read once, and their own queries asked for today."""
    entries = list(
        LedgerEntry.objects.order_by("person_id", "sequence").values_list(
            "person_id", "kind", "ground", "effective_month"
        )
    )
    if not entries:
        assert not Participation.objects.exists(), "a projection without entries"
        return
    today = timezone.localdate()
    spells = {
        person_id: (since, until, village_id, household_village_id)
        for person_id, since, until, village_id, household_village_id in (
            Participation.objects.values_list(
                "person_id", "since", "until", "village_id", "person__household__village_id"
            )
        )
    }
    people, active_today, covered_today = set(), set(), set()
    for person_id, rows in itertools.groupby(entries, key=lambda row: row[0]):
        rows = list(rows)
        people.add(person_id)
        assert person_id in spells, f"person {person_id} has entries but no projection"
        since, until, village_id, household_village_id = spells[person_id]
        assert village_id == household_village_id, person_id
        additions = [
            i
            for i, (_, kind, ground, _) in enumerate(rows)
            if kind == Kind.ADDITION and ground != Ground.CORRECTION
        ]
        start = rows[additions[-1] - 1][3] if additions[-1] else datetime.date.min
        dates = {month for *_, month in rows if month >= start}
        dates |= {datetime.date.max} | ({today} if today >= start else set())
        for on in dates:
            projected = since <= on and (until is None or until > on)
            assert projected == active_on(rows, on), (person_id, on)
        if active_on(rows, today):
            active_today.add(person_id)
        if today >= start:
            covered_today.add(person_id)
    assert people == set(spells), "a projection without entries"
    # The ledger's and the projection's own queries give the same answers for today.
    assert set(active_people(today).values_list("pk", flat=True)) == active_today
    listed = set(current_participants(on=today).values_list("pk", flat=True))
    assert listed & covered_today == active_today & covered_today


def active_on(rows, on):
    """Whether the person's latest entry in force on `on` is an addition."""
    in_force = [kind for _, kind, _, month in rows if month <= on]
    return bool(in_force) and in_force[-1] == Kind.ADDITION


# verification
LONG_AGO = datetime.date(2020, 5, 1)
DTKS_FORM_EVIDENCE = {**DTKS_EVIDENCE, "has_other_cover": False}
NEW_RESIDENT = {
    "ground": "add_c1",
    "nik": "3401014405900002",
    "name": "Tumini",
    "kk_number": "3401010203040005",
    "birth_place": "Kulon Progo",
    "birth_date": "1990-05-04",
    "sex": "P",
    "relationship": "3",
    "marital_status": "2",
    "occupation": "Buruh harian lepas",
    "dusun": "Kepek",
    "rt": "3",
    "rw": "1",
    "domicile_since": "2015-01-01",
    "domicile_document": "KTP dan KK",
    "no_other_cover": "on",
    "dtks_source": "DTSEN",
    "dtks_id": "DTSEN-3401-77",
    "desil": "1",
    "data_period": "2025-Q4",
    "checked_on": "2026-11-02",
}


def this_month():
    return month_start(timezone.localdate())


def dtks_item(person, **fields):
    """An unsaved proposal of `person` on ground c.1 (DTSEN), at a faskes of their kapanewon."""
    fields.setdefault("faskes", faskes(person.household.village.code))
    return ProposalItem(
        person=person,
        kind=Kind.ADDITION,
        ground=Ground.DTKS,
        evidence=DTKS_FORM_EVIDENCE,
        **fields,
    )


def propose(actor, proposal, person, **fields):
    return proposal_services.item_add(
        actor=actor, proposal=proposal, item=dtks_item(person, **fields)
    )


def faskes_id():
    return village("34.01.01.2001").district.health_facilities.first().pk


# oversight
def resident(code=VILLAGE_A):
    return PersonFactory(
        household=HouseholdFactory(village=village(code)),
        domicile_since=datetime.date(2015, 1, 1),
    )


def enrolled(actor, code=VILLAGE_A, month=None):
    """A resident of village `code` added on ground c.1 from `month` (default this month)."""
    person = resident(code)
    ledger.participant_add(
        actor=actor,
        person=person,
        ground=Ground.DTKS,
        effective_month=month or month_start(timezone.localdate()),
        evidence=DTKS_EVIDENCE,
        faskes=faskes(code),
    )
    return person


def removed(actor, person, month, ground=Ground.MOVED_OUT, evidence=MOVED_OUT):
    return ledger.participant_remove(
        actor=actor,
        person=person,
        ground=ground,
        effective_month=month,
        evidence=evidence,
        validated_by="dukcapil",
        validated_on=timezone.localdate(),
        validated_against="Data SIAK",
    )


# instructions: Karanganyar, two kecamatan and villages in each
KARANGANYAR = "33.13"
JATIPURO = "33.13.01"
JATIYOSO = "33.13.02"
NGEPUNGSARI = "33.13.01.2001"  # Desa Ngepungsari, Kecamatan Jatipuro
JATIPURWO = "33.13.01.2002"  # also Jatipuro
JATISAWIT = "33.13.02.2001"  # Kecamatan Jatiyoso
Q1 = datetime.date(2026, 1, 1)
Q2 = datetime.date(2026, 4, 1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def line_input(report, **values):
    """What the edit form would pass to report_update: every line unchanged but `values`."""
    return {
        line.pk: {
            "status": line.status,
            "narrative": line.narrative,
            "figure": line.figure,
            "figure_unit": line.figure_unit,
            "upload": None,
            **values,
        }
        for line in report.lines.all()
    }


def edit_data(report, line=None, upload=None, **values):
    """The edit form's POST: every line as it is, `values` and `upload` on `line`."""
    data = {}
    for each in report.lines.all():
        prefix = f"line-{each.pk}"
        data |= {
            f"{prefix}-status": each.status,
            f"{prefix}-narrative": each.narrative,
            f"{prefix}-figure": "" if each.figure is None else str(each.figure),
            f"{prefix}-figure_unit": each.figure_unit,
        }
        if each == line:
            data |= {f"{prefix}-{key}": value for key, value in values.items()}
            if upload is not None:
                data[f"{prefix}-upload"] = upload
    return data


# jobs: workers run as subprocesses against the test database
TIMEOUT = 60


def database_url():
    """The test database, as the worker's DATABASE_URL."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
