import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment.models import Ground, Kind, LedgerEntry
from regions.months import add_months
from tests.builders import DTKS_FORM_EVIDENCE, LONG_AGO, faskes_id, propose, this_month
from tests.factories import HouseholdFactory, PersonFactory, UserFactory, regency, village
from verification import services
from verification.models import Decision, ProposalEvent, ProposalItem, ProposalStatus

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL"
)
DECIDERS = 4


def run_together(functions):
    """Runs the functions in threads released at once; returns (refused, failed)."""
    barrier = threading.Barrier(len(functions))
    refused, failed = [], []

    def run(function):
        try:
            barrier.wait()
            function()
        except ValidationError as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 (asserted by the caller)
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=[function]) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused, failed


def test_verifiers_deciding_one_person_at_once_record_one_decision(committed_reference_data):
    lurah = UserFactory(role="village_head", village=village("34.01.01.2001"))
    verifiers = [UserFactory(role="verifier", regency=regency("34.01")) for _ in range(DECIDERS)]
    proposal = services.proposal_open(actor=lurah, month=this_month())
    item = propose(lurah, proposal, PersonFactory(domicile_since=LONG_AGO))
    services.proposal_submit(actor=lurah, proposal=proposal, place="Jangkaran")

    refused, failed = run_together(
        [
            lambda verifier=verifier: services.item_decide(
                actor=verifier, item=item, decision=Decision.APPROVED
            )
            for verifier in verifiers
        ]
    )

    assert failed == []
    assert len(refused) == DECIDERS - 1
    assert all("sudah diputuskan" in error.messages[0] for error in refused)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    assert LedgerEntry.objects.filter(person=item.person).count() == 1
    assert ProposalEvent.objects.filter(item=item, to_status=Decision.APPROVED).count() == 1


def test_two_drafts_cannot_take_the_same_person_at_once(committed_reference_data):
    operator = UserFactory(role="operator", village=village("34.01.01.2001"))
    person = PersonFactory(domicile_since=LONG_AGO)
    drafts = [
        services.proposal_open(actor=operator, month=add_months(this_month(), months))
        for months in (0, 1)
    ]
    refused, failed = run_together(
        [lambda draft=draft: propose(operator, draft, person) for draft in drafts]
    )
    assert failed == []
    assert len(refused) == 1
    assert person.proposal_items.count() == 1


def test_two_drafts_cannot_take_the_same_held_nik_at_once(committed_reference_data):
    """A NIK recorded in another village is held, not recorded: the record it meets is the
    lock, as a resident's own row is."""
    operator = UserFactory(role="operator", village=village("34.01.01.2001"))
    elsewhere = PersonFactory(
        household=HouseholdFactory(village=village("34.01.02.2001")), domicile_since=LONG_AGO
    )
    drafts = [
        services.proposal_open(actor=operator, month=add_months(this_month(), months))
        for months in (0, 1)
    ]
    identity = {
        "name": "Tumini",
        "kk_number": elsewhere.household.number,
        "dusun": "Kepek",
        "rt": "3",
        "rw": "1",
        "relationship": 1,
        "marital_status": 2,
        "domicile_since": LONG_AGO,
    }

    def held(draft):
        item = ProposalItem(
            kind=Kind.ADDITION,
            ground=Ground.DTKS,
            evidence=DTKS_FORM_EVIDENCE,
            faskes_id=faskes_id(),
        )
        services.item_propose(
            actor=operator, proposal=draft, nik=elsewhere.nik, identity=identity, item=item
        )

    refused, failed = run_together([lambda draft=draft: held(draft) for draft in drafts])
    assert failed == []
    assert len(refused) == 1
    assert refused[0].messages[0].startswith("Tumini sudah ada dalam usulan bulan")
    assert ProposalItem.objects.held().count() == 1
