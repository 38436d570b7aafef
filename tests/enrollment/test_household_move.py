"""A household moves between villages of the kabupaten only through
enrollment.services.household_move: history kept, participants' village kept true."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enrollment import services
from enrollment.models import Participation
from enrollment.participation import current_participants
from people.models import HouseholdChange
from tests.builders import VILLAGE_A, VILLAGE_A2
from tests.factories import PersonFactory, village

pytestmark = pytest.mark.django_db


def move(actor, household, code=VILLAGE_A2, dusun="Padukuhan II", rt="003", rw="004"):
    return services.household_move(
        actor=actor, household=household, village=village(code), dusun=dusun, rt=rt, rw=rw
    )


def history(household):
    return sorted(
        (change.field, change.old_value, change.new_value, change.changed_by)
        for change in household.changes.all()
    )


def test_admin_moves_a_household_and_its_participants_follow(admin_user, participant):
    household = participant.household
    relative = PersonFactory(household=household)
    moved = move(admin_user, household)
    assert (moved.village.code, moved.dusun, moved.rt, moved.rw) == (
        VILLAGE_A2,
        "Padukuhan II",
        "003",
        "004",
    )
    assert Participation.objects.get(person=participant).village.code == VILLAGE_A2
    assert not Participation.objects.filter(person=relative).exists()
    a, a2 = village(VILLAGE_A), village(VILLAGE_A2)
    assert history(household) == [
        ("dusun", "Padukuhan I", "Padukuhan II", admin_user),
        ("rt", "001", "003", admin_user),
        ("rw", "001", "004", admin_user),
        ("village", f"{a} ({a.code})", f"{a2} ({a2.code})", admin_user),
    ]
    assert HouseholdChange.objects.get(field="village").field_label == "kalurahan/desa"


def test_the_moved_participant_leaves_the_old_villages_roster(admin_user, participant):
    move(admin_user, participant.household)
    in_village = Participation.objects.filter(village=village(VILLAGE_A)).values("person_id")
    assert not current_participants().filter(pk__in=in_village).exists()


def test_moving_to_the_same_place_records_no_history(admin_user, participant):
    household = participant.household
    move(admin_user, household, VILLAGE_A, household.dusun, household.rt, household.rw)
    assert not household.changes.exists()


@pytest.mark.parametrize("user", ["operator_a", "lurah_a", "verifier"])
def test_only_dukcapil_or_an_admin_moves_a_household(request, user, participant):
    with pytest.raises(PermissionDenied, match="Hanya Dukcapil atau admin"):
        move(request.getfixturevalue(user), participant.household)
    participant.household.refresh_from_db()
    assert participant.household.village.code == VILLAGE_A
    assert not HouseholdChange.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "33.13.01.2001"}, "luar kabupaten"),
        ({"rt": "satu"}, "RT berupa 1 sampai 3 angka"),
        ({"rw": "0\u00b2"}, "RW berupa 1 sampai 3 angka"),
        ({"dusun": "=HYPERLINK(1)"}, "Hanya teks biasa"),
        ({"dusun": ""}, "tidak boleh kosong"),
    ],
)
def test_a_bad_move_is_refused_and_writes_nothing(admin_user, participant, changes, message):
    with pytest.raises(ValidationError, match=message):
        move(admin_user, participant.household, **changes)
    participant.household.refresh_from_db()
    assert (participant.household.village.code, participant.household.dusun) == (
        VILLAGE_A,
        "Padukuhan I",
    )
    assert Participation.objects.get(person=participant).village.code == VILLAGE_A
    assert not HouseholdChange.objects.exists()


def test_the_admin_shows_households_read_only(client, admin_user, participant):
    client.force_login(admin_user)
    household = participant.household
    change_url = reverse("admin:people_household_change", args=[household.pk])
    assert client.get(reverse("admin:people_household_add")).status_code == 403
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"number": household.number, "dusun": "Lain"})
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.dusun == "Padukuhan I"
