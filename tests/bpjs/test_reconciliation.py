"""The reconciliation of a month (issue 17 §4): each case puts one person in one category with
its Rupiah; the totals; the scope of each reader; recording the matched people's cards."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bpjs import reconciliation as recon
from bpjs import services
from bpjs.models import BillingFile, BillingRow, Record, Source, Status
from enrollment import services as ledger
from enrollment.models import Ground
from people.models import EventKind, PopulationEvent, PopulationExtract
from regions.models import PremiumRate, Village
from regions.months import add_months
from tests.builders import (
    DTKS_EVIDENCE,
    VILLAGE_A,
    VILLAGE_B,
    enrolled,
    removed,
    resident,
    this_month,
)
from tests.factories import faskes, village

pytestmark = pytest.mark.django_db

RATE = Decimal(42000)
SEGMENT = "PBPU Pemda"
OUTSIDER_NIK = "3302010101800001"  # Banyumas: no resident of the kabupaten
_cards = iter(range(1, 10_000))


def card():
    return f"{next(_cards):013d}"


@pytest.fixture(autouse=True)
def premium(db):
    return PremiumRate.objects.create(valid_from=datetime.date(2020, 1, 1), amount=RATE)


def month():
    return this_month()


def earlier():
    return add_months(this_month(), -2)


def bill(actor, *rows, month=None, version=1):
    """A BPJS list of the month; each row (person or a dict of its fields) billed aktif."""
    billing_file = BillingFile.objects.create(
        month=month or this_month(),
        version=version,
        filename="data.csv",
        digest=f"uji-{version}",
        rows=len(rows),
        layout="uji",
        imported_by=actor,
    )
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            row = {"person": row}
        person = row.pop("person", None)
        fields = {
            "card_number": card(),
            "nik": person.nik if person else OUTSIDER_NIK,
            "name": person.name if person else "Orang Luar",
            "tmt": earlier(),
            "status": Status.ACTIVE,
            "status_text": "AKTIF",
            "segment": SEGMENT,
            **row,
        }
        BillingRow.objects.create(file=billing_file, row_number=number, person=person, **fields)
    return billing_file


def participant(actor, code=VILLAGE_A):
    return enrolled(actor, code, month=earlier())


def only(result, person=None, nik=None):
    found = [
        item
        for item in result.items
        if (person is not None and item.person_id == person.pk) or (nik and item.nik == nik)
    ]
    assert len(found) == 1, found
    return found[0]


def reconcile(actor, area=None):
    return recon.reconciliation(actor=actor, month=month(), area=area)


# Billed people, by category: (how the person is made) -> (category, words of the reason).


def matched(actor):
    person = participant(actor)
    return person, [person]


def never_in_ledger(actor):
    person = resident()
    return person, [person]


def removed_duplicate(actor):
    person, twin = participant(actor), participant(actor)
    removed(actor, person, month(), ground=Ground.SEGMENT, evidence=SEGMENT_EVIDENCE)
    return person, [person, twin]


def died(actor):
    person = participant(actor)
    removed(actor, person, month(), ground=Ground.DIED, evidence=DEATH)
    return person, [person]


def moved_out(actor):
    person = participant(actor)
    removed(actor, person, add_months(month(), -1))
    return person, [person]


def dead_by_dukcapil(actor):
    """Dukcapil's extract records the death last month; the removal is not in the ledger yet."""
    person = participant(actor)
    extract = PopulationExtract.objects.create(
        period=add_months(month(), -1),
        filename="peristiwa.csv",
        digest="0" * 64,
        rows=1,
        layout="Ekstrak Dukcapil",
        imported_by=actor,
    )
    PopulationEvent.objects.create(
        extract=extract,
        row_number=1,
        kind=EventKind.DIED,
        nik=person.nik,
        occurred_on=month() - datetime.timedelta(days=3),
        person=person,
    )
    return person, [person]


def billed_twice(actor):
    person, other = participant(actor), participant(actor)
    shared = card()
    return person, [
        {"person": person, "card_number": shared},
        {"person": other, "card_number": shared},
    ]


def another_segment(actor):
    person = participant(actor)
    return person, [{"person": person, "segment": "PBI APBN"}]


def another_card(actor):
    person = participant(actor)
    services.bpjs_record(
        actor=actor,
        person=person,
        status=Status.ACTIVE,
        source_date=earlier(),
        card_number=card(),
        tmt=earlier(),
        source=Source.BPJS_FILE,
    )
    return person, [person]


SEGMENT_EVIDENCE = {"segment": "pbi_apbn", "since": "2026-01-01"}
DEATH = {"death_date": "2026-01-14", "death_certificate": "AKM-1"}

