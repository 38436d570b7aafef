import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import scoping
from accounts.models import Role, User
from tests.builders import KULON_PROGO, VILLAGE_A
from tests.factories import agency, district, regency, village

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (Role.OPERATOR, {}),
        (Role.VILLAGE_HEAD, {"district": "34.01.01"}),
        (Role.DISTRICT_HEAD, {}),
        (Role.VERIFIER, {"village": VILLAGE_A}),
        (Role.AGENCY_STAFF, {"regency": KULON_PROGO}),
        (Role.OPERATOR, {"village": VILLAGE_A, "agency": "Dinsos"}),
        (Role.ADMIN, {"village": VILLAGE_A}),
    ],
)
def test_database_refuses_a_user_whose_area_does_not_fit_the_role(role, area):
    lookups = {"village": village, "district": district, "regency": regency, "agency": agency}
    fields = {name: lookups[name](value) for name, value in area.items()}
    user = User(username="salah", role=role, **fields)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "Peran" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_user_without_role_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("tanpa_peran", password="x")


def test_createsuperuser_makes_an_admin():
    user = User.objects.create_superuser("super", "super@example.org", "sandi-super-2026")
    assert user.role == Role.ADMIN and user.area is None


def test_role_labels_follow_the_kabupaten(settings, operator_a, lurah_a, panewu_a):
    assert (operator_a.role_label, lurah_a.role_label, panewu_a.role_label) == (
        "Operator Kalurahan",
        "Lurah",
        "Panewu",
    )
    settings.REGION_PROFILE = "karanganyar"
    assert panewu_a.role_label == "Camat"
    kades = User(role=Role.VILLAGE_HEAD, village=village("33.13.01.2001"))
    assert kades.role_label == "Kepala Desa"


def test_scope_by_village_follows_a_lookup_path(operator_a, panewu_a, verifier, agency_staff):
    # Scoping any model through its path to a village: here users, through their village.
    users = User.objects.filter(role=Role.OPERATOR)
    assert list(scoping.scope_by_village(users, operator_a, "village")) == [operator_a]
    assert list(scoping.scope_by_village(users, panewu_a, "village")) == [operator_a]
    assert list(scoping.scope_by_village(users, verifier, "village")) == [operator_a]
    assert not scoping.scope_by_village(users, agency_staff, "village").exists()


def test_inactive_user_sees_nothing(operator_a):
    operator_a.is_active = False
    assert not scoping.villages_for(operator_a).exists()
