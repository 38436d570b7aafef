"""Free text is refused, never cut, when too long; control characters and bidirectional
overrides are refused everywhere (people/names.py)."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import imports
from enrollment import services as ledger_services
from enrollment.models import RegistryRecord
from people.names import is_plain_text, validate_free_text
from regions.models import Regency
from sktm import services as sktm_services
from sktm.models import FormStatus, Letter, VerificationForm
from tests.builders import POOR_15
from verification.forms import NoteForm

pytestmark = pytest.mark.django_db
REGISTRY_SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample" / "dtks_contoh.csv"


@pytest.mark.parametrize(
    "value, plain",
    [
        ("Sri Wahyuni", True),
        ("Ma'ruf Al-Amin", True),
        ("\x1b[31mSri", False),
        ("Sri\u202einiS", False),
        ("Sri\u2066Wahyuni\u2069", False),
        ("Sri\x85", False),
        ("Sri\x7f", False),
        ("Sri\nWahyuni", False),
    ],
)
def test_plain_text_refuses_control_characters_and_bidi_overrides(value, plain):
    assert is_plain_text(value) is plain


@pytest.mark.parametrize(
    "value, message",
    [
        ("x" * 20_000, r"Paling banyak 2000 karakter \(sekarang 20000\)"),
        ("\x1b[31mmerah", "karakter kontrol"),
        ("berkas\u202efdp.exe", "penanda arah teks"),
        ("Baris satu\r\nbaris dua\tdengan tab", None),
        ("x" * 2000, None),
    ],
)
def test_free_text_is_refused_never_cut(value, message):
    if message is None:
        validate_free_text(value)
    else:
        with pytest.raises(ValidationError, match=message):
            validate_free_text(value)


@pytest.fixture
def submitted(operator_a):
    return sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)


@pytest.mark.parametrize("note", ["x" * 20_000, "Perbaiki \x1b[31mRT\x1b[0m"])
def test_a_return_note_that_is_too_long_or_has_controls_is_refused(
    client, lurah_a, submitted, note
):
    client.force_login(lurah_a)
    response = client.post(
        reverse("sktm:form_return", args=[submitted.pk]), {"note": note}, follow=True
    )
    page = response.content.decode()
    assert "Paling banyak 2000 karakter" in page or "karakter kontrol" in page
    submitted = VerificationForm.objects.get(pk=submitted.pk)
    assert submitted.status == FormStatus.SUBMITTED and submitted.return_note == ""


def test_a_revocation_reason_too_long_is_refused(client, lurah_a, submitted):
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=submitted)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    client.force_login(lurah_a)
    response = client.post(
        reverse("sktm:letter_revoke", args=[letter.pk]), {"note": "x" * 20_000}, follow=True
    )
    assert "Paling banyak 2000 karakter" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).revoked_at is None


def test_a_note_form_refuses_a_bidi_override():
    form = NoteForm({"note": "Perbaiki \u202eTR"})
    assert not form.is_valid() and "penanda arah teks" in str(form.errors)


@pytest.mark.parametrize(
    "original, bad", [("Sri Lestari", "Sri\u202eLestari"), ("DTSEN-3401-0000101", "=1+1")]
)
def test_the_registry_import_applies_the_plain_text_rule(admin_user, original, bad):
    content = REGISTRY_SAMPLE.read_text().replace(original, bad, 1).encode()
    with pytest.raises(ValidationError, match="Baris 2: kolom (nama|id_dtks) memuat"):
        ledger_services.registry_import(
            actor=admin_user,
            rows=imports.read_rows(io.BytesIO(content), "d.csv", imports.REGISTRY_REQUIRED),
            regency=Regency.objects.get(code="34.01"),
        )
    assert not RegistryRecord.objects.exists()
