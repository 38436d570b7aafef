"""Names and places are plain text at the model, so a form, an import and a command all meet
the same rule (people.names), and a roster or Lampiran D opened in a spreadsheet runs no
formula."""

import pytest
from django.core.exceptions import ValidationError

from people.models import Household, HouseholdChange, Person
from people.names import is_plain_text
from tests.builders import record
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db
NOT_PLAIN = ['=HYPERLINK("http://x")', " +62", "-1", "@SUM(A1)", "<b>Sri</b>", "Sri{1}", "a\\b"]
NOT_PLAIN += ["Sri\x00Wahyuni", "Sri\nWahyuni"]


@pytest.mark.parametrize("value", NOT_PLAIN)
@pytest.mark.parametrize("field", ["name", "birth_place", "occupation"])
def test_a_person_field_refuses_what_is_not_plain_text(field, value):
    person = PersonFactory.build(household=HouseholdFactory(), **{field: value})
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "Hanya teks biasa" in error.value.message_dict[field][0]


@pytest.mark.parametrize("value", NOT_PLAIN)
@pytest.mark.parametrize("field", ["dusun", "address"])
def test_a_household_field_refuses_what_is_not_plain_text(field, value):
    household = HouseholdFactory.build(**{field: value})
    with pytest.raises(ValidationError) as error:
        household.full_clean()
    assert "Hanya teks biasa" in error.value.message_dict[field][0]


@pytest.mark.parametrize("value", ["Sri Wahyuni", "Ng. Sumarni-Wati", "Jl. Daendels 5, RT 01"])
def test_ordinary_names_and_places_pass(value):
    assert is_plain_text(value)
    PersonFactory.build(household=HouseholdFactory(), name=value, birth_place=value).full_clean()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "=1+1"), ("birth_place", "<script>"), ("occupation", "@x"), ("dusun", "-1")],
)
def test_person_record_refuses_what_is_not_plain_text_and_writes_nothing(operator_a, field, value):
    with pytest.raises(ValidationError) as error:
        record(operator_a, **{field: value})
    assert "Hanya teks biasa" in error.value.message_dict[field][0]
    assert not Person.objects.exists() and not Household.objects.exists()


def test_person_record_keeps_the_history_of_the_household(operator_a, lurah_a):
    record(operator_a, address="Jl. Daendels 5")
    person = record(lurah_a, dusun="Padukuhan II", rt="003", address="Jl. Daendels 7")
    changes = sorted(
        (change.field, change.old_value, change.new_value, change.changed_by)
        for change in person.household.changes.all()
    )
    assert changes == [
        ("address", "Jl. Daendels 5", "Jl. Daendels 7", lurah_a),
        ("dusun", "Padukuhan I", "Padukuhan II", lurah_a),
        ("rt", "001", "003", lurah_a),
    ]
    record(lurah_a, dusun="Padukuhan II", rt="003")
    assert HouseholdChange.objects.count() == 3
