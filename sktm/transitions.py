"""The form's state machine: allowed moves and the role that may make each."""

from django.core.exceptions import ValidationError

from accounts.models import Role
from sktm.models import FormEvent, FormStatus, VerificationForm

S = FormStatus
ALLOWED = {
    (S.RETURNED, S.SUBMITTED): Role.OPERATOR,
    (S.SUBMITTED, S.RETURNED): Role.VILLAGE_HEAD,
    (S.SUBMITTED, S.ACKNOWLEDGED): Role.VILLAGE_HEAD,
    (S.SUBMITTED, S.INELIGIBLE): Role.VILLAGE_HEAD,
    (S.ACKNOWLEDGED, S.ISSUED): Role.VILLAGE_HEAD,
}


def transition(*, form, to, actor, note=""):
    """Moves a form to `to`, locking its row, and appends the history row. Call inside the
    service's transaction."""
    form = VerificationForm.objects.select_for_update().get(pk=form.pk)
    role = ALLOWED.get((form.status, to))
    if role is None:
        raise ValidationError(
            f"Formulir berstatus '{form.get_status_display()}' tidak dapat diubah menjadi "
            f"'{FormStatus(to).label}'."
        )
    if actor.role != role or actor.village_id != form.village_id:
        raise ValidationError("Anda tidak berwenang melakukan tindakan ini pada formulir ini.")
    FormEvent.objects.create(
        form=form, from_status=form.status, to_status=to, actor=actor, note=note
    )
    form.status = to
    form.save(update_fields=["status", "updated_at"])
    return form
