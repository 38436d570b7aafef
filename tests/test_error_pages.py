"""The error pages speak Indonesian, sit in the site's frame and offer a way back; the 500 page
renders with nothing from the request."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.template import Context, loader
from django.test import Client, override_settings
from django.urls import path, reverse

from pbipemda.urls import urlpatterns as site_patterns


def broken(request):
    raise RuntimeError("rusak")


def suspicious(request):
    raise SuspiciousOperation("isian aneh")


urlpatterns = [
    path("uji/rusak/", broken),
    path("uji/aneh/", suspicious),
    *site_patterns,
]


def in_the_frame(page):
    assert 'lang="id"' in page and "favicon.svg" in page
    assert 'href="/"' in page or f'href="{reverse("home")}"' in page, "tanpa jalan kembali"


def test_an_unknown_address_gets_the_404_page_in_the_frame(db, operator_a):
    client = Client()
    client.force_login(operator_a)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    page = response.content.decode()
    in_the_frame(page)
    assert "Halaman tidak ditemukan" in page and "Keluar" in page


def test_a_forged_qr_code_is_told_the_letter_is_not_registered(db):
    response = Client().get(reverse("sktm:letter_verify", args=["palsu-123"]))
    assert response.status_code == 404
    page = response.content.decode()
    in_the_frame(page)
    assert "SKTM tidak terdaftar" in page and "tidak dapat dipastikan asli" in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_bad_request_gets_the_400_page(db, operator_a):
    client = Client()
    client.force_login(operator_a)
    response = client.get("/uji/aneh/")
    assert response.status_code == 400
    page = response.content.decode()
    in_the_frame(page)
    assert "Permintaan tidak dapat diproses" in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_gets_the_static_500_page(db, operator_a):
    client = Client(raise_request_exception=False)
    client.force_login(operator_a)
    response = client.get("/uji/rusak/")
    assert response.status_code == 500
    page = response.content.decode()
    in_the_frame(page)
    assert "Terjadi kesalahan pada server" in page


def test_the_500_page_needs_no_context():
    page = loader.get_template("500.html").template.render(Context())
    assert "Terjadi kesalahan pada server" in page


def test_a_stale_form_gets_the_csrf_page_in_indonesian(db, operator_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    in_the_frame(page)
    assert "Formulir tidak dapat dikirim" in page and "Tidak ada data yang disimpan" in page


@pytest.mark.parametrize("name", ["400.html", "403.html", "404.html", "403_csrf.html"])
def test_each_error_page_extends_the_site_layout(name):
    assert loader.get_template(name).template.nodelist[0].parent_name.token == '"base.html"'


def test_the_favicon_is_served_from_static(client):
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg")
