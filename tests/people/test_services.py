from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from people.models import Household, MaritalStatus, Person, Relationship, Sex
from tests.builders import KK, NIK, VILLAGE_A, VILLAGE_B, record
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


def assert_refused(field, message, call):
    counts = Household.objects.count(), Person.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert message in error.value.message_dict[field][0]
    assert (Household.objects.count(), Person.objects.count()) == counts


def test_operator_records_a_new_resident_and_household(operator_a):
    person = record(
        operator_a,
        address="Jl. Daendels 5",
        birth_date=date(1985, 3, 12),
        sex=Sex.FEMALE,
        relationship=Relationship.WIFE,
        marital_status=MaritalStatus.MARRIED,
    )

    person.refresh_from_db()
    household = person.household
    assert (household.number, household.village.code, household.address) == (
        KK,
        VILLAGE_A,
        "Jl. Daendels 5",
    )
    assert (person.name, person.sex, person.relationship) == ("Sri Wahyuni", "P", 3)
    assert (person.masked_nik, person.masked_name) == ("340101******0001", "S*** W***")


def test_recording_again_updates_without_erasing_what_is_left_empty(lurah_a):
    record(lurah_a, phone="081234567890", address="Jl. Daendels 5")

    person = record(lurah_a, name="Sri Wahyuningsih", rt="003")

    assert Person.objects.count() == Household.objects.count() == 1
    person.refresh_from_db()
    assert (person.name, person.phone) == ("Sri Wahyuningsih", "081234567890")
    assert (person.household.rt, person.household.address) == ("003", "Jl. Daendels 5")


def test_operator_of_another_village_is_refused(operator_b):
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        record(operator_b)
    assert not Person.objects.exists()


def test_kk_registered_in_another_village_is_refused_without_naming_it(operator_a):
    other = village(VILLAGE_B)
    HouseholdFactory(number=KK, village=other)

    assert_refused("kk_number", "terdaftar di desa lain", lambda: record(operator_a))
    with pytest.raises(ValidationError) as refused:
        record(operator_a)
    assert other.name not in " ".join(refused.value.messages)


def test_nik_registered_in_another_village_is_refused_and_writes_nothing(operator_a):
    PersonFactory(nik=NIK, household=HouseholdFactory(village=village(VILLAGE_B)))

    # The new household would be written first: the refusal must roll it back.
    assert_refused("nik", "terdaftar di desa lain", lambda: record(operator_a))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "3401013203850001", "Tanggal lahir dalam NIK tidak valid."),
        ("nik", "34010152038500", "NIK harus 16 digit angka."),
        ("kk_number", "34010100000012", "No. KK harus 16 digit angka."),
    ],
)
def test_bad_number_is_refused_and_writes_nothing(operator_a, field, value, message):
    assert_refused(field, message, lambda: record(operator_a, **{field: value}))


def test_field_validation_failure_writes_nothing(operator_a):
    assert_refused("rt", "RT berupa 1 sampai 3 angka", lambda: record(operator_a, rt="0001"))


def test_residents_are_visible_within_the_area_only(operator_a, operator_b, panewu_a, agency_staff):
    person = record(operator_a)

    assert list(Person.objects.visible_to(operator_a)) == [person]
    assert list(Person.objects.visible_to(panewu_a)) == [person]
    assert not Person.objects.visible_to(operator_b).exists()
    assert not Person.objects.visible_to(agency_staff).exists()
    assert list(Household.objects.visible_to(panewu_a)) == [person.household]
    assert not Household.objects.visible_to(operator_b).exists()
