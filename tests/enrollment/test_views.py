import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.builders import enroll
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_b_participant(verifier):
    person = PersonFactory(
        household=HouseholdFactory(village=village("34.01.02.2001")),
        domicile_since=datetime.date(2020, 1, 1),
    )
    enroll(verifier, person)
    return person


def roster_names(client, **params):
    page = client.get(reverse("enrollment:roster"), params).context["page"]
    return {row.person.name for row in page}


def test_village_roster_shows_own_participants_only(
    client, operator_a, participant, village_b_participant
):
    client.force_login(operator_a)
    assert roster_names(client) == {participant.name}
    assert roster_names(client, q=participant.nik[:8]) == {participant.name}
    assert roster_names(client, q="tidak-ada") == set()


def test_kabupaten_roles_see_every_village(client, verifier, participant, village_b_participant):
    client.force_login(verifier)
    assert roster_names(client) == {participant.name, village_b_participant.name}
    assert roster_names(client, village="34.01.02.2001") == {village_b_participant.name}


def test_person_page_shows_ledger_and_is_404_elsewhere(client, operator_a, operator_b, participant):
    url = reverse("enrollment:person_detail", args=[participant.pk])
    client.force_login(operator_a)
    page = client.get(url).content.decode()
    assert "Peserta PBI Pemda aktif" in page and "DTSEN-3401-000123" in page
    client.force_login(operator_b)
    assert client.get(url).status_code == 404


def test_roster_export_respects_scope_and_keeps_nik_as_text(
    client, operator_b, participant, village_b_participant
):
    client.force_login(operator_b)
    response = client.post(reverse("enrollment:roster_export"))
    job = response.url.rstrip("/").rsplit("/", 1)[-1]
    download = client.get(reverse("jobs:download", args=[job]))
    content = b"".join(download.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("NIK", "NO.KK", "NAMA")
    assert [row[0] for row in rows[1:]] == [village_b_participant.nik]
    assert isinstance(rows[1][0], str) and isinstance(rows[1][9], datetime.datetime)


def test_agency_staff_see_no_participant(client, agency_staff, participant):
    client.force_login(agency_staff)
    assert roster_names(client) == set()
    assert client.get(reverse("enrollment:person_detail", args=[participant.pk])).status_code == 404


def test_roster_queries_do_not_grow_with_participants(
    client, verifier, participant, django_assert_num_queries
):
    client.force_login(verifier)
    url = reverse("enrollment:roster")
    with django_assert_num_queries(10) as first:
        client.get(url)
    for _ in range(5):
        person = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
        enroll(verifier, person)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_roster_pages_refuse_the_wrong_method(client, verifier):
    client.force_login(verifier)
    assert client.post(reverse("enrollment:roster")).status_code == 405
    assert client.get(reverse("enrollment:roster_export")).status_code == 405


def test_person_page_shows_the_change_history(client, operator_a, participant):
    from people.services import person_record

    household = participant.household
    person_record(
        actor=operator_a,
        village=household.village,
        nik=participant.nik,
        name="Nama Baru",
        kk_number=household.number,
        dusun=household.dusun,
        rt=household.rt,
        rw=household.rw,
    )
    client.force_login(operator_a)
    page = client.get(reverse("enrollment:person_detail", args=[participant.pk])).content.decode()
    assert f"{participant.name} → Nama Baru" in page


@pytest.mark.parametrize(
    "page, sample, filename",
    [
        ("import_participants", "import_sample", "peserta_contoh.csv"),
        ("import_registry", "import_registry_sample", "dtks_contoh.csv"),
    ],
)
def test_the_import_pages_offer_their_sample_as_a_download(
    client, admin_user, operator_a, page, sample, filename
):
    from django.conf import settings

    client.force_login(admin_user)
    html = client.get(reverse(f"enrollment:{page}")).content.decode()
    assert f'href="{reverse(f"enrollment:{sample}")}"' in html
    assert "fixtures/sample" not in html
    response = client.get(reverse(f"enrollment:{sample}"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    expected = (settings.BASE_DIR / "fixtures" / "sample" / filename).read_bytes()
    assert b"".join(response.streaming_content) == expected
    assert client.post(reverse(f"enrollment:{sample}")).status_code == 405
    client.force_login(operator_a)
    assert client.get(reverse(f"enrollment:{sample}")).status_code == 403
