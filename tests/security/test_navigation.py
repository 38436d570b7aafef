"""What the navigation offers each role opens for it, and a refused role is told why."""

import pytest
from django.test import Client
from django.urls import reverse

from pbipemda import navigation
from tests.builders import PERSONAS


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_the_navigation_shows_opens_for_that_role(request, world, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    home = client.get(reverse("home"))
    links = navigation.links_for(user)
    assert links, "tanpa pekerjaan"
    assert set(home.context["nav_badges"]) <= {link.url_name for link in links}
    seen = {}
    for link in links:
        assert f'href="{link.url}"' in home.content.decode(), link.label
        seen[link.url_name] = client.get(link.url, follow=True).status_code
    assert seen == dict.fromkeys(seen, 200)


def test_a_refused_role_gets_the_403_page_in_indonesian(world, operator_a):
    client = Client()
    client.force_login(operator_a)
    response = client.post(reverse("sktm:form_acknowledge", args=[world.form.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Anda tidak berwenang" in page and 'lang="id"' in page
    assert f'href="{reverse("home")}"' in page


def test_a_refused_page_without_a_reason_says_the_role_may_not(world, agency_staff):
    client = Client()
    client.force_login(agency_staff)
    response = client.get(reverse("verification:validation_queue"))
    assert response.status_code == 403
    assert "Peran Anda tidak dapat membuka halaman ini" in response.content.decode()
