import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from enrollment.models import Ground, Kind, LedgerEntry
from enrollment.participation import is_active
from regions.months import add_months
from sktm.services import letter_revoke
from tests.builders import DECLARATION, LONG_AGO, PERSONAS, enroll, propose, this_month
from tests.factories import HouseholdFactory, PersonFactory, faskes, village
from verification import services, waiting
from verification.models import (
    Decision,
    Proposal,
    ProposalEvent,
    ProposalItem,
    ProposalStatus,
)

pytestmark = pytest.mark.django_db


def items_of(proposal):
    return list(proposal.items.order_by("pk"))


# Drafting: each ground checked as the ledger will check it.


def test_a_resident_is_proposed_with_the_grounds_evidence(proposal, residents, operator_a):
    item = propose(operator_a, proposal, residents[0])
    assert item.decision == Decision.PENDING
    assert item.evidence["dtks_id"] == "DTSEN-3401-000123"
    assert ProposalEvent.objects.filter(item=item, to_status="added").exists()


def test_domicile_under_six_months_is_refused(proposal, operator_a):
    newcomer = PersonFactory(domicile_since=add_months(timezone.localdate(), -5))
    with pytest.raises(ValidationError, match="berdomisili kurang dari 6 bulan"):
        propose(operator_a, proposal, newcomer)
    assert not ProposalItem.objects.exists()


def test_a_person_already_active_is_refused(proposal, residents, operator_a, verifier):
    enroll(verifier, residents[0])
    with pytest.raises(ValidationError, match="sudah menjadi peserta PBI Pemda aktif"):
        propose(operator_a, proposal, residents[0])


def test_a_newborn_needs_a_mother_who_is_an_active_participant(proposal, operator_a, verifier):
    mother = PersonFactory(sex="P", domicile_since=LONG_AGO)
    baby = PersonFactory(household=mother.household, birth_date=timezone.localdate())
    newborn = ProposalItem(
        person=baby, kind=Kind.ADDITION, ground=Ground.NEWBORN, mother=mother, faskes=faskes()
    )
    with pytest.raises(ValidationError, match=f"Ibu \\(NIK {mother.nik}\\) bukan peserta"):
        services.item_add(actor=operator_a, proposal=proposal, item=newborn)
    enroll(verifier, mother)
    newborn.pk = None
    assert services.item_add(actor=operator_a, proposal=proposal, item=newborn).pk


@pytest.mark.parametrize("missing", ["relationship", "marital_status"])
def test_an_addition_needs_the_shdk_and_status_kawin_lampiran_d_prints(
    proposal, operator_a, missing
):
    """Issue 15 section 8: HUB.KELUARGA and STATUS are filled for every proposed person."""
    person = PersonFactory(domicile_since=LONG_AGO, **{missing: None})
    with pytest.raises(ValidationError, match="Hubungan keluarga dan status perkawinan wajib"):
        propose(operator_a, proposal, person)
    assert not proposal.items.exists()


def test_an_expired_or_revoked_sktm_is_refused(proposal, operator_a, lurah_a, letter):
    person = letter.person
    person.domicile_since = LONG_AGO
    person.save()
    item = ProposalItem(
        person=person,
        kind=Kind.ADDITION,
        ground=Ground.SKTM,
        letter=letter,
        evidence=DECLARATION,
        faskes=faskes(),
    )
    letter_revoke(actor=lurah_a, letter=letter, reason="Data penghasilan keliru")
    with pytest.raises(ValidationError, match="tidak memiliki SKTM yang berlaku"):
        services.item_add(actor=operator_a, proposal=proposal, item=item)


def test_a_person_in_another_open_proposal_is_refused(proposal, residents, operator_a):
    propose(operator_a, proposal, residents[0])
    next_month = services.proposal_open(actor=operator_a, month=add_months(this_month(), 1))
    with pytest.raises(ValidationError, match="sudah ada dalam usulan bulan"):
        propose(operator_a, next_month, residents[0])


