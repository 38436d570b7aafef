"""DTSEN's two kinds of case on the findings page: the participants due for re-verification
now (linked to their re-verification) and the calon usulan, proposed by the village's staff
through the same service as the one-click path."""

import pytest
from django.urls import reverse

from enrollment.models import RegistryRecord
from feeds import dtsen
from tests.builders import VILLAGE_A, VILLAGE_B, resident
from tests.feeds.test_dtsen import LATEST, listing, periods, threshold_five  # noqa: F401
from verification.models import Proposal, ProposalItem

pytestmark = pytest.mark.django_db

LIST = reverse("feeds:finding_list")
ACT = reverse("feeds:finding_act")


@pytest.fixture
def poor(admin_user, threshold_five):  # noqa: F811
    """A resident of village A and one of village B, each listed in desil 2."""
    return {
        code: listing(resident(code), 2, imported_by=admin_user) for code in (VILLAGE_A, VILLAGE_B)
    }


def cases_on(client, user, **query):
    client.force_login(user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    return {(case.kind, case.name) for case in response.context["page"]}


def test_the_urgent_reverifications_are_cases_linked_to_the_form(client, verifier, periods):  # noqa: F811
    client.force_login(verifier)
    page = client.get(LIST, {"jenis": dtsen.URGENT}).content.decode()
    rows = {case.name: case for case in client.get(LIST).context["page"]}
    rose, left = rows[periods["rose"].name], rows[periods["left"].name]
    assert (rose.kind, left.kind) == (dtsen.URGENT, dtsen.URGENT)
    assert "Desil rumah tangga naik dari desil 3 ke desil 7" in rose.detail
    assert reverse("oversight:reverification_person", args=[periods["rose"].pk]) in page
    assert periods["stayed"].name not in rows


def test_a_village_sees_its_own_dtsen_cases_and_dukcapil_none(
    client,
    operator_a,
    operator_b,
    dukcapil,
    poor,
    periods,  # noqa: F811
):
    own = cases_on(client, operator_a)
    assert (dtsen.CANDIDATE, poor[VILLAGE_A].name) in own
    assert (dtsen.URGENT, periods["rose"].name) in own
    assert (dtsen.CANDIDATE, poor[VILLAGE_B].name) not in own
    assert cases_on(client, operator_b) == {(dtsen.CANDIDATE, poor[VILLAGE_B].name)}
    # Dukcapil reads its own findings, not who DTSEN ranks.
    assert cases_on(client, dukcapil) == set()


def test_the_village_proposes_calon_usulan_from_the_page(client, operator_a, poor):
    client.force_login(operator_a)
    response = client.post(
        ACT, {"tindakan": f"{dtsen.CANDIDATE}:usulkan", "pilih": [poor[VILLAGE_A].pk]}, follow=True
    )
    assert "1 temuan" in response.content.decode()
    item = ProposalItem.objects.get()
    assert (item.ground, item.proposal.village.code) == ("add_c1", VILLAGE_A)
    assert item.evidence["registry_record"] == poor[VILLAGE_A].pk
    assert item.evidence["has_other_cover"] is False
    assert item.faskes == dtsen.first_faskes(poor[VILLAGE_A].village)
    assert "Sudah dalam usulan" in client.get(LIST).content.decode()


def test_another_village_s_listing_is_not_found_and_nothing_is_written(client, operator_a, poor):
    client.force_login(operator_a)
    keys = [poor[VILLAGE_A].pk, poor[VILLAGE_B].pk]
    response = client.post(ACT, {"tindakan": f"{dtsen.CANDIDATE}:usulkan", "pilih": keys})
    assert response.status_code == 404
    assert not Proposal.objects.exists()


def test_a_refused_proposal_is_a_message_and_writes_nothing(client, operator_a, poor):
    """Of two chosen, one names no resident: refused with its reason, the other not kept."""
    unrecorded = RegistryRecord.objects.create(
        source="DTSEN",
        registry_id="DTSEN-UNRECORDED",
        nik="3401015506900009",
        name="Belum Tercatat",
        household_number=poor[VILLAGE_A].household_number,
        village=poor[VILLAGE_A].village,
        desil=1,
        data_period=LATEST,
        imported_by=poor[VILLAGE_A].imported_by,
    )
    client.force_login(operator_a)
    keys = [poor[VILLAGE_A].pk, unrecorded.pk]
    response = client.post(
        ACT, {"tindakan": f"{dtsen.CANDIDATE}:usulkan", "pilih": keys}, follow=True
    )
    assert "belum tercatat sebagai penduduk" in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_team_and_the_panewu_may_not_propose(client, verifier, panewu_a, poor):
    for user in (verifier, panewu_a):
        client.force_login(user)
        response = client.post(
            ACT, {"tindakan": f"{dtsen.CANDIDATE}:usulkan", "pilih": [poor[VILLAGE_A].pk]}
        )
        assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_a_case_is_chosen_only_by_one_who_may_act_on_its_kind(client, verifier, operator_a, poor):
    checkbox = f'name="pilih" value="{poor[VILLAGE_A].pk}"'
    client.force_login(operator_a)
    assert checkbox in client.get(LIST).content.decode()
    # The verifier acts on Dukcapil's removals, not on a village's calon usulan.
    client.force_login(verifier)
    page = client.get(LIST).content.decode()
    assert poor[VILLAGE_A].name in page
    assert checkbox not in page
