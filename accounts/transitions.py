"""The one way a status moves. Each app's `transitions.py` holds its table,
`ALLOWED = {(from_status, to_status): capability}`, a capability being a function
(user, obj) -> bool of accounts/permissions.py, and calls `transition` with it."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.utils.text import capfirst

from accounts.models import User
from accounts.permissions import REFUSAL

Capability = Callable[[User, Model], bool]
Table = dict[tuple[str, str], Capability]


def require_may_move(
    obj: Model, *, to: str, actor: User, allowed: Table, message: str = REFUSAL
) -> None:
    """Refuses (PermissionDenied) an actor who may make no move of the table into `to`: a role
    that may never make it is refused whatever the object's state."""
    capabilities = [may for (_, target), may in allowed.items() if target == to]
    if not any(may(actor, obj) for may in capabilities):
        raise PermissionDenied(message)


def transition(
    obj: Model,
    *,
    to: str,
    actor: User,
    allowed: Table,
    history: type[Model],
    note: str = "",
    message: str = REFUSAL,
    apply: Callable[[Model], None] | None = None,
    **history_fields,
) -> Model:
    """Moves `obj` to status `to`: locks its row; refuses an actor who may make no move into
    `to` (PermissionDenied with `message`) and, for one who may, a move the table does not
    allow from the locked status, or allows to others only (a ValidationError naming both
    statuses); appends the `history` row (a model with `from_status`, `to_status`, `actor`,
    `note`, a key to the object and `history_fields`), sets the status, lets `apply(obj)` set
    the fields that go with the move (a date, a note), and saves. Call inside the service's
    transaction; returns the locked, moved object."""
    require_may_move(obj, to=to, actor=actor, allowed=allowed, message=message)
    model = type(obj)
    obj = model._default_manager.select_for_update().get(pk=obj.pk)
    may = allowed.get((obj.status, to))
    if may is None or not may(actor, obj):
        labels = dict(model._meta.get_field("status").choices)
        raise ValidationError(
            f"{capfirst(model._meta.verbose_name)} berstatus '{labels[obj.status]}' tidak "
            f"dapat diubah menjadi '{labels[to]}'."
        )
    owner = next(
        field.name
        for field in history._meta.get_fields()
        if field.many_to_one and field.related_model is model
    )
    history._default_manager.create(
        **{owner: obj},
        from_status=obj.status,
        to_status=to,
        actor=actor,
        note=note,
        **history_fields,
    )
    obj.status = to
    if apply is not None:
        apply(obj)
    obj.save()
    return obj