def test_a_resident_of_another_village_is_refused(proposal, operator_a):
    elsewhere = PersonFactory(
        household=HouseholdFactory(village=village("34.01.02.2001")), domicile_since=LONG_AGO
    )
    with pytest.raises(ValidationError, match="bukan penduduk"):
        propose(operator_a, proposal, elsewhere)


def test_another_villages_operator_cannot_draft(proposal, residents, operator_b):
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        propose(operator_b, proposal, residents[0])


def test_a_removal_needs_an_active_participant_and_its_evidence(proposal, residents, operator_a):
    removal = ProposalItem(
        person=residents[0],
        kind=Kind.REMOVAL,
        ground=Ground.DIED,
        evidence={"death_date": "2026-10-02", "death_certificate": "3401-KM-0001"},
    )
    with pytest.raises(ValidationError, match="bukan peserta PBI Pemda aktif"):
        services.item_add(actor=operator_a, proposal=proposal, item=removal)


def test_only_this_month_or_the_next_can_be_opened(operator_a, verifier):
    with pytest.raises(ValidationError, match="bulan ini atau bulan depan"):
        services.proposal_open(actor=operator_a, month=add_months(this_month(), -1))
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        services.proposal_open(actor=verifier, month=this_month())


# Submission.


def test_only_the_lurah_submits_and_then_the_village_cannot_change_it(
    proposal, residents, operator_a, lurah_a
):
    propose(operator_a, proposal, residents[0])
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        services.proposal_submit(actor=operator_a, proposal=proposal, place="Jangkaran")
    submitted = services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    assert submitted.status == ProposalStatus.SUBMITTED
    assert submitted.signer_name
    with pytest.raises(ValidationError, match="sudah dikirim"):
        propose(operator_a, proposal, residents[1])
    with pytest.raises(ValidationError, match="sudah dikirim"):
        services.item_withdraw(actor=operator_a, item=proposal.items.get())
    with pytest.raises(ValidationError, match="sudah dikirim"):
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")


def test_an_empty_proposal_is_not_submitted(proposal, lurah_a):
    with pytest.raises(ValidationError, match="masih kosong"):
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")


def test_submission_checks_every_ground_again(proposal, residents, operator_a, lurah_a, verifier):
    propose(operator_a, proposal, residents[0])
    enroll(verifier, residents[0])  # became a participant by another way since drafting
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    assert residents[0].nik in " ".join(refused.value.messages)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


# Decisions.


def test_approving_everyone_closes_and_writes_one_entry_per_approved_addition(
    submitted, residents, verifier
):
    first, second, third = items_of(submitted)
    services.item_decide(actor=verifier, item=first, decision=Decision.APPROVED)
    services.item_decide(
        actor=verifier,
        item=second,
        decision=Decision.REJECTED,
        reason="other_cover",
        reason_text="Terdaftar PPU di perusahaan",
    )
    assert not LedgerEntry.objects.exists()  # nothing enters the ledger before closing
    services.item_decide(actor=verifier, item=third, decision=Decision.APPROVED)
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.CLOSED
    assert LedgerEntry.objects.count() == 2
    assert is_active(residents[0]) and is_active(residents[2])
    assert not is_active(residents[1])
    first.refresh_from_db()
    assert first.ledger_entry.ground == Ground.DTKS
    assert first.ledger_entry.effective_month == this_month()
    second.refresh_from_db()
    assert second.ledger_entry is None
    assert second.get_reason_display() == "Sudah memiliki jaminan kesehatan lain"


def test_a_rejection_needs_a_reason_and_writes_nothing(submitted, verifier):
    item = items_of(submitted)[0]
    with pytest.raises(ValidationError, match="alasan penolakan"):
        services.item_decide(actor=verifier, item=item, decision=Decision.REJECTED)
    for item in items_of(submitted):
        services.item_decide(
            actor=verifier, item=item, decision=Decision.REJECTED, reason="evidence"
        )
    assert not LedgerEntry.objects.exists()


def test_a_person_is_decided_once(submitted, verifier, admin_user):
    item = items_of(submitted)[0]
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    with pytest.raises(ValidationError, match="sudah diputuskan"):
        services.item_decide(
            actor=admin_user, item=item, decision=Decision.REJECTED, reason="other"
        )


