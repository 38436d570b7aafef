"""Dukcapil's extract imported: each kind of event's effect through the owning service, the
ayat (3) validation recorded, idempotence, append-only, roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from enrollment.models import Ground, Kind, LedgerEntry, Participation, Validator
from feeds import services
from feeds.models import Finding, FindingKind, FindingStatus
from people.models import (
    EventKind,
    HouseholdChange,
    PersonChange,
    PopulationEvent,
    PopulationExtract,
)
from tests.builders import VILLAGE_A, VILLAGE_A2, enrolled, propose, resident, this_month
from tests.factories import village
from tests.feeds.conftest import (
    died,
    extract,
    identity_changed,
    imported,
    moved_out,
    moved_within,
    today,
)
from verification import services as proposal_services
from verification.models import ProposalItem

pytestmark = pytest.mark.django_db

UNKNOWN_NIK = "3401015506900009"


def test_a_death_of_a_participant_becomes_a_validated_removal_for_the_team(verifier, dukcapil):
    person = enrolled(verifier)
    saved = imported(dukcapil, extract(died(person.nik)), filename="kematian.csv")
    finding = Finding.objects.get()
    assert finding.kind == FindingKind.REMOVAL and finding.status == FindingStatus.OPEN
    assert finding.village == person.household.village and finding.month == this_month()
    assert finding.ground == Ground.DIED
    assert finding.evidence == {
        "death_date": today().isoformat(),
        "death_certificate": "3401-KM-01122026-0001",
    }
    # Pasal 5 ayat (3): validated by the importing Dukcapil user, against the extract.
    assert finding.validated_by == dukcapil and finding.validated_on == today()
    assert "kematian.csv" in finding.validated_against
    assert f"{this_month():%m-%Y}" in finding.validated_against
    assert saved.events.get().person == person
    # Nothing enters the ledger before the Tim Verifikasi decides.
    assert not LedgerEntry.objects.filter(person=person, kind=Kind.REMOVAL).exists()


def test_the_team_approves_in_bulk_and_the_removals_enter_the_ledger(verifier, dukcapil):
    first, second = enrolled(verifier), enrolled(verifier, VILLAGE_A2)
    imported(dukcapil, extract(died(first.nik), moved_out(second.nik)))
    assert services.findings_approve(actor=verifier, findings=Finding.objects.all()) == 2
    for person, ground in ((first, Ground.DIED), (second, Ground.MOVED_OUT)):
        entry = LedgerEntry.objects.get(person=person, kind=Kind.REMOVAL)
        assert entry.ground == ground
        assert entry.validated_by == Validator.DUKCAPIL and entry.validated_on == today()
        assert "peristiwa.csv" in entry.validated_against
        assert Participation.objects.get(person=person).until is not None
        finding = Finding.objects.get(person=person)
        assert finding.status == FindingStatus.APPROVED and finding.decided_by == verifier
        # The same path as a removal the team found itself: its village's Dinas Sosial record.
        assert finding.proposal_item.ledger_entry == entry
        assert finding.proposal_item.proposal.village == person.household.village
    moved = LedgerEntry.objects.get(person=second, kind=Kind.REMOVAL)
    assert moved.evidence["destination"] == "Kota Surakarta"


def test_a_bulk_approval_is_all_or_nothing(verifier, dukcapil, operator_a):
    first, second = enrolled(verifier), enrolled(verifier)
    imported(dukcapil, extract(died(first.nik), died(second.nik, akta="AKTA-2")))
    # The second is in an open Usulan by now: removal_found refuses it, so neither is recorded.
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    ProposalItem.objects.create(
        proposal=proposal,
        person=second,
        kind=Kind.REMOVAL,
        ground=Ground.DIED,
        evidence={"death_date": "2026-01-01", "death_certificate": "X"},
        added_by=proposal.created_by,
    )
    with pytest.raises(ValidationError, match=second.name):
        services.findings_approve(actor=verifier, findings=Finding.objects.all())
    assert not LedgerEntry.objects.filter(kind=Kind.REMOVAL).exists()
    assert Finding.objects.filter(status=FindingStatus.OPEN).count() == 2


def test_the_team_rejects_with_a_reason_and_nothing_enters_the_ledger(verifier, dukcapil):
    person = enrolled(verifier)
    imported(dukcapil, extract(died(person.nik)))
    with pytest.raises(ValidationError, match="alasan"):
        services.findings_reject(actor=verifier, findings=Finding.objects.all(), reason=" ")
    services.findings_reject(
        actor=verifier, findings=Finding.objects.all(), reason="NIK keliru di SIAK"
    )
    finding = Finding.objects.get()
    assert finding.status == FindingStatus.REJECTED and finding.reason_text == "NIK keliru di SIAK"
    assert not LedgerEntry.objects.filter(kind=Kind.REMOVAL).exists()
    with pytest.raises(ValidationError, match="ditolak"):
        services.findings_approve(actor=verifier, findings=[finding])


def test_only_the_team_decides(dukcapil, verifier, operator_a):
    person = enrolled(verifier)
    imported(dukcapil, extract(died(person.nik)))
    for actor in (dukcapil, operator_a):
        with pytest.raises(PermissionDenied):
            services.findings_approve(actor=actor, findings=Finding.objects.all())
    assert Finding.objects.get().is_open


def test_a_death_of_a_resident_who_is_not_a_participant_proposes_nothing(dukcapil):
    person = resident()
    imported(dukcapil, extract(died(person.nik)))
    assert PopulationEvent.objects.get().person == person
    assert not Finding.objects.exists()


def test_an_unknown_nik_is_kept_unmatched_and_counted(dukcapil, verifier):
    person = enrolled(verifier)
    saved = imported(dukcapil, extract(died(UNKNOWN_NIK), died(person.nik, akta="A2")))
    assert saved.rows == 2
    assert PopulationEvent.objects.get(nik=UNKNOWN_NIK).person is None
    assert Finding.objects.get().person == person


def test_a_move_within_by_the_admin_moves_the_household_with_history(verifier, admin_user):
    person = enrolled(verifier)
    imported(admin_user, extract(moved_within(person.nik, VILLAGE_A2.replace(".", ""))))
    person.refresh_from_db()
    assert person.household.village.code == VILLAGE_A2
    assert (person.household.dusun, person.household.rt) == ("Ngringin", "002")
    assert HouseholdChange.objects.filter(household=person.household, field="village").exists()
    # The participant follows: the participation's village and the village's lists.
    assert Participation.objects.get(person=person).village.code == VILLAGE_A2
    assert Finding.objects.get().status == FindingStatus.DONE


def test_a_move_imported_by_dukcapil_moves_the_household_with_its_participant(verifier, dukcapil):
    person = enrolled(verifier)
    imported(dukcapil, extract(moved_within(person.nik, VILLAGE_A2)))
    assert not Finding.objects.get(kind=FindingKind.MOVE).is_open
    person.refresh_from_db()
    assert person.household.village.code == VILLAGE_A2
    assert Participation.objects.get(person=person).village == village(VILLAGE_A2)


def test_a_nik_change_keeps_the_ledger_on_the_same_person(verifier, dukcapil):
    person = enrolled(verifier)
    old_nik, new_nik = person.nik, "3401015506900123"
    imported(dukcapil, extract(identity_changed(old_nik, new_nik=new_nik)))
    person.refresh_from_db()
    assert person.nik == new_nik
    change = PersonChange.objects.get(person=person, field="nik")
    assert (change.old_value, change.new_value, change.changed_by) == (old_nik, new_nik, dukcapil)
    assert LedgerEntry.objects.get(person__nik=new_nik).person == person


def test_a_kk_change_moves_the_person_to_that_household(verifier, dukcapil):
    person = enrolled(verifier)
    old = person.household
    imported(dukcapil, extract(identity_changed(person.nik, new_kk="3401010000009999")))
    person.refresh_from_db()
    assert person.household.number == "3401010000009999"
    assert person.household.village == old.village
    assert PersonChange.objects.get(person=person, field="household").old_value == old.number


def test_a_death_is_flagged_to_the_village_of_an_open_usulan_and_sktm_form(
    verifier, dukcapil, operator_a, submitted_form
):
    person = resident()
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    person.relationship, person.marital_status = 1, 1
    person.save()
    propose(operator_a, proposal, person)
    applicant = submitted_form.person
    imported(dukcapil, extract(died(person.nik), died(applicant.nik, akta="A2")))
    flags = Finding.objects.filter(kind=FindingKind.FLAG)
    assert flags.get(person=person).note.endswith(f"masih dalam {proposal}")
    assert flags.get(person=applicant).note.endswith("formulir SKTM masih diproses")
    assert set(flags.values_list("village__code", flat=True)) == {VILLAGE_A}
    services.findings_close(actor=operator_a, findings=list(flags))
    assert not Finding.objects.filter(kind=FindingKind.FLAG, status=FindingStatus.OPEN).exists()


def test_a_death_of_a_mother_whose_newborn_is_proposed_is_flagged(verifier, dukcapil, operator_a):
    mother, baby = enrolled(verifier), resident()
    baby.relationship, baby.marital_status = 4, 1
    baby.save()
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    ProposalItem.objects.create(
        proposal=proposal,
        person=baby,
        kind=Kind.ADDITION,
        ground=Ground.NEWBORN,
        mother=mother,
        mother_nik=mother.nik,
        added_by=operator_a,
    )
    imported(dukcapil, extract(died(mother.nik)))
    flag = Finding.objects.get(kind=FindingKind.FLAG)
    assert baby.name in flag.note and flag.person == mother
    assert Finding.objects.filter(kind=FindingKind.REMOVAL, person=mother).exists()


def test_the_same_extract_twice_is_saved_once(verifier, dukcapil):
    person = enrolled(verifier)
    content = extract(died(person.nik), died(UNKNOWN_NIK, akta="A2"))
    assert imported(dukcapil, content) is not None
    assert imported(dukcapil, content, filename="lagi.csv") is None
    assert PopulationExtract.objects.count() == 1
    assert PopulationEvent.objects.count() == 2 and Finding.objects.count() == 1


def test_the_same_death_in_a_later_extract_proposes_no_second_removal(verifier, dukcapil):
    person = enrolled(verifier)
    imported(dukcapil, extract(died(person.nik)))
    imported(dukcapil, extract(died(person.nik), died(UNKNOWN_NIK, akta="A2")))
    assert Finding.objects.filter(kind=FindingKind.REMOVAL).count() == 1


def test_only_dukcapil_and_the_admin_import(verifier, operator_a):
    person = enrolled(verifier)
    for actor in (verifier, operator_a):
        with pytest.raises(PermissionDenied, match="Dukcapil"):
            imported(actor, extract(died(person.nik)))
    assert not PopulationExtract.objects.exists()


def test_a_failed_effect_writes_nothing(verifier, dukcapil):
    person, other = enrolled(verifier), resident()
    content = extract(died(person.nik), identity_changed(other.nik, new_kk="1"))
    with pytest.raises(ValidationError):
        imported(dukcapil, content)
    assert not PopulationExtract.objects.exists() and not Finding.objects.exists()


def test_the_model_refuses_to_change_an_event(verifier, dukcapil):
    imported(dukcapil, extract(died(UNKNOWN_NIK)))
    event = PopulationEvent.objects.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        PopulationEvent.objects.update(nik="x")
    assert event.kind == EventKind.DIED


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE people_populationevent SET nik = '1'",
        "DELETE FROM people_populationevent",
        "UPDATE people_populationextract SET rows = 0",
        "TRUNCATE people_populationevent, people_populationextract, feeds_finding",
    ],
)
def test_the_database_refuses_to_change_an_imported_extract(dukcapil, statement):
    if "TRUNCATE" in statement and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    imported(dukcapil, extract(died(UNKNOWN_NIK)))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert PopulationEvent.objects.count() == 1


def test_an_event_is_seen_in_its_residents_area_and_an_unknown_nik_kabupaten_wide(
    verifier, dukcapil, operator_a, operator_b
):
    person = enrolled(verifier)
    imported(dukcapil, extract(died(person.nik), died(UNKNOWN_NIK, akta="A2")))
    assert list(PopulationEvent.objects.visible_to(operator_a)) == [
        PopulationEvent.objects.get(person=person)
    ]
    assert not PopulationEvent.objects.visible_to(operator_b).exists()
    assert PopulationEvent.objects.visible_to(verifier).count() == 2
