"""Issue 16 section 7: an issued letter's PDF is rendered once, stored, and served as stored."""

import pytest
from django.urls import reverse

from sktm import letters, services
from sktm.models import Letter, LetterTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the letter renderings."""
    calls = []
    render = letters.pdf

    def counted(html, base_url):
        calls.append(base_url)
        return render(html, base_url)

    monkeypatch.setattr(letters, "pdf", counted)
    return calls


def issue(client, lurah, form):
    client.force_login(lurah)
    client.post(reverse("sktm:letter_issue", args=[form.pk]))
    return Letter.objects.get(form=form)


def download(client, letter):
    response = client.get(reverse("sktm:letter_pdf", args=[letter.pk]))
    assert response.status_code == 200
    return response.content


def test_the_letter_is_stored_at_issue_and_downloads_never_render(
    client, lurah_a, acknowledged_form, renders, media_root
):
    letter = issue(client, lurah_a, acknowledged_form)
    assert len(renders) == 1
    stored = (media_root / letter.pdf_file.name).read_bytes()
    assert stored.startswith(b"%PDF")

    assert download(client, letter) == stored
    assert download(client, letter) == stored
    assert len(renders) == 1


def test_a_later_template_edit_does_not_change_an_issued_letter(client, lurah_a, acknowledged_form):
    letter = issue(client, lurah_a, acknowledged_form)
    first = download(client, letter)
    LetterTemplate.objects.create(name="baru", body="<p>SURAT LAIN</p>")
    assert download(client, letter) == first


def test_a_missing_file_is_rendered_again_and_stored(
    client, lurah_a, acknowledged_form, renders, media_root
):
    letter = issue(client, lurah_a, acknowledged_form)
    (media_root / letter.pdf_file.name).unlink()

    content = download(client, letter)

    assert content.startswith(b"%PDF") and len(renders) == 2
    letter.refresh_from_db()
    assert (media_root / letter.pdf_file.name).read_bytes() == content
    download(client, letter)
    assert len(renders) == 2


def test_a_letter_issued_without_an_address_is_stored_at_its_first_download(
    client, lurah_a, letter, renders
):
    assert not letter.pdf_file
    client.force_login(lurah_a)
    first = download(client, letter)
    assert download(client, letter) == first and len(renders) == 1


def test_a_revoked_letter_still_downloads_and_its_check_page_says_revoked(
    client, lurah_a, acknowledged_form
):
    letter = issue(client, lurah_a, acknowledged_form)
    services.letter_revoke(actor=lurah_a, letter=letter, reason="Data tidak sesuai")
    assert download(client, letter).startswith(b"%PDF")
    page = client.get(reverse("sktm:letter_verify", args=[letter.token])).content.decode()
    assert "DICABUT" in page
