"""Issue 14 finding 5: an admin-edited letter template reaches plain values only, and the PDF
renderer reads nothing but the project's own static and media files."""

import base64
import http.server
import threading

import pytest
from pypdf import PdfReader

from accounts.models import AuthenticatorDevice
from sktm import letters
from sktm.models import LetterTemplate

pytestmark = pytest.mark.django_db

VERIFY_URL = "https://pbi.example/sktm/cek/abc/"
# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def letter_with(body, letter):
    LetterTemplate.objects.create(name="ubah", body=body)
    return letters.letter_html(letter, VERIFY_URL)


def images_in(pdf):
    return sum(len(page.images) for page in PdfReader(__import__("io").BytesIO(pdf)).pages)


def test_a_template_reaches_no_password_hash_nor_authenticator_secret(letter, lurah_a):
    lurah_a.set_password("rahasia-lurah-123")
    lurah_a.save()
    AuthenticatorDevice.objects.create(user=lurah_a, secret="JBSWY3DPEHPK3PXPSECRETSECRET")
    probes = [
        "letter.issued_by.password",
        "letter.issued_by.authenticator.secret",
        "letter.revoked_by.password",
        "form.created_by.password",
        "form.letter.issued_by.password",
        "person.sktm_letters.first.issued_by.password",
        "person.household.members.first.sktm_forms.first.created_by.password",
        "members.0.sktm_letters.first.number",
        "village.district.regency",
        "letter.token",
    ]
    body = "".join(f"[{{{{ {probe} }}}}]" for probe in probes)
    html = letter_with(body, letter)

    assert lurah_a.password not in html
    assert "SECRETSECRET" not in html
    assert letter.token not in html
    assert html.count("[]") == len(probes)


def test_the_shipped_template_still_prints_the_letter(letter):
    html = letters.letter_html(letter, VERIFY_URL)
    for value in [letter.number, letter.form.nik, letter.form.applicant_name, "Jangkaran"]:
        assert value in html
    assert letter.signer_name in html and "<svg" in html


def test_the_renderer_reads_no_server_file(letter, tmp_path):
    secret_image = tmp_path / "rahasia.png"
    secret_image.write_bytes(PNG)
    html = letter_with(f'<img src="file://{secret_image}"><img src="{secret_image}">', letter)

    assert images_in(letters.pdf(html, "http://testserver/")) == 0


def test_the_renderer_fetches_no_url(letter):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x.png"
        html = letter_with(
            f'<img src="{url}"><link rel="stylesheet" href="{url}.css">'
            f'<div style="background: url({url}?css)">x</div>',
            letter,
        )
        letters.pdf(html, "http://testserver/")
    finally:
        server.shutdown()
    assert hits == []


def test_the_projects_own_media_and_static_files_are_embedded(letter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    (tmp_path / "logo.png").write_bytes(PNG)
    html = letter_with('<img src="/media/logo.png">', letter)

    assert images_in(letters.pdf(html, "http://testserver/")) == 1


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/static/../../etc/passwd",
        "/static/../../../../etc/passwd",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_what_is_not_the_projects_own(url):
    with pytest.raises(ValueError):
        letters.OwnFilesFetcher().fetch(url if "://" in url else f"http://testserver{url}")


def test_the_fetcher_serves_a_static_file():
    fetched = letters.OwnFilesFetcher().fetch("http://testserver/static/css/app.css")
    assert fetched.read() and fetched.content_type == "text/css"
