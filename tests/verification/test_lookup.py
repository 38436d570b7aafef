"""Issue 15 section 5: in the Usulan form a typed NIK is looked up among the residents of the
Usulan's village and fills the recorded fields; grounds c.1 and c.2 say which DTKS/DTSEN listing
and which SKTM a proposal would rest on. A NIK of another village gets the answer of an unknown
one (tests/security/test_oracles.py is the standard)."""

import datetime

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from audit.models import AccessLog
from enrollment.models import RegistryRecord
from people.models import Relationship
from sktm import services as sktm_services
from tests.builders import POOR_15, VILLAGE_A, VILLAGE_B, resident
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN_NIK = "3401024411850099"
NOT_REGISTERED = "Belum terdaftar di desa ini: isi datanya."


def look_up(client, user, proposal, nik):
    client.force_login(user)
    return client.get(reverse("verification:resident_lookup", args=[proposal.pk]), {"nik": nik})


def answer(client, user, proposal, nik):
    response = look_up(client, user, proposal, nik)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def neighbour(db):
    person = resident(VILLAGE_A)
    person.birth_place = "Kulon Progo"
    person.birth_date = datetime.date(1980, 5, 17)
    person.relationship = Relationship.HEAD
    person.save()
    return person


def test_a_resident_of_the_village_fills_the_recorded_fields(
    client, operator_a, proposal, neighbour
):
    found = answer(client, operator_a, proposal, neighbour.nik)
    household = neighbour.household
    assert found["found"] is True and neighbour.name in found["message"]
    assert {
        "name": neighbour.name,
        "kk_number": household.number,
        "dusun": household.dusun,
        "rt": household.rt,
        "rw": household.rw,
        "birth_place": "Kulon Progo",
        "birth_date": "1980-05-17",
        "relationship": "1",
        "domicile_since": "2015-01-01",
    }.items() <= found["fields"].items()


def test_an_unknown_nik_asks_for_the_data(client, operator_a, proposal):
    assert answer(client, operator_a, proposal, UNKNOWN_NIK) == {
        "found": False,
        "message": NOT_REGISTERED,
        "fields": {},
        "notes": {},
    }


def test_a_nik_of_another_village_gets_the_answer_of_an_unknown_one(client, operator_a, proposal):
    elsewhere = resident(VILLAGE_B)
    unknown = look_up(client, operator_a, proposal, UNKNOWN_NIK)
    other = look_up(client, operator_a, proposal, elsewhere.nik)
    assert other.status_code == unknown.status_code == 200
    assert other.content == unknown.content
    assert elsewhere.name not in other.content.decode()
    assert not AccessLog.objects.filter(what__contains=elsewhere.nik).exists()


def test_a_malformed_nik_is_explained_and_looks_nothing_up(client, operator_a, proposal):
    found = answer(client, operator_a, proposal, "34010")
    assert found["found"] is False and "16" in found["message"]


def test_a_resident_found_is_a_view_of_their_record_in_the_access_log(
    client, operator_a, proposal, neighbour
):
    answer(client, operator_a, proposal, neighbour.nik)
    logged = AccessLog.objects.get(actor=operator_a)
    assert logged.action == "view" and neighbour.nik in logged.what
    assert logged.object_id == str(neighbour.pk)
    answer(client, operator_a, proposal, UNKNOWN_NIK)
    assert AccessLog.objects.filter(actor=operator_a).count() == 1


def test_ground_c2_names_the_sktm_in_force(client, operator_a, lurah_a, proposal):
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)

    notes = answer(client, operator_a, proposal, POOR_15["nik"])["notes"]

    assert letter.number in notes["add_c2"] and "berlaku sampai" in notes["add_c2"]


def test_ground_c2_says_when_there_is_no_sktm(client, operator_a, proposal, neighbour):
    notes = answer(client, operator_a, proposal, neighbour.nik)["notes"]
    assert "Belum ada SKTM yang berlaku" in notes["add_c2"]


def test_ground_c1_names_the_latest_dtks_listing(client, operator_a, proposal, neighbour):
    imported_by = UserFactory(role="admin")
    for period, registry_id in [
        (datetime.date(2025, 5, 1), "OLD"),
        (datetime.date(2025, 11, 1), "DTSEN-3401-7"),
    ]:
        RegistryRecord.objects.create(
            source="DTSEN",
            registry_id=registry_id,
            nik=neighbour.nik,
            name=neighbour.name,
            household_number=neighbour.household.number,
            village=neighbour.household.village,
            desil=2,
            data_period=period,
            imported_by=imported_by,
        )

    note = answer(client, operator_a, proposal, neighbour.nik)["notes"]["add_c1"]

    assert "DTSEN-3401-7" in note and "November 2025" in note and "desil 2" in note


def test_ground_c1_says_when_there_is_no_listing(client, operator_a, proposal, neighbour):
    note = answer(client, operator_a, proposal, neighbour.nik)["notes"]["add_c1"]
    assert "tidak ada dalam data DTKS/DTSEN" in note


def test_the_lurah_of_the_village_looks_up_too(client, lurah_a, proposal, neighbour):
    assert answer(client, lurah_a, proposal, neighbour.nik)["found"] is True


@pytest.mark.parametrize("persona", ["panewu_a", "verifier", "admin_user"])
def test_a_role_that_does_not_draft_the_usulan_is_refused(
    client, request, proposal, neighbour, persona
):
    response = look_up(client, request.getfixturevalue(persona), proposal, neighbour.nik)
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_another_villages_operator_gets_404(client, operator_b, proposal, neighbour):
    assert look_up(client, operator_b, proposal, neighbour.nik).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, proposal, neighbour):
    url = reverse("verification:resident_lookup", args=[proposal.pk])
    response = client.get(url, {"nik": neighbour.nik})
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_lookup_only_reads(client, operator_a, proposal, neighbour):
    client.force_login(operator_a)
    url = reverse("verification:resident_lookup", args=[proposal.pk])
    assert client.post(url, {"nik": neighbour.nik}).status_code == 405


def test_the_form_loads_the_lookup_script_and_names_its_address(client, operator_a, proposal):
    client.force_login(operator_a)
    page = client.get(reverse("verification:item_add", args=[proposal.pk])).content.decode()
    lookup_url = reverse("verification:resident_lookup", args=[proposal.pk])
    assert f'data-lookup-url="{lookup_url}"' in page
    assert "js/resident-lookup.js" in page and "data-lookup-status" in page
