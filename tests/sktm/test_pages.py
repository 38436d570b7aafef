"""Issue 15 sections 6 and 9 on the SKTM pages: confirmations, notes beside their action,
labelled filters, ISO dates in date inputs."""

import re

import pytest
from django.urls import reverse

from sktm import services

pytestmark = pytest.mark.django_db


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def forms_in(html):
    return re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S)


def form_posting_to(html, url):
    [form] = [form for form in forms_in(html) if f'action="{url}"' in form]
    return form


def unlabelled_controls(html):
    """The ids of inputs and selects (not hidden, not buttons) that no <label for> names."""
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    missing = []
    for control in controls:
        if re.search(r'type="(hidden|submit|button)"', control):
            continue
        found = re.search(r'\bid="([^"]+)"', control)
        if not found or found[1] not in labelled:
            missing.append(control)
    return missing


def test_issuing_asks_for_confirmation(client, lurah_a, acknowledged_form):
    html = page(client, lurah_a, reverse("sktm:form_detail", args=[acknowledged_form.pk]))
    form = form_posting_to(html, reverse("sktm:letter_issue", args=[acknowledged_form.pk]))
    assert re.search(r'data-confirm="[^"]+\?[^"]*"', form)


def test_revoking_asks_for_confirmation_and_has_its_own_reason_box(client, lurah_a, letter):
    html = page(client, lurah_a, reverse("sktm:form_detail", args=[letter.form_id]))
    form = form_posting_to(html, reverse("sktm:letter_revoke", args=[letter.pk]))
    assert re.search(r'data-confirm="[^"]+\?[^"]*"', form)
    assert "Alasan pencabutan" in form and "<textarea" in form
    # The download is a link of its own, not inside the revocation's form.
    assert reverse("sktm:letter_pdf", args=[letter.pk]) not in form


def test_the_return_note_belongs_to_the_return_not_to_mengetahui(client, lurah_a, submitted_form):
    html = page(client, lurah_a, reverse("sktm:form_detail", args=[submitted_form.pk]))
    acknowledge = form_posting_to(html, reverse("sktm:form_acknowledge", args=[submitted_form.pk]))
    give_back = form_posting_to(html, reverse("sktm:form_return", args=[submitted_form.pk]))
    assert "<textarea" not in acknowledge
    assert "<textarea" in give_back and "Catatan untuk operator" in give_back
    # Each action sits in its own section, headed by what it does.
    sections = re.findall(r"<section\b.*?</section>", html, flags=re.S)
    assert any(acknowledge in section and give_back not in section for section in sections)


def test_every_sktm_detail_control_is_labelled(client, lurah_a, submitted_form, letter):
    html = page(client, lurah_a, reverse("sktm:form_detail", args=[submitted_form.pk]))
    assert unlabelled_controls(html) == []
    html = page(client, lurah_a, reverse("sktm:form_detail", args=[letter.form_id]))
    assert unlabelled_controls(html) == []


@pytest.mark.parametrize("name", ["sktm:form_list", "sktm:letter_list"])
def test_every_list_filter_is_labelled(client, operator_a, name):
    html = page(client, operator_a, reverse(name))
    [filters] = [form for form in forms_in(html) if 'method="get"' in form]
    assert unlabelled_controls(filters) == []
    assert re.search(r"<(input|select)\b", filters)


def test_correcting_a_returned_form_shows_the_birth_date(client, operator_a, lurah_a):
    import datetime

    from tests.builders import POOR_15

    form = services.sktm_form_submit(
        actor=operator_a, data={**POOR_15, "birth_date": datetime.date(1985, 1, 12)}
    )
    services.sktm_form_return(actor=lurah_a, form=form, note="Periksa RT")
    html = page(client, operator_a, reverse("sktm:form_edit", args=[form.pk]))
    [birth_date] = re.findall(r'<input[^>]*name="birth_date"[^>]*>', html)
    assert 'value="1985-01-12"' in birth_date
