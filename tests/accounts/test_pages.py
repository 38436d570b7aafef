import pytest
from django.http import HttpRequest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_every_role_lands_on_its_own_home_page(client, persona):
    assert client.login(request=HttpRequest(), username=persona.username, password=DEFAULT_PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert persona.role_label in page
    area = persona.village or persona.area
    assert str(area) in page if area else "Seluruh Kabupaten Kulon Progo" in page


def test_navigation_shows_each_role_only_what_it_may_use(
    client, operator_a, admin_user, agency_staff
):
    client.force_login(operator_a)
    page = client.get(reverse("home")).content.decode()
    assert reverse("village_list") in page and reverse("admin:index") not in page
    client.force_login(agency_staff)
    page = client.get(reverse("home")).content.decode()
    assert reverse("village_list") not in page
    client.force_login(admin_user)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_login_page_speaks_indonesian_and_refuses_a_wrong_password(client, operator_a):
    page = client.get(reverse("login")).content.decode()
    assert "Masuk" in page and 'lang="id"' in page
    response = client.post(reverse("login"), {"username": "operator_a", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau sandi salah" in response.content.decode()


def test_login_sends_the_user_home(client, operator_a):
    response = client.post(
        reverse("login"), {"username": "operator_a", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_anonymous_visitor_must_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_logout_is_post_only(client, operator_a):
    client.force_login(operator_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_applies_the_password_validators(client, operator_a):
    client.force_login(operator_a)
    url = reverse("password_change")
    weak = {
        "old_password": DEFAULT_PASSWORD,
        "new_password1": "12345678",
        "new_password2": "12345678",
    }
    response = client.post(url, weak)
    assert response.status_code == 200
    assert "terlalu umum" in response.content.decode()
    strong = "Kebun-Salak-Temon-7"
    response = client.post(
        url, {"old_password": DEFAULT_PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    operator_a.refresh_from_db()
    assert operator_a.check_password(strong)


def test_home_refuses_post(client, operator_a):
    client.force_login(operator_a)
    assert client.post(reverse("home")).status_code == 405


def test_admin_site_is_for_admins_only(client, operator_a, admin_user):
    client.force_login(operator_a)
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(admin_user)
    assert client.get(reverse("admin:regions_healthfacility_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
