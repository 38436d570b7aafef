"""Issue 15 section 5: in the SKTM form a typed NIK is looked up among the residents of the
operator's own village and fills the recorded fields; a NIK of another village gets the answer of
an unknown one."""

import pytest
from django.urls import reverse

from audit.models import AccessLog
from tests.builders import POOR_15, VILLAGE_A, VILLAGE_B, resident

pytestmark = pytest.mark.django_db

URL = "sktm:resident_lookup"
UNKNOWN_NIK = "3401024411850099"


def look_up(client, user, nik):
    client.force_login(user)
    return client.get(reverse(URL), {"nik": nik})


def test_a_resident_fills_the_applicant_fields(client, operator_a):
    person = resident(VILLAGE_A)
    found = look_up(client, operator_a, person.nik).json()
    assert found["found"] is True
    assert found["fields"]["applicant_name"] == person.name
    assert "name" not in found["fields"]
    assert found["fields"]["kk_number"] == person.household.number
    assert found["fields"]["dusun"] == person.household.dusun
    assert AccessLog.objects.filter(actor=operator_a, object_id=str(person.pk)).count() == 1


def test_a_nik_of_another_village_gets_the_answer_of_an_unknown_one(client, operator_a):
    elsewhere = resident(VILLAGE_B)
    unknown = look_up(client, operator_a, UNKNOWN_NIK)
    other = look_up(client, operator_a, elsewhere.nik)
    assert unknown.status_code == other.status_code == 200
    assert other.content == unknown.content
    assert other.json()["message"] == "Belum terdaftar di desa ini: isi datanya."
    assert not AccessLog.objects.exists()


def test_the_other_villages_operator_finds_its_own_resident(client, operator_b):
    person = resident(VILLAGE_B)
    assert look_up(client, operator_b, person.nik).json()["found"] is True


def test_an_applicant_with_a_letter_in_force_is_told_so(client, letter, operator_a):
    found = look_up(client, operator_a, POOR_15["nik"]).json()
    assert letter.number in found["notes"][""]


@pytest.mark.parametrize("persona", ["lurah_a", "panewu_a", "verifier", "admin_user"])
def test_a_role_that_does_not_fill_the_form_is_refused(client, request, persona):
    person = resident(VILLAGE_A)
    assert look_up(client, request.getfixturevalue(persona), person.nik).status_code == 403


def test_the_form_loads_the_lookup_script_and_names_its_address(client, operator_a):
    client.force_login(operator_a)
    page = client.get(reverse("sktm:form_create")).content.decode()
    assert f'data-lookup-url="{reverse(URL)}"' in page
    assert "js/resident-lookup.js" in page and "data-lookup-status" in page
