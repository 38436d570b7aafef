import datetime

import pytest
from django.urls import reverse

from enrollment.duplicates import duplicate_groups
from people.models import Person
from tests.builders import enroll
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
BORN = datetime.date(1970, 5, 17)


def test_same_name_and_birth_date_under_two_niks_is_reported(verifier):
    first = PersonFactory(name="Tukiyem", birth_date=BORN, domicile_since=datetime.date(2020, 1, 1))
    second = PersonFactory(name="  TUKIYEM ", birth_date=BORN)
    PersonFactory(name="Tukiyem", birth_date=datetime.date(1971, 5, 17))
    assert duplicate_groups(Person.objects.all()) == []  # nobody active yet
    enroll(verifier, first)
    [(name, birth_date, people)] = duplicate_groups(Person.objects.all())
    assert (name, birth_date) == ("TUKIYEM", BORN)
    assert {p.pk for p in people} == {first.pk, second.pk}
    assert [p.is_active for p in people if p.pk == first.pk] == [True]


def test_duplicates_page_is_for_dinsos_and_admin(client, verifier, operator_a, admin_user):
    client.force_login(operator_a)
    assert client.get(reverse("enrollment:duplicates")).status_code == 403
    for user in (verifier, admin_user):
        client.force_login(user)
        assert client.get(reverse("enrollment:duplicates")).status_code == 200
