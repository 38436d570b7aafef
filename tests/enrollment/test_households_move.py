"""Many households moved at once (enrollment.services.households_move) and many removals
checked at once (removals_check): each as its one-at-a-time service does, all or none, the
queries not growing with the batch."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import services
from enrollment.models import Ground, Participation
from people.models import Household, HouseholdChange
from people.services import ItemRefused
from tests.builders import MOVED_OUT, VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled, resident
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


def moves(households, code=VILLAGE_A2, **changes):
    return [
        services.HouseholdMove(
            household=household,
            village=village(code),
            **{"dusun": "Padukuhan II", "rt": "003", "rw": "004", **changes},
        )
        for household in households
    ]


def test_a_batch_moves_each_household_with_its_history_and_participants(verifier, dukcapil):
    first, second = enrolled(verifier), enrolled(verifier, VILLAGE_B)
    relative = PersonFactory(household=first.household)
    moved = services.households_move(
        actor=dukcapil, moves=moves([first.household, second.household])
    )
    assert [household.pk for household in moved] == [first.household.pk, second.household.pk]
    for household in Household.objects.filter(pk__in=[first.household.pk, second.household.pk]):
        assert (household.village.code, household.dusun, household.rt, household.rw) == (
            VILLAGE_A2,
            "Padukuhan II",
            "003",
            "004",
        )
    for person in (first, second):
        assert Participation.objects.get(person=person).village.code == VILLAGE_A2
    assert not Participation.objects.filter(person=relative).exists()
    a, b, a2 = village(VILLAGE_A), village(VILLAGE_B), village(VILLAGE_A2)
    assert sorted(
        HouseholdChange.objects.filter(field="village").values_list(
            "household", "old_value", "new_value", "changed_by"
        )
    ) == [
        (first.household.pk, f"{a} ({a.code})", f"{a2} ({a2.code})", dukcapil.pk),
        (second.household.pk, f"{b} ({b.code})", f"{a2} ({a2.code})", dukcapil.pk),
    ]
    assert HouseholdChange.objects.count() == 8


def test_a_refused_move_names_its_place_and_the_batch_writes_nothing(verifier, dukcapil):
    first, second = enrolled(verifier), enrolled(verifier)
    batch = moves([first.household]) + moves([second.household], rt="satu")
    with pytest.raises(ItemRefused, match="RT berupa 1 sampai 3 angka") as refused:
        services.households_move(actor=dukcapil, moves=batch)
    assert refused.value.index == 1
    assert set(Household.objects.values_list("village__code", flat=True)) == {VILLAGE_A}
    assert set(Participation.objects.values_list("village__code", flat=True)) == {VILLAGE_A}
    assert not HouseholdChange.objects.exists()


def test_a_move_out_of_the_kabupaten_is_refused_in_a_batch(dukcapil):
    household = HouseholdFactory()
    with pytest.raises(ItemRefused, match="luar kabupaten") as refused:
        services.households_move(actor=dukcapil, moves=moves([household], "33.13.01.2001"))
    assert refused.value.index == 0


@pytest.mark.parametrize("user", ["operator_a", "verifier"])
def test_only_dukcapil_or_an_admin_moves_households(request, user):
    household = HouseholdFactory()
    with pytest.raises(PermissionDenied, match="Hanya Dukcapil atau admin"):
        services.households_move(actor=request.getfixturevalue(user), moves=moves([household]))
    assert not HouseholdChange.objects.exists()


def _move_queries(actor, size):
    batch = moves([PersonFactory().household for _ in range(size)])
    with CaptureQueriesContext(connection) as queries:
        services.households_move(actor=actor, moves=batch)
    return len(queries)


def test_a_batch_asks_the_same_queries_for_ten_households_as_for_forty(dukcapil):
    assert _move_queries(dukcapil, 10) == _move_queries(dukcapil, 40)


def test_removals_are_checked_together_as_one_by_one(verifier):
    participants = [enrolled(verifier) for _ in range(3)]
    evidence = {"destination": "Kota Surakarta", "moved_on": "2026-02-20"}
    removals = [(person, Ground.MOVED_OUT, evidence) for person in participants]
    assert services.removals_check(removals=removals) == [
        services.removal_checks(person=person, ground=Ground.MOVED_OUT, evidence=evidence)
        for person in participants
    ]
    with CaptureQueriesContext(connection) as queries:
        services.removals_check(removals=removals * 10)
    assert len(queries) == 1


def test_a_refused_removal_names_its_place(verifier):
    removals = [
        (enrolled(verifier), Ground.MOVED_OUT, MOVED_OUT),
        (resident(), Ground.MOVED_OUT, MOVED_OUT),
    ]
    with pytest.raises(ItemRefused, match="bukan peserta PBI Pemda aktif") as refused:
        services.removals_check(removals=removals)
    assert refused.value.index == 1
