"""Deciding the people of an Usulan in place (htmx): the row answers, the counter follows, a
refusal shows at the row; without JavaScript the same view answers with a full page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from enrollment.models import Ground, Kind
from tests.builders import LONG_AGO, MOVED_OUT, enroll, propose
from tests.factories import PersonFactory
from verification import services
from verification.models import Decision, ProposalItem, ProposalStatus

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def decide(client, item, htmx=True, **data):
    data = data or {"decision": "approved"}
    return client.post(
        reverse("verification:item_decide", args=[item.pk]), data, **(HTMX if htmx else {})
    )


def out_of_band(fragment, element_id):
    """The opening tag of the out-of-band element `element_id` in the fragment, or ''."""
    start = fragment.find(f'id="{element_id}"')
    if start < 0:
        return ""
    opening = fragment[fragment.rfind("<", 0, start) : fragment.find(">", start) + 1]
    return opening if 'hx-swap-oob="true"' in opening else ""


def test_a_decision_in_place_answers_with_the_row_and_the_counter(client, submitted, verifier):
    first, second, _ = submitted.items.order_by("pk")
    client.force_login(verifier)
    response = decide(client, first)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert f'<tr id="item-{first.pk}">' in fragment and "Disetujui" in fragment
    assert out_of_band(fragment, "decision-counter")
    assert "1 dari 3 diputuskan" in fragment
    # The focus moves to the next undecided person: its row, out of band, with autofocus.
    next_row = out_of_band(fragment, f"item-{second.pk}")
    assert next_row
    assert "autofocus" in fragment[fragment.find(next_row) :]
    assert "<html" not in fragment
    first.refresh_from_db()
    assert first.decision == Decision.APPROVED
    assert not list(get_messages(response.wsgi_request))


def test_a_refusal_shows_at_the_row_and_writes_nothing(client, submitted, verifier):
    item = submitted.items.first()
    client.force_login(verifier)
    response = decide(client, item, decision="rejected", reason="")
    fragment = response.content.decode()
    assert response.status_code == 200
    row = fragment[fragment.find(f'<tr id="item-{item.pk}">') :]
    assert 'role="alert"' in row and "Pilih alasan penolakan." in row
    assert "0 dari 3 diputuskan" in fragment
    assert not out_of_band(fragment, f"item-{submitted.items.last().pk}")
    item.refresh_from_db()
    assert item.decision == Decision.PENDING
    assert not list(get_messages(response.wsgi_request))


def test_a_late_decision_in_place_is_told_at_the_row(client, submitted, verifier, admin_user):
    item = submitted.items.first()
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    client.force_login(admin_user)
    fragment = decide(client, item, decision="rejected", reason="other").content.decode()
    assert "sudah diputuskan" in fragment and 'role="alert"' in fragment
    item.refresh_from_db()
    assert item.decision == Decision.APPROVED


def test_the_last_decision_in_place_says_the_usulan_is_closed(client, submitted, verifier):
    *others, last = submitted.items.order_by("pk")
    for item in others:
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    client.force_login(verifier)
    fragment = decide(client, last, decision="rejected", reason="evidence").content.decode()
    assert "usulan selesai diverifikasi" in fragment and "3 dari 3 diputuskan" in fragment
    assert out_of_band(fragment, "proposal-status")
    assert "Selesai diverifikasi" in fragment
    # No more tools to decide with: the approve-all and return forms are emptied.
    assert out_of_band(fragment, "decide-tools") and out_of_band(fragment, "return-tools")
    assert "Setujui semua" not in fragment
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.CLOSED


def test_without_javascript_the_last_decision_redirects_and_says_closed(
    client, submitted, verifier
):
    *others, last = submitted.items.order_by("pk")
    for item in others:
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    client.force_login(verifier)
    response = decide(client, last, htmx=False)
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{last.pk}")
    page = client.get(response.url).content.decode()
    assert "usulan selesai diverifikasi" in page and "3 dari 3 diputuskan" in page


def test_the_page_counts_decisions_and_its_rows_post_in_place(client, submitted, verifier):
    first = submitted.items.first()
    services.item_decide(actor=verifier, item=first, decision=Decision.APPROVED)
    client.force_login(verifier)
    page = client.get(reverse("verification:proposal_detail", args=[submitted.pk]))
    content = page.content.decode()
    assert "1 dari 3 diputuskan" in content
    pending = submitted.items.filter(decision=Decision.PENDING).first()
    url = reverse("verification:item_decide", args=[pending.pk])
    # A real form (it works without JavaScript) that htmx posts in place.
    assert f'action="{url}"' in content and f'hx-post="{url}"' in content
    assert f'hx-target="#item-{pending.pk}"' in content


@pytest.mark.parametrize(("persona", "status"), [("operator_b", 404), ("panewu_a", 403)])
def test_in_place_decisions_keep_scope_and_role(request, client, submitted, persona, status):
    item = submitted.items.first()
    client.force_login(request.getfixturevalue(persona))
    assert decide(client, item).status_code == status
    item.refresh_from_db()
    assert item.decision == Decision.PENDING


def form_of(page, action):
    """The opening tag of the form posting to `action`."""
    start = page.find(f'action="{action}"')
    assert start >= 0, action
    return page[page.rfind("<form", 0, start) : page.find(">", start) + 1]


def test_irreversible_actions_ask_for_confirmation(
    client, proposal, residents, operator_a, lurah_a, verifier
):
    """Kirim usulan, Setujui semua and Kembalikan carry the question the site's script asks
    before the form is sent."""
    propose(operator_a, proposal, residents[0])
    client.force_login(lurah_a)
    detail = reverse("verification:proposal_detail", args=[proposal.pk])
    page = client.get(detail).content.decode()
    assert 'data-confirm="Kirim usulan' in form_of(
        page, reverse("verification:proposal_submit", args=[proposal.pk])
    )
    services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    client.force_login(verifier)
    page = client.get(detail).content.decode()
    for name, question in [
        ("items_approve_pending", 'data-confirm="Setujui semua'),
        ("proposal_return", 'data-confirm="Kembalikan'),
    ]:
        assert question in form_of(page, reverse(f"verification:{name}", args=[proposal.pk]))
    # A single decision is not confirmed: twenty people, twenty clicks, no dialog.
    item_url = reverse("verification:item_decide", args=[proposal.items.get().pk])
    assert "data-confirm" not in form_of(page, item_url)


def test_recording_a_removal_in_the_ledger_asks_first(client, verifier, dukcapil):
    person = PersonFactory(domicile_since=LONG_AGO)
    enroll(verifier, person)
    item = services.removal_found(
        actor=verifier,
        item=ProposalItem(
            person=person, kind=Kind.REMOVAL, ground=Ground.MOVED_OUT, evidence=MOVED_OUT
        ),
    )
    action = reverse("verification:removal_validate", args=[item.pk])
    client.force_login(dukcapil)
    for url in (
        reverse("verification:validation_queue"),
        reverse("verification:proposal_detail", args=[item.proposal_id]),
    ):
        form = form_of(client.get(url).content.decode(), action)
        assert f'data-confirm="Catat pengurangan {person.name} di buku mutasi?' in form


def test_the_reason_sits_with_tolak_not_under_setujui(client, submitted, verifier):
    client.force_login(verifier)
    page = client.get(reverse("verification:proposal_detail", args=[submitted.pk]))
    row = page.content.decode().split(f'id="item-{submitted.items.first().pk}"')[1]
    row = row[: row.find("</tr>")]
    approve, rest = row.split('value="approved"')
    group = rest[rest.find("<fieldset") : rest.find("</fieldset>")]
    assert 'name="reason"' in group and 'name="reason_text"' in group
    assert 'value="rejected"' in group
    assert 'name="reason"' not in approve
