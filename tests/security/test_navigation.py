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


def test_every_link_belongs_to_a_group_of_the_bar():
    groups = {*navigation.GROUPS, navigation.ACCOUNT}
    assert {link.group for link in navigation._LINKS} <= groups


def test_the_bar_groups_links_in_dropdowns_and_a_lone_link_stays_plain(world, lurah_a):
    client = Client()
    client.force_login(lurah_a)
    home = client.get(reverse("home"))
    groups = {group.label: group for group in home.context["nav_groups"]}
    assert [link.label for link, _ in groups["SKTM"].entries] == ["Formulir SKTM", "SKTM"]
    page = home.content.decode()
    assert page.count('data-bs-toggle="dropdown"') == 1 + sum(
        not group.is_single for group in groups.values()
    )
    assert groups["Instruksi"].is_single
    assert '<a class="nav-link" href="/instruksi/">Instruksi' in page
    for words in ("Ganti sandi", "Dua langkah", "Keluar"):
        assert words in page


def test_badges_are_counted_once_per_request_and_kept_briefly(
    world, verifier, monkeypatch, settings
):
    settings.NAV_BADGE_SECONDS = 30
    counted = []
    real = next(
        link.waiting for link in navigation._LINKS if link.url_name == "verification:proposal_list"
    )

    def counting(user):
        counted.append(user)
        return real(user)

    links = [
        navigation.Link(**{**link.__dict__, "waiting": counting})
        if link.url_name == "verification:proposal_list"
        else link
        for link in navigation._LINKS
    ]
    monkeypatch.setattr(navigation, "_LINKS", links)
    client = Client()
    client.force_login(verifier)
    first = client.get(reverse("home"))
    assert first.context["nav_badges"]["verification:proposal_list"] == 1
    assert len(counted) == 1
    client.get(reverse("verification:proposal_list"))
    assert len(counted) == 1, "dihitung lagi sebelum 30 detik"
    navigation.cache.clear()
    client.get(reverse("home"))
    assert len(counted) == 2