@pytest.mark.parametrize("role", ["operator_a", "lurah_a", "panewu_a", "dukcapil", "leadership"])
def test_only_the_tim_verifikasi_decides(request, submitted, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied, match="Hanya Tim Verifikasi"):
        services.item_decide(actor=actor, item=items_of(submitted)[0], decision=Decision.APPROVED)


def test_a_draft_is_not_decided(proposal, residents, operator_a, verifier):
    item = propose(operator_a, proposal, residents[0])
    with pytest.raises(ValidationError, match="tidak sedang diverifikasi"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)


def test_returning_undoes_decisions_and_the_village_resubmits(
    submitted, residents, verifier, operator_a, lurah_a
):
    first = items_of(submitted)[0]
    services.item_decide(actor=verifier, item=first, decision=Decision.APPROVED)
    with pytest.raises(ValidationError, match="catatan"):
        services.proposal_return(actor=verifier, proposal=submitted, note=" ")
    services.proposal_return(actor=verifier, proposal=submitted, note="Lengkapi ID DTSEN")
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.RETURNED
    first.refresh_from_db()
    assert first.decision == Decision.PENDING and first.decided_by is None
    services.item_withdraw(actor=operator_a, item=first)
    services.proposal_submit(actor=lurah_a, proposal=submitted, place="Jangkaran")
    history = list(submitted.events.filter(person=None).values_list("from_status", "to_status"))
    assert history == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]


def test_closing_refuses_when_a_ground_no_longer_holds(submitted, residents, verifier):
    first, second, third = items_of(submitted)
    services.item_decide(actor=verifier, item=first, decision=Decision.APPROVED)
    services.item_decide(actor=verifier, item=second, decision=Decision.APPROVED)
    enroll(verifier, residents[0])  # recorded meanwhile by another way
    with pytest.raises(ValidationError, match="belum dapat diselesaikan"):
        services.item_decide(actor=verifier, item=third, decision=Decision.APPROVED)
    third.refresh_from_db()
    assert third.decision == Decision.PENDING
    assert LedgerEntry.objects.count() == 1


# Removals wait for the validation of the population data (Pasal 5 ayat 3).


@pytest.fixture
def approved_removal(residents, operator_a, lurah_a, verifier):
    enroll(verifier, residents[0])
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    item = services.item_add(
        actor=operator_a,
        proposal=proposal,
        item=ProposalItem(
            person=residents[0],
            kind=Kind.REMOVAL,
            ground=Ground.MOVED_OUT,
            evidence={"destination": "Kota Yogyakarta", "moved_on": "2026-10-01"},
        ),
    )
    services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    item.refresh_from_db()
    return item


def test_an_approved_removal_waits_for_validation(approved_removal, residents, dukcapil):
    assert approved_removal.proposal.status == ProposalStatus.CLOSED
    assert approved_removal.awaits_validation
    assert is_active(residents[0])
    assert list(ProposalItem.objects.awaiting_validation()) == [approved_removal]
    services.removal_validate(
        actor=dukcapil,
        item=approved_removal,
        validated_on=timezone.localdate(),
        validated_against="SIAK: surat pindah 3401-SP-0099",
    )
    approved_removal.refresh_from_db()
    entry = approved_removal.ledger_entry
    assert entry.kind == Kind.REMOVAL and entry.validated_by == "dukcapil"
    assert entry.recorded_by == dukcapil
    assert not is_active(residents[0], add_months(this_month(), 1))
    with pytest.raises(ValidationError, match="tidak menunggu validasi"):
        services.removal_validate(
            actor=dukcapil,
            item=approved_removal,
            validated_on=timezone.localdate(),
            validated_against="lagi",
        )


def test_a_village_cannot_validate_a_removal(approved_removal, lurah_a):
    with pytest.raises(PermissionDenied, match="Dukcapil atau Dinas Sosial"):
        services.removal_validate(
            actor=lurah_a,
            item=approved_removal,
            validated_on=timezone.localdate(),
            validated_against="x",
        )


