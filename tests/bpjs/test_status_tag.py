"""The tag other apps' pages use to show a person's latest BPJS status."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bpjs import services
from bpjs.models import Status
from tests.builders import resident

pytestmark = pytest.mark.django_db

ROW = Template("{% load bpjs_tags %}<table>{% bpjs_status person %}</table>")


def render(user, person):
    request = RequestFactory().get("/")
    request.user = user
    return ROW.render(Context({"request": request, "person": person}))


def test_a_reader_sees_the_latest_status_and_a_link(verifier, leadership):
    person = resident()
    assert "Belum didaftarkan" in render(leadership, person)
    services.bpjs_record(
        actor=verifier,
        person=person,
        status=Status.ACTIVE,
        source_date=datetime.date.today(),
        card_number="0001234567890",
        tmt=datetime.date(2026, 1, 1),
    )
    html = render(leadership, person)
    assert "Aktif · No. Kartu 0001234567890 · TMT 01-01-2026" in html
    assert f"/bpjs/peserta/{person.pk}/" in html


def test_a_role_that_may_not_read_bpjs_sees_nothing(operator_a):
    assert "Status BPJS" not in render(operator_a, resident())