BILLED_CASES = [
    (matched, recon.Category.MATCHED, "peserta dan ditagih", True),
    (never_in_ledger, recon.Category.NOT_PARTICIPANT, "tidak pernah", False),
    (removed_duplicate, recon.Category.NOT_PARTICIPANT, "dihapus berlaku", False),
    (died, recon.Category.DEAD_OR_MOVED, "meninggal dunia", False),
    (moved_out, recon.Category.DEAD_OR_MOVED, "pindah keluar daerah", False),
    (dead_by_dukcapil, recon.Category.DEAD_OR_MOVED, "menurut Dukcapil", True),
    (billed_twice, recon.Category.DOUBLE, "ditagih dua kali", True),
    (another_segment, recon.Category.DOUBLE, "segmen PBI APBN", True),
    (another_card, recon.Category.DOUBLE, "juga tercatat dengan No. Kartu", True),
]


@pytest.mark.parametrize(
    ("make", "category", "reason", "is_participant"),
    BILLED_CASES,
    ids=[case[0].__name__ for case in BILLED_CASES],
)
def test_a_billed_person_lands_in_one_category_with_its_rupiah(
    verifier, make, category, reason, is_participant
):
    person, rows = make(verifier)
    bill(verifier, *rows)
    result = reconcile(verifier)
    item = only(result, person)
    assert (item.category, item.is_billed, item.is_participant) == (
        category,
        True,
        is_participant,
    )
    assert reason in item.reason
    row = next(row for row in result.rows() if row["key"] == category)
    assert row["bill_amount"] == RATE * row["billed"]
    assert row["difference"] == RATE * (row["billed"] - row["participants"])


def test_a_resident_of_another_kabupaten_is_billed_but_no_participant(verifier):
    bill(verifier, {"nik": OUTSIDER_NIK})
    item = only(reconcile(verifier), nik=OUTSIDER_NIK)
    assert item.category == recon.Category.NOT_PARTICIPANT
    assert "daerah lain" in item.reason
    assert item.person_id is None


def sent(actor, person, tmt, status=Status.SENT):
    services.bpjs_record(actor=actor, person=person, status=status, source_date=earlier(), tmt=tmt)


NOT_BILLED_CASES = [
    ("never_sent", lambda actor, person: None, "belum pernah dikirim"),
    (
        "awaiting_tmt",
        lambda actor, person: sent(actor, person, add_months(month(), 1)),
        "menunggu aktivasi",
    ),
    ("past_tmt", lambda actor, person: sent(actor, person, earlier()), "melewati TMT"),
    (
        "refused",
        lambda actor, person: sent(actor, person, None, Status.INACTIVE),
        "ditolak",
    ),
]


@pytest.mark.parametrize(
    ("history", "reason"),
    [case[1:] for case in NOT_BILLED_CASES],
    ids=[case[0] for case in NOT_BILLED_CASES],
)
def test_a_participant_not_billed_says_why(verifier, history, reason):
    person = participant(verifier)
    history(verifier, person)
    bill(verifier, participant(verifier))
    result = reconcile(verifier)
    item = only(result, person)
    assert (item.category, item.is_billed, item.is_participant) == (
        recon.Category.NOT_BILLED,
        False,
        True,
    )
    assert reason in item.reason
    row = next(row for row in result.rows() if row["key"] == recon.Category.NOT_BILLED)
    assert (row["count"], row["ledger_amount"], row["difference"]) == (1, RATE, -RATE)


def test_a_row_bpjs_marks_nonaktif_is_not_billed(verifier):
    person = participant(verifier)
    bill(verifier, {"person": person, "status": Status.INACTIVE, "status_text": "NON AKTIF"})
    result = reconcile(verifier)
    item = only(result, person)
    assert item.category == recon.Category.NOT_BILLED and "nonaktif" in item.reason
    assert result.billed == 0


def born(person, day=datetime.date(1980, 5, 5)):
    person.birth_date = day
    person.save()
    return person


def test_a_participant_billed_under_another_nik_is_one_mismatch_candidate(verifier):
    person = born(participant(verifier))
    bill(
        verifier,
        {"nik": OUTSIDER_NIK, "name": person.name.upper(), "birth_date": person.birth_date},
    )
    result = reconcile(verifier)
    item = only(result, person)
    assert item.category == recon.Category.NIK_MISMATCH
    assert (item.billed_nik, item.is_billed, item.is_participant) == (OUTSIDER_NIK, True, True)
    assert len(result.items) == 1
    assert result.difference == 0


def test_same_name_with_another_birth_date_is_no_candidate(verifier):
    person = born(participant(verifier))
    other_day = person.birth_date + datetime.timedelta(days=1)
    bill(verifier, {"nik": OUTSIDER_NIK, "name": person.name, "birth_date": other_day})
    result = reconcile(verifier)
    assert only(result, person).category == recon.Category.NOT_BILLED
    assert only(result, nik=OUTSIDER_NIK).category == recon.Category.NOT_PARTICIPANT


def test_totals_are_the_bill_the_ledger_and_their_difference(verifier):
    paid, unpaid = participant(verifier), participant(verifier)
    bill(verifier, paid, resident(), {"nik": OUTSIDER_NIK})
    result = reconcile(verifier)
    assert (result.billed, result.participants) == (3, 2)
    assert result.bill_amount == 3 * RATE
    assert result.ledger_amount == 2 * RATE
    assert result.difference == RATE
    assert sum(row["difference"] for row in result.rows()) == result.difference
    assert only(result, unpaid).category == recon.Category.NOT_BILLED