def test_a_future_validation_date_is_refused(approved_removal, verifier):
    with pytest.raises(ValidationError, match="masa depan"):
        services.removal_validate(
            actor=verifier,
            item=approved_removal,
            validated_on=timezone.localdate() + datetime.timedelta(days=1),
            validated_against="SIAK",
        )
    assert ProposalItem.objects.awaiting_validation().count() == 1


def test_a_person_awaiting_validation_cannot_be_proposed_again(
    approved_removal, residents, operator_a
):
    proposal = services.proposal_open(actor=operator_a, month=add_months(this_month(), 1))
    with pytest.raises(ValidationError, match="menunggu validasi"):
        services.item_add(
            actor=operator_a,
            proposal=proposal,
            item=ProposalItem(
                person=residents[0],
                kind=Kind.REMOVAL,
                ground=Ground.DIED,
                evidence={"death_date": "2026-11-02", "death_certificate": "KM-1"},
            ),
        )


def test_approving_all_pending_at_once_closes_the_usulan(submitted, residents, verifier):
    first = items_of(submitted)[0]
    services.item_decide(actor=verifier, item=first, decision=Decision.REJECTED, reason="other")
    assert services.items_approve_pending(actor=verifier, proposal=submitted) == 2
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.CLOSED
    assert LedgerEntry.objects.count() == 2


def test_approving_all_is_all_or_nothing(submitted, residents, verifier):
    enroll(verifier, residents[1])  # one ground no longer holds
    with pytest.raises(ValidationError, match=residents[1].name):
        services.items_approve_pending(actor=verifier, proposal=submitted)
    assert not submitted.items.exclude(decision=Decision.PENDING).exists()
    assert LedgerEntry.objects.count() == 1


def test_the_demo_usulan_waits_for_the_team_and_loads_once(operator_a, lurah_a, verifier):
    call_command("load_demo_proposals", stdout=io.StringIO())
    call_command("load_demo_proposals", stdout=io.StringIO())
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.items.count() == 3
    assert waiting.proposals_to_decide(verifier).count() == 1


# The state machine by role: who may make each move from each state.
MOVES = {
    # move: (state it starts from, roles allowed)
    "add": ("draft", {"operator_a", "lurah_a"}),
    "withdraw": ("draft", {"operator_a", "lurah_a"}),
    "submit": ("draft", {"lurah_a"}),
    "decide": ("submitted", {"verifier", "admin_user"}),
    "return": ("submitted", {"verifier", "admin_user"}),
}


def make_move(move, actor, proposal, person):
    item = proposal.items.first()
    if move == "add":
        return propose(actor, proposal, person)
    if move == "withdraw":
        return services.item_withdraw(actor=actor, item=item)
    if move == "submit":
        return services.proposal_submit(actor=actor, proposal=proposal, place="Jangkaran")
    if move == "decide":
        return services.item_decide(actor=actor, item=item, decision=Decision.APPROVED)
    return services.proposal_return(actor=actor, proposal=proposal, note="Perbaiki")


@pytest.mark.parametrize("move", MOVES)
@pytest.mark.parametrize("who", PERSONAS)
def test_each_move_is_allowed_only_to_its_roles(
    request, move, who, proposal, residents, operator_a, lurah_a
):
    start, allowed = MOVES[move]
    propose(operator_a, proposal, residents[0])
    if start == "submitted":
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    actor = request.getfixturevalue(who)
    if who in allowed:
        make_move(move, actor, proposal, residents[1])
    else:
        before = list(ProposalEvent.objects.values_list("pk", flat=True))
        with pytest.raises(PermissionDenied):
            make_move(move, actor, proposal, residents[1])
        assert list(ProposalEvent.objects.values_list("pk", flat=True)) == before


@pytest.mark.parametrize("move", MOVES)
def test_no_move_is_made_from_the_wrong_state(
    move, proposal, residents, operator_a, lurah_a, verifier
):
    start, allowed = MOVES[move]
    propose(operator_a, proposal, residents[0])
    actor = {"draft": lurah_a, "submitted": verifier}[start]
    if start == "draft":  # village moves on a submitted Usulan
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    with pytest.raises(ValidationError):
        make_move(move, actor, proposal, residents[1])
