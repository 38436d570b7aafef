"""The one transition function, on an SKTM form and a table of its own: who may make a move,
from which state, and what a move or a refusal writes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.transitions import require_may_move, transition
from sktm import services
from sktm.models import FormEvent, FormStatus
from tests.builders import POOR_15

pytestmark = pytest.mark.django_db

S = FormStatus


def is_lurah(user, form):
    return user.username == "lurah_a"


def is_operator(user, form):
    return user.username == "operator_a"


TABLE = {
    (S.SUBMITTED, S.RETURNED): is_lurah,
    (S.SUBMITTED, S.ACKNOWLEDGED): is_lurah,
    (S.ACKNOWLEDGED, S.ISSUED): is_lurah,
    (S.RETURNED, S.ISSUED): is_operator,
}


@pytest.fixture
def form(operator_a):
    return services.sktm_form_submit(actor=operator_a, data=POOR_15)


def move(form, to, actor, **kwargs):
    with transaction.atomic():
        return transition(form, to=to, actor=actor, allowed=TABLE, history=FormEvent, **kwargs)


def test_a_move_of_the_table_writes_its_history_and_the_status(form, lurah_a):
    moved = move(form, S.RETURNED, lurah_a, note="Foto rumah kurang jelas.")
    assert moved.status == S.RETURNED
    form.refresh_from_db()
    assert form.status == S.RETURNED
    event = FormEvent.objects.latest("pk")
    assert (event.form, event.from_status, event.to_status) == (form, S.SUBMITTED, S.RETURNED)
    assert (event.actor, event.note) == (lurah_a, "Foto rumah kurang jelas.")


def test_apply_sets_the_fields_that_go_with_the_move_before_the_save(form, lurah_a):
    def noted(form):
        form.return_note = "Perbaiki indikator lantai."

    move(form, S.RETURNED, lurah_a, apply=noted)
    form.refresh_from_db()
    assert form.return_note == "Perbaiki indikator lantai."


def test_a_role_that_may_make_no_move_into_the_status_is_refused_whatever_the_state(
    form, operator_a, verifier
):
    events = FormEvent.objects.count()
    for actor, to in ((operator_a, S.ACKNOWLEDGED), (verifier, S.RETURNED)):
        with pytest.raises(PermissionDenied, match="tidak berwenang"):
            move(form, to, actor)
    form.refresh_from_db()
    assert form.status == S.SUBMITTED and FormEvent.objects.count() == events


def test_a_move_the_table_does_not_hold_names_both_statuses(form, lurah_a):
    events = FormEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        move(form, S.ISSUED, lurah_a)
    assert refused.value.messages == [
        "Formulir verifikasi SKTM berstatus 'Menunggu diketahui' tidak dapat diubah menjadi "
        f"'{S.ISSUED.label}'."
    ]
    assert FormEvent.objects.count() == events


def test_a_move_allowed_to_others_from_this_state_is_a_wrong_state_not_a_wrong_role(
    form, operator_a, lurah_a
):
    """The operator may move a returned form to issued in this table, not a submitted one:
    the state refuses it, with its message."""
    with pytest.raises(ValidationError, match="tidak dapat diubah menjadi"):
        move(form, S.ISSUED, operator_a)
    move(form, S.RETURNED, lurah_a)
    assert move(form, S.ISSUED, operator_a).status == S.ISSUED


def test_the_status_is_read_from_the_locked_row_not_from_a_stale_object(form, lurah_a):
    stale = type(form).objects.get(pk=form.pk)
    move(form, S.ACKNOWLEDGED, lurah_a)
    with pytest.raises(ValidationError, match="'Diketahui, menunggu surat' tidak dapat diubah"):
        move(stale, S.ACKNOWLEDGED, lurah_a)


def test_require_may_move_asks_before_any_rule(form, operator_a, lurah_a):
    require_may_move(form, to=S.RETURNED, actor=lurah_a, allowed=TABLE)
    with pytest.raises(PermissionDenied, match="Hanya Lurah"):
        require_may_move(
            form, to=S.RETURNED, actor=operator_a, allowed=TABLE, message="Hanya Lurah"
        )
