"""The re-verification list shows first, with the reason, the participants DTSEN's latest
period makes due now, ahead of the 3-month schedule; and the person's page says why."""

import datetime

import pytest
from django.urls import reverse

from regions.models import DesilThreshold
from tests.builders import VILLAGE_A, VILLAGE_B, enrolled
from tests.feeds.test_dtsen import EARLIER, listing

pytestmark = pytest.mark.django_db

LIST = reverse("oversight:reverification_list")


@pytest.fixture
def urgent(verifier):
    """A participant of village A whose household rose to desil 8 (due by the schedule too:
    joined in January) and one of village B who left DTSEN."""
    DesilThreshold.objects.update_or_create(
        valid_from=datetime.date(2025, 2, 5), defaults={"desil": 5}
    )
    rose = enrolled(verifier, VILLAGE_A, datetime.date(2026, 1, 1))
    listing(rose, 4, EARLIER)
    listing(rose, 8)
    left = enrolled(verifier, VILLAGE_B, datetime.date(2026, 1, 1))
    listing(left, 3, EARLIER)
    listing(enrolled(verifier, VILLAGE_B, datetime.date(2026, 1, 1)), 2)
    return {"rose": rose, "left": left}


def test_the_list_shows_the_urgent_cases_first_with_the_reason(client, verifier, urgent):
    client.force_login(verifier)
    response = client.get(LIST)
    assert response.context["urgent_count"] == 2
    preview = {row.person_id: row.urgent_text for row in response.context["urgent_preview"]}
    assert preview[urgent["rose"].pk].startswith("Desil rumah tangga naik dari desil 4 ke desil 8")
    assert preview[urgent["left"].pk].startswith("Tidak lagi terdaftar di DTSEN")
    html = response.content.decode()
    assert html.index("Verifikasi ulang segera") < html.index("Lewat jatuh tempo</a>")


def test_the_segera_filter_lists_only_the_urgent_cases(client, verifier, urgent):
    client.force_login(verifier)
    response = client.get(LIST + "?segera=1")
    page = response.context["page"]
    assert {row.person_id for row in page} == {urgent["rose"].pk, urgent["left"].pk}
    assert page.paginator.count == 2
    assert response.context["is_urgent_only"]


def test_urgent_cases_are_scoped_as_the_list(client, operator_a, operator_b, urgent):
    client.force_login(operator_a)
    page = client.get(LIST + "?segera=1").context["page"]
    assert [row.person_id for row in page] == [urgent["rose"].pk]
    client.force_login(operator_b)
    page = client.get(LIST + "?segera=1").context["page"]
    assert [row.person_id for row in page] == [urgent["left"].pk]
    assert client.get(LIST + f"?segera=1&desa={VILLAGE_A}").status_code == 404


def test_the_persons_page_says_why_now(client, operator_a, urgent):
    client.force_login(operator_a)
    url = reverse("oversight:reverification_person", args=[urgent["rose"].pk])
    assert "Verifikasi ulang segera." in client.get(url).content.decode()
