"""The Pasal 5 ayat (4) conditions the ledger itself enforces, whoever calls it: the
declaration of no other cover, the domicile document and the faskes. A refusal writes
nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from enrollment import services
from enrollment.models import Ground, LedgerEntry, Participation
from regions.models import HealthFacility
from tests.builders import DECLARATION, DTKS_EVIDENCE, JAN
from tests.factories import PersonFactory, faskes
from verification import services as verification
from verification.models import ProposalItem

pytestmark = pytest.mark.django_db
WITHOUT_DECLARATION = {
    key: value for key, value in DTKS_EVIDENCE.items() if key != "has_other_cover"
}


def add(actor, person, ground=Ground.DTKS, **kwargs):
    kwargs.setdefault("evidence", DTKS_EVIDENCE)
    kwargs.setdefault("faskes", faskes())
    return services.participant_add(
        actor=actor, person=person, ground=ground, effective_month=JAN, **kwargs
    )


def assert_refused(message, call):
    with pytest.raises(ValidationError, match=message):
        call()
    assert not LedgerEntry.objects.exists() and not Participation.objects.exists()


def test_ground_c1_without_the_no_other_cover_declaration_is_refused(resident, verifier):
    assert_refused(
        "tidak memiliki jaminan kesehatan lain",
        lambda: add(verifier, resident, evidence=WITHOUT_DECLARATION),
    )


def test_ground_b_without_the_no_other_cover_declaration_is_refused(participant, verifier):
    sibling = PersonFactory(household=participant.household)
    with pytest.raises(ValidationError, match="tanpa jaminan lain"):
        add(verifier, sibling, Ground.FAMILY, evidence={})
    with pytest.raises(ValidationError, match="tanpa jaminan lain"):
        add(verifier, sibling, Ground.FAMILY, evidence={"has_other_cover": "tidak"})
    assert not LedgerEntry.objects.filter(person=sibling).exists()
    add(verifier, sibling, Ground.FAMILY, evidence={"has_other_cover": False})


@pytest.mark.parametrize("document", [None, "", "Paspor"])
def test_ground_c_without_a_ktp_or_kk_as_domicile_document_is_refused(resident, verifier, document):
    evidence = {**DTKS_EVIDENCE, "domicile_document": document}
    assert_refused("bukti domisili", lambda: add(verifier, resident, evidence=evidence))


@pytest.mark.parametrize("document", ["KTP", "KK", "KTP dan KK"])
def test_ground_c_takes_the_ktp_the_kk_or_both(resident, verifier, document):
    entry = add(verifier, resident, evidence={**DTKS_EVIDENCE, "domicile_document": document})
    assert entry.evidence["domicile_document"] == document


def test_an_addition_without_a_faskes_is_refused(resident, verifier):
    assert_refused("Pilih faskes", lambda: add(verifier, resident, faskes=None))


def test_an_addition_at_an_inactive_faskes_or_one_of_another_kabupaten_is_refused(
    resident, verifier
):
    elsewhere = HealthFacility.objects.filter(district__regency__code="33.13").first()
    assert_refused("bukan faskes aktif", lambda: add(verifier, resident, faskes=elsewhere))
    closed = faskes()
    closed.is_active = False
    closed.save()
    assert_refused("bukan faskes aktif", lambda: add(verifier, resident, faskes=closed))


def test_a_newborn_needs_a_faskes_too(participant, verifier):
    baby = PersonFactory(household=participant.household, birth_date=datetime.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="Pilih faskes"):
        add(verifier, baby, Ground.NEWBORN, mother=participant, evidence={}, faskes=None)
    assert add(verifier, baby, Ground.NEWBORN, mother=participant, evidence={}).pk


def test_the_opening_balance_needs_no_pasal_5_evidence(resident, admin_user):
    entry = add(admin_user, resident, Ground.OPENING, evidence={}, faskes=None)
    assert entry.evidence == {}


def test_the_usulan_refuses_an_item_the_ledger_would_refuse(resident, operator_a):
    proposal = verification.proposal_open(
        actor=operator_a, month=datetime.date.today().replace(day=1)
    )
    for evidence, fields, message in [
        (WITHOUT_DECLARATION, {"faskes": faskes()}, "tidak memiliki jaminan kesehatan lain"),
        ({**DTKS_EVIDENCE, "domicile_document": ""}, {"faskes": faskes()}, "bukti domisili"),
        (DTKS_EVIDENCE, {}, "Pilih faskes"),
    ]:
        item = ProposalItem(
            person=resident, kind="addition", ground=Ground.DTKS, evidence=evidence, **fields
        )
        with pytest.raises(ValidationError, match=message):
            verification.item_add(actor=operator_a, proposal=proposal, item=item)
    assert not proposal.items.exists()


def test_the_declaration_is_recorded_with_the_entry(resident, verifier):
    entry = add(verifier, resident)
    assert {key: entry.evidence[key] for key in DECLARATION} == DECLARATION
