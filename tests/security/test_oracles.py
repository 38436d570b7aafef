"""Issue 14 finding 3: an operator learns nothing about residents outside their village from
refusals. A newborn's mother registered elsewhere is checked by the Tim Verifikasi, who sees the
whole kabupaten."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enrollment.models import LedgerEntry
from tests.builders import VILLAGE_A, VILLAGE_B, enroll, faskes_id, resident, this_month
from tests.factories import HouseholdFactory, PersonFactory, village
from verification import services
from verification.models import Decision, ProposalItem

pytestmark = pytest.mark.django_db

ABSENT_NIK = "3401024411850099"
BABY_NIK = "3401010101260001"


def newborn_post(mother_nik, baby_nik=BABY_NIK):
    return {
        "ground": "add_a",
        "nik": baby_nik,
        "name": "Bayi Tumini",
        "kk_number": "3401010203040005",
        "birth_place": "Kulon Progo",
        "birth_date": timezone.localdate().isoformat(),
        "sex": "P",
        "relationship": "4",
        "marital_status": "1",
        "occupation": "Belum bekerja",
        "dusun": "Kepek",
        "rt": "3",
        "rw": "1",
        "mother_nik": mother_nik,
        "faskes": faskes_id(),
    }


def add_newborn(client, operator, mother_nik):
    """The operator's answer to adding a newborn whose mother has `mother_nik`: the status and
    every message shown, then the draft emptied again for the next attempt."""
    proposal = services.proposal_open(actor=operator, month=this_month())
    response = client.post(
        reverse("verification:item_add", args=[proposal.pk]),
        newborn_post(mother_nik),
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    ProposalItem.objects.filter(proposal=proposal).delete()
    return response.status_code, response.redirect_chain, shown


def test_a_mother_outside_the_village_gets_one_answer_whoever_she_is(client, operator_a, verifier):
    active = resident(VILLAGE_B)
    enroll(verifier, active)
    inactive = resident(VILLAGE_B)
    client.force_login(operator_a)

    answers = [add_newborn(client, operator_a, nik) for nik in (active.nik, inactive.nik)]
    answers.append(add_newborn(client, operator_a, ABSENT_NIK))

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][1], "the newborn is accepted into the draft"


def test_a_nik_registered_in_another_village_is_refused_without_naming_it(client, operator_a):
    elsewhere = resident(VILLAGE_B)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)

    response = client.post(
        reverse("verification:item_add", args=[proposal.pk]),
        newborn_post(ABSENT_NIK, baby_nik=elsewhere.nik),
    )

    page = response.content.decode()
    assert "terdaftar di desa lain" in page
    assert village(VILLAGE_B).name not in page
    assert not ProposalItem.objects.exists()


def test_a_duplicate_partner_outside_the_village_is_not_looked_up(client, operator_a):
    elsewhere = resident(VILLAGE_B)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)
    answers = []
    for nik in (elsewhere.nik, ABSENT_NIK):
        response = client.post(
            reverse("verification:item_add", args=[proposal.pk]),
            {"ground": "rem_b", "nik": resident(VILLAGE_A).nik, "duplicate_nik": nik},
        )
        errors = response.context["form"].errors.get("duplicate_nik", [])
        answers.append((response.status_code, [error.replace(nik, "…") for error in errors]))
    assert answers[0] == answers[1]
    assert answers[0][1], "both are refused: a partner must be a resident of the village"


@pytest.fixture
def newborn_of(operator_a, lurah_a):
    """A submitted Usulan of village A proposing a newborn whose mother is named by NIK."""

    def submitted(mother_nik):
        proposal = services.proposal_open(actor=operator_a, month=this_month())
        household = HouseholdFactory(village=village(VILLAGE_A))
        baby = PersonFactory(household=household, birth_date=timezone.localdate())
        item = ProposalItem(
            person=baby,
            kind="addition",
            ground="add_a",
            mother_nik=mother_nik,
            faskes_id=faskes_id(),
        )
        item = services.item_add(actor=operator_a, proposal=proposal, item=item)
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
        return item

    return submitted


def test_the_verifier_checks_the_mother_from_another_village(newborn_of, verifier):
    mother = resident(VILLAGE_B)
    item = newborn_of(mother.nik)
    with pytest.raises(ValidationError, match=f"Ibu \\(NIK {mother.nik}\\) bukan peserta"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)

    enroll(verifier, mother)
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)

    entry = LedgerEntry.objects.get(person=item.person)
    assert entry.mother == mother


def test_the_verifier_is_told_a_mother_nik_is_not_registered(newborn_of, verifier):
    item = newborn_of(ABSENT_NIK)
    with pytest.raises(ValidationError, match=f"NIK ibu {ABSENT_NIK} belum terdaftar"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    item.refresh_from_db()
    assert item.decision == Decision.PENDING
