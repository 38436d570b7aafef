"""Issue 15 section 8: the SKTM an office can use. The village's logo and address in the
letterhead, the household members from the KK, the dusun as entered, and a QR code that opens
the configured public address whatever host the Lurah downloaded from."""

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from people import services as people_services
from people.models import Relationship
from regions.models import LOGO_MAX_BYTES
from sktm import letters
from sktm.models import Letter, LetterTemplate
from tests.builders import POOR_15

pytestmark = pytest.mark.django_db


def image_bytes(kind="PNG", size=(40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 102, 51)).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def rendered(monkeypatch):
    """Each letter rendered: (the HTML, the address its QR code opens)."""
    calls = []
    render = letters.letter_html

    def spied(letter, verify_url):
        html = render(letter, verify_url)
        calls.append((html, verify_url))
        return html

    monkeypatch.setattr(letters, "letter_html", spied)
    return calls


def issue(client, lurah, form, host="testserver"):
    client.force_login(lurah)
    response = client.post(reverse("sktm:letter_issue", args=[form.pk]), HTTP_HOST=host)
    assert response.status_code == 302
    return Letter.objects.get(form=form)


def stored_pdf(letter):
    letter.refresh_from_db()
    with letter.pdf_file.open("rb") as file:
        return file.read()


# The QR code's address


def test_the_qr_code_opens_the_public_address_not_the_host_of_the_download(
    client, lurah_a, acknowledged_form, rendered, settings
):
    settings.PUBLIC_BASE_URL = "https://pbi.kulonprogokab.go.id"
    letter = issue(client, lurah_a, acknowledged_form, host="127.0.0.1")
    token_path = reverse("sktm:letter_verify", args=[letter.token])
    assert [url for _, url in rendered] == [f"https://pbi.kulonprogokab.go.id{token_path}"]
    assert letters.qr_svg(rendered[0][1]) in rendered[0][0]


def test_without_the_setting_the_qr_code_opens_the_first_allowed_host_not_the_request_host(
    client, lurah_a, acknowledged_form, rendered, settings
):
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = [".kulonprogokab.go.id", "pbi.kulonprogokab.go.id", "127.0.0.1"]
    letter = issue(client, lurah_a, acknowledged_form, host="127.0.0.1")
    assert rendered[0][1].startswith("https://pbi.kulonprogokab.go.id/sktm/cek/")
    assert letter.token in rendered[0][1]


def test_the_request_host_is_used_only_in_debug(settings):
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001")
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["pbi.example.go.id", "localhost"]
    settings.DEBUG = True
    assert letters.public_base_url(request) == "http://localhost:8001/"
    settings.DEBUG = False
    assert letters.public_base_url(request) == "https://pbi.example.go.id/"
    settings.PUBLIC_BASE_URL = "https://pbi.example.go.id/sub/"
    assert letters.public_base_url(request) == "https://pbi.example.go.id/sub/"


# The letterhead, the household, the address


def test_the_stored_letter_carries_the_village_logo_and_office_address(
    client, lurah_a, acknowledged_form, rendered
):
    village = acknowledged_form.village
    village.address = "Jl. Wates Km 5, Kulon Progo 55652"
    village.logo = SimpleUploadedFile("logo.png", image_bytes())
    village.full_clean()
    village.save()

    letter = issue(client, lurah_a, acknowledged_form)

    html = rendered[0][0]
    assert 'src="data:image/png;base64,' in html
    assert "Jl. Wates Km 5, Kulon Progo 55652" in html
    assert b"/Image" in stored_pdf(letter)


def test_a_village_without_a_logo_prints_a_letter_without_an_image(
    client, lurah_a, acknowledged_form, rendered
):
    letter = issue(client, lurah_a, acknowledged_form)
    assert "<img" not in rendered[0][0]
    assert b"/Image" not in stored_pdf(letter)


