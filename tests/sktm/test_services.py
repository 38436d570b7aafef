import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from people.models import Person
from regions.months import add_months
from sktm import services
from sktm.models import FormEvent, FormStatus, Letter, VerificationForm
from tests.builders import NOT_POOR_9, POOR_15

pytestmark = pytest.mark.django_db


def test_submitting_records_the_person_and_the_computed_score(submitted_form):
    form = submitted_form
    assert (form.dependants, form.income, form.total_score) == (3, 2, 15)
    assert form.dependants_count == 7 and form.monthly_income == 900000
    assert form.minimum_wage > 0 and form.status == FormStatus.SUBMITTED
    assert form.person == Person.objects.get(nik=POOR_15["nik"])
    assert form.events.get().to_status == FormStatus.SUBMITTED


def test_a_form_scoring_nine_ends_ineligible_and_gets_no_letter(operator_a, lurah_a):
    form = services.sktm_form_submit(actor=operator_a, data=NOT_POOR_9)
    assert form.total_score == 9
    form = services.sktm_form_acknowledge(actor=lurah_a, form=form)
    assert form.status == FormStatus.INELIGIBLE
    with pytest.raises(ValidationError):
        services.letter_issue(actor=lurah_a, form=form)
    assert not Letter.objects.exists()


def test_a_form_scoring_ten_passes(operator_a, lurah_a):
    data = {**NOT_POOR_9, "floor": 3}
    form = services.sktm_form_submit(actor=operator_a, data=data)
    assert form.total_score == 10
    assert services.sktm_form_acknowledge(actor=lurah_a, form=form).status == "acknowledged"


def test_letter_is_numbered_per_village_and_year_with_frozen_signer(letter, lurah_a):
    today = letter.issued_on
    assert letter.sequence == 1
    assert (
        letter.number
        == f"001/SKTM/34.01.01.2001/{services.letters.ROMAN_MONTHS[today.month - 1]}/{today.year}"
    )
    assert letter.signer_title == "Lurah Jangkaran"
    assert letter.signer_name == lurah_a.get_full_name()
    assert letter.form.status == FormStatus.ISSUED
    assert letter.valid_until == add_months(today, 3) - datetime.timedelta(days=1)


def test_validity_is_one_query_and_follows_revocation(letter, lurah_a):
    assert Letter.objects.valid_on(letter.issued_on).get() == letter
    assert not Letter.objects.valid_on(letter.valid_until + datetime.timedelta(days=1)).exists()
    services.letter_revoke(actor=lurah_a, letter=letter, reason="Data tidak sesuai")
    assert not Letter.objects.valid_on(letter.issued_on).exists()
    assert Letter.objects.get().status == "dicabut"


def test_only_the_lurah_of_the_village_decides(submitted_form, operator_a, operator_b):
    from tests.factories import UserFactory, village

    other_lurah = UserFactory(role="village_head", village=village("34.01.02.2001"))
    for actor in (operator_a, operator_b, other_lurah):
        with pytest.raises(PermissionDenied):
            services.sktm_form_acknowledge(actor=actor, form=submitted_form)
    assert VerificationForm.objects.get().status == FormStatus.SUBMITTED


def test_returned_form_is_corrected_and_resubmitted(submitted_form, operator_a, lurah_a):
    with pytest.raises(ValidationError):
        services.sktm_form_return(actor=lurah_a, form=submitted_form, note="  ")
    form = services.sktm_form_return(actor=lurah_a, form=submitted_form, note="RT salah")
    assert form.status == FormStatus.RETURNED and form.return_note == "RT salah"
    form = services.sktm_form_submit(actor=operator_a, data={**POOR_15, "rt": "3"}, form=form)
    assert (form.status, form.rt) == (FormStatus.SUBMITTED, "3")
    assert [e.to_status for e in FormEvent.objects.filter(form=form)] == [
        "submitted",
        "returned",
        "submitted",
    ]


def test_applicant_with_an_open_form_or_valid_letter_cannot_apply_again(letter, operator_a):
    with pytest.raises(ValidationError) as error:
        services.sktm_form_submit(actor=operator_a, data=POOR_15)
    assert error.value.code == "valid_letter"
    assert VerificationForm.objects.count() == 1


def test_a_failed_submission_writes_nothing(operator_a):
    bad = {**POOR_15, "kk_number": "123"}
    with pytest.raises(ValidationError):
        services.sktm_form_submit(actor=operator_a, data=bad)
    assert not VerificationForm.objects.exists() and not Person.objects.exists()


def test_only_an_operator_fills_the_form(lurah_a, verifier):
    for actor in (lurah_a, verifier):
        with pytest.raises(PermissionDenied):
            services.sktm_form_submit(actor=actor, data=POOR_15)