def test_the_latest_version_of_the_month_is_reconciled(verifier):
    person = participant(verifier)
    bill(verifier, resident(), version=1)
    bill(verifier, person, version=2)
    result = reconcile(verifier)
    assert [item.category for item in result.items] == [recon.Category.MATCHED]


def test_a_month_without_a_list_has_every_participant_not_billed(verifier):
    person = participant(verifier)
    result = reconcile(verifier)
    assert result.billing_file is None
    assert only(result, person).category == recon.Category.NOT_BILLED


def test_without_a_premium_rate_the_amounts_are_unknown(verifier):
    PremiumRate.objects.all().delete()
    bill(verifier, participant(verifier))
    result = reconcile(verifier)
    assert result.rate is None and result.difference is None


def test_a_participant_of_an_earlier_spell_counts_for_that_month(verifier):
    """The projection holds the latest spell; an earlier one is asked of the ledger."""
    person = participant(verifier)
    removed(verifier, person, add_months(month(), -1))
    ledger.participant_add(
        actor=verifier,
        person=person,
        ground=Ground.DTKS,
        effective_month=month(),
        evidence=DTKS_EVIDENCE,
        faskes=faskes(VILLAGE_A),
    )
    result = recon.reconciliation(actor=verifier, month=add_months(month(), -2))
    assert only(result, person).category == recon.Category.NOT_BILLED
    result = recon.reconciliation(actor=verifier, month=add_months(month(), -1))
    assert result.items == []


def test_the_query_count_does_not_grow_with_the_people(verifier):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            reconcile(verifier)
        return len(captured)

    bill(verifier, participant(verifier), resident())
    few = queries()
    bill(
        verifier,
        *[participant(verifier) for _ in range(4)],
        *[resident() for _ in range(3)],
        {"nik": OUTSIDER_NIK},
        version=2,
    )
    participant(verifier)
    assert queries() == few


# Who reads which part


def test_a_village_reads_its_own_people_only(verifier, operator_a, operator_b):
    mine, theirs = participant(verifier), participant(verifier, VILLAGE_B)
    bill(verifier, mine, theirs, {"nik": OUTSIDER_NIK})
    result = reconcile(operator_a)
    assert {item.person_id for item in result.items} == {mine.pk}
    assert {item.person_id for item in reconcile(operator_b).items} == {theirs.pk}


def test_the_camat_reads_the_district_and_a_filter_narrows_it(verifier, panewu_a):
    mine, theirs = participant(verifier), participant(verifier, VILLAGE_B)
    bill(verifier, mine, theirs)
    assert {item.person_id for item in reconcile(panewu_a).items} == {mine.pk}
    assert reconcile(verifier, area=village(VILLAGE_B)).items[0].person_id == theirs.pk
    assert {i.person_id for i in reconcile(verifier, area=village(VILLAGE_A).district).items} == {
        mine.pk
    }


def test_agency_staff_read_the_kabupaten_totals(verifier, agency_staff):
    bill(verifier, participant(verifier), participant(verifier, VILLAGE_B), {"nik": OUTSIDER_NIK})
    assert reconcile(agency_staff).billed == 3


def test_a_role_that_reads_no_bpjs_data_is_refused(dukcapil):
    with pytest.raises(PermissionDenied):
        reconcile(dukcapil)


# Recording the matched people's cards


def test_the_matched_get_their_card_and_tmt_recorded_once(verifier):
    person, stranger = participant(verifier), resident()
    billing_file = bill(verifier, person, stranger)
    row = billing_file.lines.get(person=person)
    assert not Record.objects.exists()  # reading records nothing
    count = recon.reconciliation_record_cards(actor=verifier, month=month())
    assert count == 1
    record = Record.objects.get()
    assert (record.person, record.card_number, record.tmt) == (person, row.card_number, row.tmt)
    assert (record.status, record.source) == (Status.ACTIVE, Source.BPJS_FILE)
    assert recon.reconciliation_record_cards(actor=verifier, month=month()) == 0
    assert Record.objects.count() == 1


def test_only_the_team_records_cards(verifier, panewu_a):
    bill(verifier, participant(verifier))
    with pytest.raises(PermissionDenied):
        recon.reconciliation_record_cards(actor=panewu_a, month=month())
    assert not Record.objects.exists()


def test_the_bill_of_a_month_is_the_reconciliations_billed_count(verifier):
    bill(
        verifier,
        participant(verifier),
        participant(verifier, VILLAGE_B),
        {"nik": OUTSIDER_NIK},
        {"person": participant(verifier), "status": Status.INACTIVE, "status_text": "NONAKTIF"},
    )
    whole = recon.bill_of(month=month())
    assert (whole.billed, whole.amount) == (3, 3 * RATE)
    assert whole.billed == reconcile(verifier).billed
    village_a = recon.bill_of(month=month(), villages=Village.objects.filter(code=VILLAGE_A))
    assert village_a.billed == 1
    assert recon.bill_of(month=add_months(month(), -1)).amount is None  # no list that month