def test_the_letter_lists_the_household_members_without_their_nik(
    client, operator_a, lurah_a, acknowledged_form, rendered
):
    child_nik = "3401010101100099"
    people_services.person_record(
        actor=operator_a,
        village=acknowledged_form.village,
        nik=child_nik,
        name="Dimas Anak Sri",
        kk_number=POOR_15["kk_number"],
        dusun=POOR_15["dusun"],
        rt=POOR_15["rt"],
        rw=POOR_15["rw"],
        birth_date=datetime.date(2015, 3, 4),
        relationship=Relationship.CHILD,
    )
    issue(client, lurah_a, acknowledged_form)
    html = rendered[0][0]
    assert "Dimas Anak Sri" in html and "Anak" in html and "4 Maret 2015" in html
    assert child_nik not in html
    assert POOR_15["nik"] in html


def test_the_address_prints_the_dusun_as_entered(client, lurah_a, acknowledged_form, rendered):
    acknowledged_form.dusun = "Dusun 3"
    acknowledged_form.save(update_fields=["dusun"])
    issue(client, lurah_a, acknowledged_form)
    assert "Dusun 3, RT" in rendered[0][0]
    assert "Dusun Dusun" not in rendered[0][0]


def test_the_form_page_and_lampiran_a_print_the_dusun_as_entered(
    client, lurah_a, acknowledged_form
):
    acknowledged_form.dusun = "Dusun 3"
    acknowledged_form.save(update_fields=["dusun"])
    client.force_login(lurah_a)
    page = client.get(reverse("sktm:form_detail", args=[acknowledged_form.pk])).content.decode()
    assert "Dusun 3, RT" in page and "Dusun Dusun" not in page
    html = letters.form_html(acknowledged_form)
    assert "Dusun 3, RT" in html and "Dusun Dusun" not in html


# The logo the admin uploads


@pytest.mark.parametrize("kind,name", [("PNG", "logo.png"), ("JPEG", "logo.jpg")])
def test_a_png_or_jpeg_logo_is_accepted(acknowledged_form, kind, name):
    village = acknowledged_form.village
    village.logo = SimpleUploadedFile(name, image_bytes(kind))
    village.full_clean()


@pytest.mark.parametrize(
    "name,content",
    [
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
        ("logo.png", b"\x89PNG\r\n\x1a\n not really an image"),
        ("logo.gif", image_bytes()),
        ("logo.png", image_bytes("GIF")),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_is_refused(acknowledged_form, name, content):
    village = acknowledged_form.village
    village.logo = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        village.full_clean()
    assert "logo" in error.value.message_dict


def test_a_logo_over_the_size_bound_is_refused(acknowledged_form):
    village = acknowledged_form.village
    padded = image_bytes() + b"\0" * LOGO_MAX_BYTES
    village.logo = SimpleUploadedFile("logo.png", padded)
    with pytest.raises(ValidationError) as error:
        village.full_clean()
    assert "KB" in " ".join(error.value.message_dict["logo"])


def test_the_admin_uploads_a_village_logo(client, admin_user, acknowledged_form):
    village = acknowledged_form.village
    client.force_login(admin_user)
    url = reverse("admin:regions_village_change", args=[village.pk])
    data = {
        "district": village.district_id,
        "code": village.code,
        "name": village.name,
        "address": "Jl. Baru 1",
        "logo": SimpleUploadedFile("logo.png", image_bytes()),
    }
    assert client.post(url, data).status_code == 302
    village.refresh_from_db()
    assert village.address == "Jl. Baru 1" and village.logo.name.endswith(".png")

    data |= {"logo": SimpleUploadedFile("logo.png", b"not an image")}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Logo harus berupa gambar PNG atau JPEG." in response.content.decode()


# The shipped template stored in the database


def test_an_unedited_shipped_template_becomes_the_new_one_and_an_edited_one_stays():
    migration = importlib.import_module("sktm.migrations.0006_shipped_letter_with_logo_and_members")
    LetterTemplate.objects.all().delete()
    unedited = LetterTemplate.objects.create(name="bawaan", body=migration.PREVIOUS)
    edited = LetterTemplate.objects.create(name="ubahan", body=migration.PREVIOUS + "<p>x</p>")

    migration.use_new_default(apps, None)

    unedited.refresh_from_db()
    edited.refresh_from_db()
    assert unedited.body == letters.DEFAULT_TEMPLATE.read_text()
    assert "village.logo" in unedited.body
    assert edited.body == migration.PREVIOUS + "<p>x</p>"
