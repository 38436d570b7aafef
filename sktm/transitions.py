"""The form's state machine: allowed moves and the capability that may make each."""

from accounts import transitions
from accounts.permissions import can_acknowledge_sktm_form, can_correct_sktm_form, can_issue_letter
from sktm.models import FormEvent, FormStatus

S = FormStatus
ALLOWED = {
    (S.RETURNED, S.SUBMITTED): can_correct_sktm_form,
    (S.SUBMITTED, S.RETURNED): can_acknowledge_sktm_form,
    (S.SUBMITTED, S.ACKNOWLEDGED): can_acknowledge_sktm_form,
    (S.SUBMITTED, S.INELIGIBLE): can_acknowledge_sktm_form,
    (S.ACKNOWLEDGED, S.ISSUED): can_issue_letter,
}
REFUSAL = "Anda tidak berwenang melakukan tindakan ini pada formulir ini."


def require_may_move(*, form, to, actor):
    transitions.require_may_move(form, to=to, actor=actor, allowed=ALLOWED, message=REFUSAL)


def transition(*, form, to, actor, note=""):
    """Moves a form to `to`, locking its row, and appends the history row. Call inside the
    service's transaction."""
    return transitions.transition(
        form, to=to, actor=actor, allowed=ALLOWED, history=FormEvent, note=note, message=REFUSAL
    )
