"""The Usulan's state machine: allowed moves and the capability that may make each. A village
drafts it; its Lurah sends it (Pasal 5 ayat 9); the Tim Verifikasi returns it or, once every
person is decided, closes it (ayat 5)."""

from accounts import transitions
from accounts.permissions import can_decide, can_submit_proposal
from verification.models import ProposalEvent, ProposalStatus

S = ProposalStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED): can_submit_proposal,
    (S.RETURNED, S.SUBMITTED): can_submit_proposal,
    (S.SUBMITTED, S.RETURNED): can_decide,
    (S.SUBMITTED, S.CLOSED): can_decide,
}


def require_may_move(*, proposal, to, actor, message):
    transitions.require_may_move(proposal, to=to, actor=actor, allowed=ALLOWED, message=message)


def transition(*, proposal, to, actor, message, note="", apply=None):
    """Moves an Usulan to `to`, locking its row, and appends its history row. Call inside the
    service's transaction, after its own checks of the state."""
    return transitions.transition(
        proposal,
        to=to,
        actor=actor,
        allowed=ALLOWED,
        history=ProposalEvent,
        note=note,
        message=message,
        apply=apply,
    )
