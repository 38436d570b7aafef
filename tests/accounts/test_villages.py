import pytest
from django.urls import reverse

from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B

pytestmark = pytest.mark.django_db


def detail(code):
    return reverse("village_detail", args=[code])


def listed_codes(response):
    return {
        village.code
        for district in response.context["districts"]
        for village in district.villages.all()
    }


def test_operator_sees_only_own_village(client, operator_a):
    client.force_login(operator_a)
    response = client.get(reverse("village_list"))
    assert listed_codes(response) == {VILLAGE_A}
    assert client.get(detail(VILLAGE_A)).status_code == 200


def test_operator_cannot_open_village_of_another_area(client, operator_a, operator_b):
    client.force_login(operator_b)
    assert client.get(detail(VILLAGE_A)).status_code == 404
    client.force_login(operator_a)
    assert client.get(detail(VILLAGE_B)).status_code == 404
    assert client.get(detail(VILLAGE_A2)).status_code == 404


def test_panewu_sees_the_villages_of_own_kapanewon_only(client, panewu_a):
    client.force_login(panewu_a)
    codes = listed_codes(client.get(reverse("village_list")))
    assert len(codes) == 15 and {VILLAGE_A, VILLAGE_A2} <= codes
    assert all(code.startswith("34.01.01.") for code in codes)
    assert client.get(detail(VILLAGE_B)).status_code == 404


@pytest.mark.parametrize("persona_name", ["verifier", "dukcapil", "leadership"])
def test_kabupaten_roles_see_their_kabupaten_not_another(client, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert len(listed_codes(client.get(reverse("village_list")))) == 88
    assert client.get(detail(VILLAGE_B)).status_code == 200
    assert client.get(detail("33.13.01.2001")).status_code == 404


def test_agency_staff_see_no_village(client, agency_staff):
    client.force_login(agency_staff)
    assert listed_codes(client.get(reverse("village_list"))) == set()
    assert client.get(detail(VILLAGE_A)).status_code == 404


def test_admin_sees_every_kabupaten(client, admin_user):
    client.force_login(admin_user)
    assert len(listed_codes(client.get(reverse("village_list")))) == 88 + 177
    assert client.get(detail("33.13.01.2001")).status_code == 200


def test_village_page_lists_the_faskes_of_its_kapanewon(client, operator_a):
    client.force_login(operator_a)
    response = client.get(detail(VILLAGE_A))
    assert [f.name for f in response.context["facilities"]] == [
        "Puskesmas Temon I",
        "Puskesmas Temon II",
    ]


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(detail(VILLAGE_A))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_region_pages_refuse_post(client, operator_a):
    client.force_login(operator_a)
    assert client.post(reverse("village_list")).status_code == 405
    assert client.post(detail(VILLAGE_A)).status_code == 405


def test_village_list_queries_do_not_grow_with_villages(
    client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    # Session, user, the navigation's badge counts (five queries: counted afresh in tests),
    # districts, villages: the same for 1 village or 265.
    with django_assert_max_num_queries(9):
        client.get(reverse("village_list"))
