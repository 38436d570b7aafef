"""axe-core on the 15 key pages, on a phone and a laptop: no critical and no serious
violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.builders import PERSONAS
from tests.e2e.conftest import PERSONA_USERS

AXE = Axe()
SIZES = [{"width": 390, "height": 844}, {"width": 1366, "height": 768}]

# (persona or None for the public, the page's address from the module's world).
PAGES = {
    "login": (None, lambda w: reverse("login")),
    "home": ("operator_a", lambda w: reverse("home")),
    "sktm_form_list": ("lurah_a", lambda w: reverse("sktm:form_list")),
    "sktm_form_new": ("operator_a", lambda w: reverse("sktm:form_create")),
    "sktm_form_detail": ("lurah_a", lambda w: reverse("sktm:form_detail", args=[w.form.pk])),
    "letter_list": ("lurah_a", lambda w: reverse("sktm:letter_list")),
    "letter_verify": (None, lambda w: reverse("sktm:letter_verify", args=[w.letter.token])),
    "roster": ("operator_a", lambda w: reverse("enrollment:roster")),
    "person": ("operator_a", lambda w: reverse("enrollment:person_detail", args=[w.person.pk])),
    "proposal_list": ("verifier", lambda w: reverse("verification:proposal_list")),
    "proposal_detail": (
        "verifier",
        lambda w: reverse("verification:proposal_detail", args=[w.proposal.pk]),
    ),
    "validation_queue": ("dukcapil", lambda w: reverse("verification:validation_queue")),
    "instruction_report": (
        "lurah_a",
        lambda w: reverse("instructions:report_detail", args=[w.report.pk]),
    ),
    "dashboard": ("leadership", lambda w: reverse("oversight:dashboard")),
    "reverification": ("verifier", lambda w: reverse("oversight:reverification_list")),
}


def blocking(results):
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_the_key_page_has_no_serious_violation(site, name):
    persona, address = PAGES[name]
    page = site.page_of(persona)
    response = page.goto(site.base + address(site.world))
    assert response.status == 200
    found = {}
    for size in SIZES:
        page.set_viewport_size(size)
        violations = blocking(AXE.run(page))
        if violations:
            found[size["width"]] = violations
    assert not found


@pytest.mark.django_db
def test_the_pages_are_fifteen_and_their_personas_known():
    """Also asks pytest-django for the test database when this module runs alone."""
    assert len(PAGES) == 15
    assert {persona for persona, _ in PAGES.values()} - {None} <= set(PERSONAS)
    assert list(PERSONA_USERS) == PERSONAS
