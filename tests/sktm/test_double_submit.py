"""Issue 14 finding 4: identical parallel submissions give one open form and at most one valid
letter for one person, and each refused duplicate a message, never a 500."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from people.models import Household, Person
from sktm import services
from sktm.models import FormStatus, Letter, VerificationForm
from tests.builders import POOR_15
from tests.factories import UserFactory, village

SUBMITTERS = 4
TODAY = timezone.localdate
OTHER_NIK = "3401015201850011"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL"
)


def _in_parallel(count, work):
    """Runs `work()` in `count` threads released together; returns what each raised."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            work()
            outcomes.append(None)
        except Exception as error:  # noqa: BLE001 (collected and asserted by the caller)
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@postgresql_only
def test_parallel_identical_submissions_give_one_form_one_household(committed_reference_data):
    home = village("34.01.01.2001")
    operator = UserFactory(role="operator", village=home)

    outcomes = _in_parallel(
        SUBMITTERS, lambda: services.sktm_form_submit(actor=operator, data=POOR_15)
    )

    refused = [error for error in outcomes if error is not None]
    assert len(refused) == SUBMITTERS - 1
    assert all(isinstance(error, ValidationError) for error in refused), refused
    assert {error.code for error in refused} == {"open_form"}
    assert VerificationForm.objects.count() == 1
    assert Household.objects.filter(number=POOR_15["kk_number"]).count() == 1
    assert Person.objects.filter(nik=POOR_15["nik"]).count() == 1


@postgresql_only
def test_a_form_submitted_while_the_letter_is_issued_gets_no_second_letter(
    committed_reference_data,
):
    home = village("34.01.01.2001")
    operator = UserFactory(role="operator", village=home)
    lurah = UserFactory(role="village_head", village=home)
    form = services.sktm_form_submit(actor=operator, data=POOR_15)
    form = services.sktm_form_acknowledge(actor=lurah, form=form)
    # The race the attack found: a second form of the same person slipped in while the first
    # one was being issued (here under another declared NIK, which the form constraint
    # allows); issuing both at once must give one letter.
    second = services.sktm_form_submit(actor=operator, data={**POOR_15, "nik": OTHER_NIK})
    second = services.sktm_form_acknowledge(actor=lurah, form=second)
    VerificationForm.objects.filter(pk=second.pk).update(person=form.person)
    second.refresh_from_db()
    forms = [form, second]

    outcomes = _in_parallel(2, lambda: services.letter_issue(actor=lurah, form=forms.pop()))

    refused = [error for error in outcomes if error is not None]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), refused
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_open_form_per_nik_and_village(submitted_form):
    duplicate = VerificationForm.objects.get(pk=submitted_form.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_a_second_letter_for_a_person_with_a_valid_one_is_refused(letter, operator_a, lurah_a):
    second = services.sktm_form_submit(
        actor=operator_a, data={**POOR_15, "nik": "3401015201850011"}
    )
    VerificationForm.objects.filter(pk=second.pk).update(
        person=letter.person, status=FormStatus.ACKNOWLEDGED
    )
    second.refresh_from_db()
    with pytest.raises(ValidationError, match="sudah memiliki SKTM yang masih berlaku"):
        services.letter_issue(actor=lurah_a, form=second)
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_a_duplicate_that_passed_the_check_is_refused_with_a_message(
    submitted_form, operator_a, monkeypatch
):
    # The check ran before the other submission committed: the constraint refuses, and the
    # operator reads why.
    monkeypatch.setattr(services, "_refuse_duplicate", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        services.sktm_form_submit(actor=operator_a, data=POOR_15)
    assert refused.value.code == "open_form"
    assert refused.value.params["form_id"] == submitted_form.pk
    assert VerificationForm.objects.count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_current_letter_per_person_and_village(letter, operator_a):
    other_form = services.sktm_form_submit(actor=operator_a, data={**POOR_15, "nik": OTHER_NIK})
    second = Letter.objects.get(pk=letter.pk)
    second.pk, second.form = None, other_form
    second.sequence, second.number, second.token = 2, "002/X", "another-token"
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    second.person = other_form.person
    second.save()


@pytest.mark.django_db
def test_a_letter_renewed_after_expiry_becomes_the_current_one(letter, operator_a, lurah_a):
    Letter.objects.filter(pk=letter.pk).update(
        issued_on=letter.issued_on - datetime.timedelta(days=200),
        valid_until=letter.valid_until - datetime.timedelta(days=200),
    )
    form = services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = services.sktm_form_acknowledge(actor=lurah_a, form=form)

    renewed = services.letter_issue(actor=lurah_a, form=form, issued_on=TODAY())

    assert Letter.objects.filter(is_current=True).get() == renewed
    assert Letter.objects.get(pk=letter.pk).is_current is False
