"""Issue 14 finding 13: absurd dates and digits are refused wherever they are written, with a
message in Bahasa Indonesia, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from people.models import Household, Person
from sktm.forms import FormFilter, VerificationFormInput
from tests.builders import POOR_15, post_data, record
from verification.forms import ExportForm

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def refused(field, call):
    counts = Household.objects.count(), Person.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert (Household.objects.count(), Person.objects.count()) == counts
    return " ".join(error.value.message_dict[field])


@pytest.mark.parametrize(
    "birth_date", [datetime.date(2999, 1, 1), TODAY.replace(day=2), datetime.date(1899, 12, 31)]
)
def test_a_birth_date_in_the_future_or_before_1900_is_refused(operator_a, birth_date):
    assert "Tanggal lahir" in refused(
        "birth_date", lambda: record(operator_a, birth_date=birth_date)
    )


@pytest.mark.parametrize("since", [datetime.date(1, 1, 1), datetime.date(2027, 1, 1)])
def test_a_domicile_since_year_one_or_in_the_future_is_refused(operator_a, since):
    assert "domisili" in refused("domicile_since", lambda: record(operator_a, domicile_since=since))


def test_a_domicile_before_birth_is_refused(operator_a):
    message = refused(
        "domicile_since",
        lambda: record(
            operator_a,
            birth_date=datetime.date(1990, 5, 4),
            domicile_since=datetime.date(1985, 1, 1),
        ),
    )
    assert "sebelum tanggal lahir" in message


def test_plausible_dates_are_kept(operator_a):
    person = record(operator_a, birth_date=datetime.date(1900, 1, 1), domicile_since=TODAY)
    assert (person.birth_date, person.domicile_since) == (datetime.date(1900, 1, 1), TODAY)


@pytest.mark.parametrize("value", ["²", "1²", "٣", "1 ", "-1", "1234"])
def test_rt_and_rw_are_ascii_digits(operator_a, value):
    assert "RT" in refused("rt", lambda: record(operator_a, rt=value))
    assert "RW" in refused("rw", lambda: record(operator_a, rw=value))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "2999-01-01"),
        ("birth_date", "2026-01-99"),
        ("birth_date", "0001-01-01"),
        ("rt", "²"),
        ("rw", "٣"),
    ],
)
def test_the_sktm_form_shows_the_error_on_its_field(field, value):
    form = VerificationFormInput(post_data({**POOR_15, field: value}))
    assert not form.is_valid()
    assert form.errors[field]


def test_the_sktm_birth_date_is_shown_in_iso_form_in_its_date_input():
    form = VerificationFormInput(initial={"birth_date": datetime.date(2026, 1, 12)})
    assert 'value="2026-01-12"' in str(form["birth_date"])


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "2026-00", "2026-1²"])
def test_an_absurd_month_is_refused_by_every_filter(month):
    assert "month" in FormFilter({"month": month}).errors
    assert "month" in ExportForm({"month": month}, districts=Household.objects.none()).errors


def test_a_plausible_month_passes():
    assert FormFilter({"month": "2026-12"}).is_valid()


def test_an_absurd_month_in_the_queue_is_a_message_not_a_500(client, verifier):
    client.force_login(verifier)
    response = client.get(reverse("verification:proposal_list"), {"month": "0000-01"})
    assert response.status_code == 200


def test_an_absurd_month_in_the_sktm_list_is_a_message_not_a_500(client, operator_a):
    client.force_login(operator_a)
    response = client.get(reverse("sktm:form_list"), {"month": "0000-13"})
    assert response.status_code == 200
    assert response.context["filters"].errors["month"]


def test_any_date_has_its_plausible_range_with_its_name():
    from people.models import require_plausible_date

    with pytest.raises(ValidationError, match="Tanggal cek harus antara 01-01-1900"):
        require_plausible_date(datetime.date(2999, 1, 1), "Tanggal cek")
    require_plausible_date(TODAY, "Tanggal cek")
