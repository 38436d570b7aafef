"""The calon usulan page: each area sees its own, a village proposes one in one click."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Person
from regions.months import add_months, month_start
from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, faskes_id, resident
from tests.feeds.test_dtsen import listing
from verification import services as proposals
from verification.models import Proposal, ProposalItem

pytestmark = pytest.mark.django_db

LIST = reverse("feeds:dtsen_candidates")
ADD = reverse("feeds:dtsen_candidate_add")


@pytest.fixture
def poor(admin_user):
    """A resident of village A listed in desil 2, one of A2 (same kapanewon), one of B."""
    people = {code: resident(code) for code in (VILLAGE_A, VILLAGE_A2, VILLAGE_B)}
    return {code: listing(person, 2, imported_by=admin_user) for code, person in people.items()}


def names_on(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST + query)
    assert response.status_code == 200
    page = response.context["page"]
    # The count is the cached figure per village, narrowed to the page's area.
    assert page.paginator.count == len(page)
    return {row.name for row in page}


def propose(client, user, listing, **fields):
    client.force_login(user)
    data = {
        "listing": listing.pk,
        "faskes": faskes_id(),
        "domicile_document": "KTP dan KK",
        "no_other_cover": "on",
        **fields,
    }
    return client.post(ADD, data, follow=True)


def test_a_village_sees_its_own_calon_usulan(client, operator_a, poor):
    assert names_on(client, operator_a) == {poor[VILLAGE_A].name}


def test_the_panewu_sees_the_kapanewon_and_the_team_the_kabupaten(client, panewu_a, verifier, poor):
    assert names_on(client, panewu_a) == {poor[VILLAGE_A].name, poor[VILLAGE_A2].name}
    assert names_on(client, verifier) == {listing.name for listing in poor.values()}
    assert names_on(client, verifier, f"?desa={VILLAGE_B}") == {poor[VILLAGE_B].name}


def test_another_area_is_404_and_a_role_without_it_403(client, operator_a, agency_staff, poor):
    client.force_login(operator_a)
    assert client.get(LIST + f"?desa={VILLAGE_B}").status_code == 404
    assert client.get(LIST + "?kapanewon=34.01.02").status_code == 404
    client.force_login(agency_staff)
    assert client.get(LIST).status_code == 403


def test_the_operator_proposes_one_in_one_click(client, operator_a, poor):
    response = propose(client, operator_a, poor[VILLAGE_A])
    item = ProposalItem.objects.get()
    assert (item.ground, item.kind, item.proposal.village.code) == ("add_c1", "addition", VILLAGE_A)
    assert item.evidence["registry_record"] == poor[VILLAGE_A].pk
    assert (item.evidence["source"], item.evidence["desil"]) == ("DTSEN", 2)
    assert f"{item.person.name} diusulkan dalam Usulan" in response.content.decode()
    again = names_on(client, operator_a)
    assert again == {poor[VILLAGE_A].name}
    assert "Sudah dalam usulan" in client.get(LIST).content.decode()


def test_once_this_months_usulan_is_sent_a_candidate_goes_to_next_months(
    client, operator_a, lurah_a, poor
):
    this_month = month_start(timezone.localdate())
    sent = proposals.proposal_open(actor=operator_a, month=this_month)
    propose(client, operator_a, poor[VILLAGE_A])
    proposals.proposal_submit(actor=lurah_a, proposal=sent, place="Temon")
    client.force_login(operator_a)
    assert f"Usulan bulan {add_months(this_month, 1):%m-%Y}" in client.get(LIST).content.decode()
    other = listing(resident(VILLAGE_A), 3, imported_by=lurah_a)
    propose(client, operator_a, other)
    item = ProposalItem.objects.get(person__nik=other.nik)
    assert item.proposal.month == add_months(this_month, 1)


def test_a_refused_proposal_is_a_message_and_writes_nothing(client, operator_a, poor):
    response = propose(client, operator_a, poor[VILLAGE_A], no_other_cover="")
    assert "Centang pernyataan bahwa penduduk tidak memiliki jaminan kesehatan lain" in (
        response.content.decode()
    )
    assert not Proposal.objects.exists()


def test_a_listing_that_is_no_longer_a_candidate_is_refused(client, operator_a, poor):
    listing(Person.objects.get(nik=poor[VILLAGE_A].nik), 9, period=datetime.date(2026, 10, 1))
    response = propose(client, operator_a, poor[VILLAGE_A])
    assert "bukan lagi calon usulan" in response.content.decode()
    assert not ProposalItem.objects.exists()


def test_another_village_cannot_propose_and_other_roles_are_refused(
    client, operator_b, panewu_a, poor
):
    assert propose(client, operator_b, poor[VILLAGE_A]).status_code == 404
    assert propose(client, panewu_a, poor[VILLAGE_A]).status_code == 403
    assert not ProposalItem.objects.exists()
