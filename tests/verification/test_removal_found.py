"""Removals the Tim Verifikasi finds itself: approved at once, waiting in the one validation
queue, in a record of Dinas Sosial beside the village's own Usulan of the month."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrollment.models import Ground, Kind
from tests.builders import LONG_AGO, MOVED_OUT, enroll, propose, this_month
from tests.factories import PersonFactory
from verification import services
from verification.models import (
    Decision,
    Proposal,
    ProposalEvent,
    ProposalItem,
    ProposalSource,
    ProposalStatus,
)

pytestmark = pytest.mark.django_db


def removal(person, **evidence):
    return ProposalItem(
        person=person, kind=Kind.REMOVAL, ground=Ground.MOVED_OUT, evidence=evidence or MOVED_OUT
    )


@pytest.fixture
def participant(verifier):
    person = PersonFactory(domicile_since=LONG_AGO)
    enroll(verifier, person)
    return person


def test_a_found_removal_is_approved_and_waits_for_validation(verifier, participant):
    item = services.removal_found(actor=verifier, item=removal(participant), note="Kunjungan")
    assert item.decision == Decision.APPROVED and item.decided_by == verifier
    assert item.proposal.source == ProposalSource.DINSOS
    assert item.proposal.status == ProposalStatus.CLOSED
    assert list(ProposalItem.objects.awaiting_validation()) == [item]
    assert ProposalEvent.objects.filter(item=item, to_status=Decision.APPROVED).exists()


def test_the_villages_usulan_and_the_dinsos_record_share_a_month(verifier, operator_a, participant):
    services.removal_found(actor=verifier, item=removal(participant))
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    assert proposal.source == ProposalSource.VILLAGE
    propose(operator_a, proposal, PersonFactory(domicile_since=LONG_AGO))
    assert Proposal.objects.filter(month=this_month()).count() == 2
    assert services.proposal_open(actor=operator_a, month=this_month()) == proposal


def test_only_the_team_records_found_removals(operator_a, dukcapil, participant):
    for actor in (operator_a, dukcapil):
        with pytest.raises(PermissionDenied, match="Hanya Tim Verifikasi"):
            services.removal_found(actor=actor, item=removal(participant))
    assert not Proposal.objects.exists()


def test_a_found_removal_checks_its_ground_and_writes_nothing_on_failure(verifier, participant):
    with pytest.raises(ValidationError, match="Bukti belum lengkap"):
        services.removal_found(actor=verifier, item=removal(participant, destination="Sleman"))
    assert not Proposal.objects.exists()
    not_participant = PersonFactory(domicile_since=LONG_AGO)
    with pytest.raises(ValidationError, match="bukan peserta"):
        services.removal_found(actor=verifier, item=removal(not_participant))


def test_a_person_proposed_by_the_village_is_not_found_twice(verifier, operator_a, participant):
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    services.item_add(actor=operator_a, proposal=proposal, item=removal(participant))
    with pytest.raises(ValidationError, match="sudah ada dalam usulan"):
        services.removal_found(actor=verifier, item=removal(participant))
