"""Dukcapil's changes of NIK and No. KK, for one resident (person_change_identity) or many at
once (people_change_identity): the same rules, the history, all or none, and the batch's
queries not growing with its size."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Household, Person, PersonChange
from people.services import (
    IdentityChange,
    ItemRefused,
    people_change_identity,
    person_change_identity,
    rows_update,
)
from tests.builders import VILLAGE_A, VILLAGE_B
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db

NEW_NIK = "3401015506900123"
NEW_KK = "3401010000009999"


def history(person):
    return sorted(
        (change.field, change.old_value, change.new_value, change.changed_by)
        for change in person.changes.all()
    )


def test_a_batch_changes_each_nik_and_kk_with_its_history(dukcapil):
    first, second, third = PersonFactory(), PersonFactory(), PersonFactory()
    joined = HouseholdFactory()
    old = {person.pk: (person.nik, person.household.number) for person in (first, second, third)}
    changed = people_change_identity(
        actor=dukcapil,
        changes=[
            IdentityChange(person=first, nik=NEW_NIK),
            IdentityChange(person=second, kk_number=joined.number),
            IdentityChange(person=third, nik="3401015506900124", kk_number=NEW_KK),
        ],
    )
    assert [person.pk for person in changed] == [first.pk, second.pk, third.pk]
    for person in (first, second, third):
        person.refresh_from_db()
    assert first.nik == NEW_NIK and first.household.number == old[first.pk][1]
    assert second.household == joined
    assert (third.nik, third.household.number) == ("3401015506900124", NEW_KK)
    # A new No. KK opens a household where the old one lived.
    opened = third.household
    assert (opened.village.code, opened.dusun, opened.rt) == (VILLAGE_A, "Padukuhan I", "001")
    assert history(first) == [("nik", old[first.pk][0], NEW_NIK, dukcapil)]
    assert history(second) == [("household", old[second.pk][1], joined.number, dukcapil)]
    assert history(third) == [
        ("household", old[third.pk][1], NEW_KK, dukcapil),
        ("nik", old[third.pk][0], "3401015506900124", dukcapil),
    ]


def test_two_residents_given_one_new_kk_share_the_household_it_opens(dukcapil):
    first, second = PersonFactory(), PersonFactory()
    people_change_identity(
        actor=dukcapil,
        changes=[
            IdentityChange(person=first, kk_number=NEW_KK),
            IdentityChange(person=second, kk_number=NEW_KK),
        ],
    )
    household = Household.objects.get(number=NEW_KK)
    assert set(household.members.all()) == {first, second}


@pytest.mark.parametrize(
    ("changes", "index", "message"),
    [
        # The second resident given a NIK the first just took.
        ([{"nik": NEW_NIK}, {"nik": NEW_NIK}], 1, f"NIK baru {NEW_NIK} sudah dipakai"),
        ([{"nik": NEW_NIK}, {}], 1, "Isi NIK baru atau No. KK baru"),
        ([{"kk_number": "1"}, {"nik": NEW_NIK}], 0, "No. KK"),
        ([{"nik": NEW_NIK}, {"kk_number": "elsewhere"}], 1, "terdaftar di desa lain"),
    ],
)
def test_a_refused_change_names_its_place_and_the_batch_writes_nothing(
    dukcapil, changes, index, message
):
    people = [PersonFactory(), PersonFactory()]
    elsewhere = HouseholdFactory(village=village(VILLAGE_B))
    before = list(Person.objects.order_by("pk").values_list("nik", "household"))
    batch = [
        IdentityChange(
            person=person,
            **{
                key: elsewhere.number if value == "elsewhere" else value
                for key, value in fields.items()
            },
        )
        for person, fields in zip(people, changes, strict=True)
    ]
    with pytest.raises(ItemRefused, match=message) as refused:
        people_change_identity(actor=dukcapil, changes=batch)
    assert refused.value.index == index
    assert list(Person.objects.order_by("pk").values_list("nik", "household")) == before
    assert not PersonChange.objects.exists()
    assert not Household.objects.filter(number=NEW_KK).exists()


def test_one_change_is_refused_with_the_same_words(dukcapil):
    taken, person = PersonFactory(), PersonFactory()
    with pytest.raises(ValidationError, match=f"NIK baru {taken.nik} sudah dipakai"):
        person_change_identity(actor=dukcapil, person=person, nik=taken.nik)
    elsewhere = HouseholdFactory(village=village(VILLAGE_B))
    with pytest.raises(ValidationError, match="catat sebagai pindah"):
        person_change_identity(actor=dukcapil, person=person, kk_number=elsewhere.number)
    assert not PersonChange.objects.exists()


@pytest.mark.parametrize("user", ["operator_a", "verifier"])
def test_only_dukcapil_or_an_admin_changes_identities(request, user):
    person = PersonFactory()
    with pytest.raises(PermissionDenied, match="Dukcapil atau admin"):
        people_change_identity(
            actor=request.getfixturevalue(user),
            changes=[IdentityChange(person=person, nik=NEW_NIK)],
        )
    person.refresh_from_db()
    assert person.nik != NEW_NIK


def _queries(actor, size, first):
    """The queries of a batch of `size` changes of NIK, half of them of No. KK too, the new
    numbers counted from `first`."""
    people = PersonFactory.create_batch(size)
    changes = [
        IdentityChange(
            person=person,
            nik=f"34010155069{first + index:05d}",
            kk_number=f"3401019{first + index:09d}" if index % 2 else "",
        )
        for index, person in enumerate(people)
    ]
    with CaptureQueriesContext(connection) as queries:
        people_change_identity(actor=actor, changes=changes)
    return len(queries)


def test_a_batch_asks_the_same_queries_for_ten_residents_as_for_forty(dukcapil):
    assert _queries(dukcapil, 10, 1) == _queries(dukcapil, 40, 101)


def test_rows_update_writes_each_rows_own_values_past_a_statements_parameters():
    households = Household.objects.bulk_create(
        HouseholdFactory.build(village=village(VILLAGE_A)) for _ in range(600)
    )
    for index, household in enumerate(households):
        household.dusun, household.rt = f"Dusun {index}", f"{index % 1000:03d}"
    rows_update(Household, households, ["dusun", "rt"])
    assert sorted(Household.objects.values_list("dusun", "rt")) == sorted(
        (f"Dusun {index}", f"{index % 1000:03d}") for index in range(600)
    )
