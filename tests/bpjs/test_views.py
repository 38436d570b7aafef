"""The BPJS pages: a person's history and its form, the participants by BPJS status."""

import datetime

import pytest
from django.urls import reverse

import jobs
from bpjs import services
from bpjs.models import Record, RegistrationFile, Status
from regions.models import District, Village
from tests.builders import enrolled, resident, this_month

pytestmark = pytest.mark.django_db


def test_the_team_records_a_row_on_the_person_page(client, verifier):
    person = resident()
    client.force_login(verifier)
    url = reverse("bpjs:person_detail", args=[person.pk])
    response = client.post(
        url,
        {
            "status": Status.ACTIVE,
            "source_date": datetime.date.today().isoformat(),
            "card_number": "0001234567890",
            "tmt": "2026-01-01",
        },
    )
    assert response.status_code == 302
    record = Record.objects.get(person=person)
    assert (record.status, record.card_number) == (Status.ACTIVE, "0001234567890")
    page = client.get(url).content.decode()
    assert "0001234567890" in page and "Dicatat Tim Verifikasi" in page


def test_a_bad_card_number_is_shown_and_writes_nothing(client, verifier):
    person = resident()
    client.force_login(verifier)
    response = client.post(
        reverse("bpjs:person_detail", args=[person.pk]),
        {
            "status": Status.SENT,
            "source_date": datetime.date.today().isoformat(),
            "card_number": "12",
        },
    )
    assert response.status_code == 200
    assert "13 digit angka" in response.content.decode()
    assert not Record.objects.exists()


def test_a_reader_sees_the_history_without_the_form(client, leadership, verifier):
    person = resident()
    services.bpjs_record(
        actor=verifier, person=person, status=Status.SENT, source_date=datetime.date.today()
    )
    client.force_login(leadership)
    page = client.get(reverse("bpjs:person_detail", args=[person.pk])).content.decode()
    assert "Didaftarkan" in page and "Catat data BPJS" not in page


def test_a_person_of_another_kabupaten_is_not_found(client, verifier):
    outside = resident(Village.objects.filter(district__regency__code="33.13").first().code)
    client.force_login(verifier)
    assert client.get(reverse("bpjs:person_detail", args=[outside.pk])).status_code == 404


def test_the_list_filters_participants_by_bpjs_status(client, verifier, admin_user):
    sent, unregistered = enrolled(admin_user), enrolled(admin_user)
    services.bpjs_record(
        actor=verifier, person=sent, status=Status.SENT, source_date=datetime.date.today()
    )
    client.force_login(verifier)
    url = reverse("bpjs:participant_list")

    def names(**query):
        page = client.get(url, query).context["page"]
        return {row.person for row in page}

    assert names() == {sent, unregistered}
    assert names(status=Status.SENT) == {sent}
    assert names(status=Status.UNREGISTERED) == {unregistered}
    assert names(status=Status.ACTIVE) == set()
    other = (
        Village.objects.exclude(pk=sent.household.village_id)
        .filter(district__regency__code="34.01")
        .first()
    )
    assert names(village=other.pk) == set()
    assert names(district=sent.household.village.district_id) == {sent, unregistered}


def test_a_registration_file_of_another_kabupaten_is_not_found(client, verifier, admin_user):
    elsewhere = District.objects.filter(regency__code="33.13").first()
    job = jobs.start(
        "bpjs.registration", admin_user, month=this_month().isoformat(), district=elsewhere.pk
    )
    registration_file = RegistrationFile.objects.get(job=job)
    client.force_login(verifier)
    url = reverse("bpjs:registration_sent", args=[registration_file.pk])
    assert client.post(url, {"sent_on": datetime.date.today().isoformat()}).status_code == 404
    assert registration_file not in client.get(reverse("bpjs:registration")).context["files"]


def test_the_list_holds_only_the_readers_kabupaten(client, leadership, admin_user):
    ours = enrolled(admin_user)
    theirs = enrolled(
        admin_user, Village.objects.filter(district__regency__code="33.13").first().code
    )
    client.force_login(leadership)
    rows = {row.person for row in client.get(reverse("bpjs:participant_list")).context["page"]}
    assert ours in rows and theirs not in rows
