from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from people.models import PersonChange, Relationship
from tests.builders import KK, NIK, VILLAGE_A, VILLAGE_B, record
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


def history(person):
    return sorted(
        (change.field, change.old_value, change.new_value, change.changed_by)
        for change in person.changes.all()
    )


def test_update_records_each_changed_field_with_old_and_new_value_and_actor(operator_a, lurah_a):
    record(operator_a, phone="081234567890")

    person = record(lurah_a, name="Sri Wahyuningsih", phone="085700000001")

    assert history(person) == [
        ("name", "Sri Wahyuni", "Sri Wahyuningsih", lurah_a),
        ("phone", "081234567890", "085700000001", lurah_a),
    ]
    change = person.changes.get(field="name")
    assert change.field_label == "nama"
    # One call, one moment: its rows share a timestamp.
    assert person.changes.values("changed_at").distinct().count() == 1


def test_recording_the_same_values_again_writes_no_history(operator_a):
    record(operator_a, phone="081234567890", birth_date=date(1985, 3, 12))

    # Left-empty optional values keep what is stored, so they are no change either.
    record(operator_a, phone="081234567890", birth_date="1985-03-12", rt="003")

    assert not PersonChange.objects.exists()


def test_creating_a_resident_writes_no_history(operator_a):
    record(operator_a, phone="081234567890", relationship=Relationship.WIFE)

    assert not PersonChange.objects.exists()


def test_dates_are_stored_as_iso_choices_as_codes_and_empty_as_blank(operator_a):
    record(operator_a, birth_date=date(1985, 3, 12))

    person = record(operator_a, birth_date="1985-03-21", relationship=Relationship.WIFE)

    assert history(person) == [
        ("birth_date", "1985-03-12", "1985-03-21", operator_a),
        ("relationship", "", "3", operator_a),
    ]


def test_household_move_records_the_old_and_new_kk_number(operator_a):
    record(operator_a)

    person = record(operator_a, kk_number="3401010000005678")

    assert history(person) == [("household", KK, "3401010000005678", operator_a)]
    assert person.changes.get().field_label == "keluarga"


def test_nik_registered_in_another_village_writes_no_history(operator_a):
    person = PersonFactory(nik=NIK, household=HouseholdFactory(village=village(VILLAGE_B)))

    with pytest.raises(ValidationError, match="terdaftar di desa lain"):
        record(operator_a, village=village(VILLAGE_A), name="Nama Lain")

    assert not person.changes.exists()


def test_update_failing_validation_writes_no_history(operator_a):
    record(operator_a)

    with pytest.raises(ValidationError):
        record(operator_a, name="Sri Wahyuningsih", phone="0" * 21)

    assert not PersonChange.objects.exists()


def test_admin_shows_history_read_only_on_the_person_page(client, admin_user, operator_a):
    record(operator_a)
    person = record(operator_a, name="Sri Wahyuningsih")
    client.force_login(admin_user)

    response = client.get(reverse("admin:people_person_change", args=[person.pk]))
    page = " ".join(response.content.decode().split())

    assert '<td class="field-old_value"> <p>Sri Wahyuni</p>' in page
    assert 'name="changes-MAX_NUM_FORMS" value="0"' in page
    assert 'name="changes-0-old_value"' not in page and 'name="changes-0-DELETE"' not in page
