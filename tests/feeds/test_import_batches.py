"""Dukcapil's extract acts in batches through the owning services' batch functions: the
outcome is what acting on each event in file order gave, also where one resident or one
household is named by two events, and the queries do not grow with the events."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.models import Ground, Kind, Participation
from feeds.models import Finding, FindingKind, FindingStatus
from people.models import Household, HouseholdChange, Person, PersonChange, PopulationExtract
from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled, resident, this_month
from tests.factories import PersonFactory, village
from tests.feeds.conftest import (
    died,
    extract,
    identity_changed,
    imported,
    moved_out,
    moved_within,
)
from verification import services as proposal_services
from verification.models import ProposalItem

pytestmark = pytest.mark.django_db

NEW_KK = "3401010000009999"


def test_a_kk_change_then_a_move_moves_the_household_the_resident_was_read_in(verifier, dukcapil):
    person = enrolled(verifier)
    old = person.household
    imported(
        dukcapil,
        extract(identity_changed(person.nik, new_kk=NEW_KK), moved_within(person.nik, VILLAGE_A2)),
    )
    person.refresh_from_db()
    old.refresh_from_db()
    # The change opens the new KK where the resident lived; the move then moves the KK the
    # extract found them in, which they have just left.
    assert (person.household.number, person.household.village.code) == (NEW_KK, VILLAGE_A)
    assert old.village.code == VILLAGE_A2
    move = Finding.objects.get(kind=FindingKind.MOVE)
    assert move.village.code == VILLAGE_A and move.status == FindingStatus.DONE
    assert Participation.objects.get(person=person).village.code == VILLAGE_A


def test_a_move_then_a_kk_change_opens_the_new_kk_where_the_resident_moved(verifier, dukcapil):
    person = enrolled(verifier)
    imported(
        dukcapil,
        extract(moved_within(person.nik, VILLAGE_A2), identity_changed(person.nik, new_kk=NEW_KK)),
    )
    person.refresh_from_db()
    assert (person.household.number, person.household.village.code) == (NEW_KK, VILLAGE_A2)
    assert Participation.objects.get(person=person).village.code == VILLAGE_A2


def test_two_members_moving_move_their_household_twice_in_file_order(verifier, dukcapil):
    first = enrolled(verifier)
    second = PersonFactory(household=first.household)
    imported(
        dukcapil,
        extract(
            moved_within(first.nik, VILLAGE_A2, dusun="Ngringin"),
            moved_within(second.nik, VILLAGE_B, dusun="Kauman"),
        ),
    )
    household = Household.objects.get(pk=first.household.pk)
    assert (household.village.code, household.dusun) == (VILLAGE_B, "Kauman")
    a, a2, b = village(VILLAGE_A), village(VILLAGE_A2), village(VILLAGE_B)
    assert sorted(
        household.changes.filter(field="village").values_list("old_value", "new_value")
    ) == [
        (f"{a} ({a.code})", f"{a2} ({a2.code})"),
        (f"{a2} ({a2.code})", f"{b} ({b.code})"),
    ]
    assert Participation.objects.get(person=first).village.code == VILLAGE_B


def test_a_death_and_a_move_of_one_participant_propose_once_and_move(verifier, dukcapil):
    person = enrolled(verifier)
    imported(
        dukcapil,
        extract(
            died(person.nik),
            moved_within(person.nik, VILLAGE_A2),
            moved_out(person.nik),
        ),
    )
    removal = Finding.objects.get(kind=FindingKind.REMOVAL)
    assert removal.ground == Ground.DIED and removal.village.code == VILLAGE_A
    person.refresh_from_db()
    assert person.household.village.code == VILLAGE_A2


def test_two_residents_given_one_new_nik_refuse_the_second_row(verifier, dukcapil):
    first, second = enrolled(verifier), resident()
    content = extract(
        died(first.nik),
        identity_changed(first.nik, new_nik="3401015506900123"),
        identity_changed(second.nik, new_nik="3401015506900123"),
    )
    with pytest.raises(ValidationError, match="Baris 4: NIK baru 3401015506900123 sudah dipakai"):
        imported(dukcapil, content)
    assert not PopulationExtract.objects.exists() and not Finding.objects.exists()
    assert not PersonChange.objects.exists()
    assert not Person.objects.filter(nik="3401015506900123").exists()


def test_a_move_refused_in_a_batch_names_its_row(verifier, dukcapil):
    first, second = enrolled(verifier), enrolled(verifier)
    content = extract(
        moved_within(first.nik, VILLAGE_A2),
        moved_within(second.nik, VILLAGE_A2, dusun="", rt="", rw=""),
    )
    Household.objects.filter(pk=second.household.pk).update(dusun="")
    with pytest.raises(ValidationError, match="Baris 3: .*tidak boleh kosong"):
        imported(dukcapil, content)
    assert not HouseholdChange.objects.exists() and not Finding.objects.exists()


def _extract_of(verifier, operator_a, proposal, size, first):
    """`size` events of each kind that acts: a death and a move out of participants, a death
    in an open Usulan, a move within, a change of NIK; and `size` unknown NIKs."""
    lines = []
    for index in range(size):
        flagged = resident()
        ProposalItem.objects.create(
            proposal=proposal,
            person=flagged,
            kind=Kind.ADDITION,
            ground=Ground.DTKS,
            added_by=operator_a,
        )
        lines += [
            died(enrolled(verifier).nik),
            moved_out(enrolled(verifier).nik),
            died(flagged.nik, akta="A2"),
            moved_within(enrolled(verifier).nik, VILLAGE_A2),
            identity_changed(resident().nik, new_nik=f"34010155069{first + index:05d}"),
            died(f"34010155069{first + 500 + index:05d}"),
        ]
    return extract(*lines)


def test_the_import_asks_no_more_queries_for_more_events(verifier, dukcapil, operator_a):
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    counts = []
    for size, first in ((10, 1), (40, 101)):
        content = _extract_of(verifier, operator_a, proposal, size, first)
        with CaptureQueriesContext(connection) as queries:
            imported(dukcapil, content, filename=f"{size}.csv")
        counts.append(len(queries))
    # Two removals, a flag and a move for each of the 50: a change of NIK makes no finding.
    assert Finding.objects.count() == 4 * 50
    # SQLite takes at most 999 parameters a statement, so its inserts of many rows are cut
    # into a few statements more; PostgreSQL's are not.
    assert counts[1] <= counts[0] + (8 if connection.vendor == "sqlite" else 0), counts
