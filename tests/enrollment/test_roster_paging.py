"""The roster pages by keyset (village code, name, person id), counts up to a cap, and a query
of digits searches NIK and No. KK only."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from enrollment import exports, views
from regions.months import add_months
from tests.builders import enroll, enrolled, this_month
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db
VILLAGES = ["34.01.01.2001", "34.01.01.2002", "34.01.02.2001"]


@pytest.fixture
def participants(verifier):
    """Eleven participants in three villages, with names repeated inside a village (the person
    id breaks the tie) and across villages."""
    people = []
    for n in range(11):
        household = HouseholdFactory(village=village(VILLAGES[n % 3]))
        person = PersonFactory(
            household=household,
            name=["Sarinah", "Budi", "Sarinah Wati"][n % 3 if n < 9 else 0],
            domicile_since=datetime.date(2020, 1, 1),
        )
        enroll(verifier, person)
        people.append(person)
    return people


def _walk(client, link_name, start_params):
    """Follows the `link_name` links from the page at `start_params`; returns the person ids of
    every page in reading order, and the last page's context."""
    response = client.get(reverse("enrollment:roster"), start_params)
    pages = []
    while True:
        page = response.context["page"]
        pages.append([row.person_id for row in page])
        key = page.next_key if link_name == "next" else page.previous_key
        if not key:
            return pages, response
        marker = f'data-testid="{link_name}" href="'
        href = re.search(re.escape(marker) + r'([^"]+)"', response.content.decode()).group(1)
        response = client.get(reverse("enrollment:roster") + href.replace("&amp;", "&"))


def _expected_order(people):
    return [
        person.pk
        for person in sorted(people, key=lambda p: (p.household.village.code, p.name, p.pk))
    ]


def test_next_links_give_every_participant_once_in_a_stable_order(
    client, verifier, participants, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(verifier)
    pages, last = _walk(client, "next", {})
    assert [len(page) for page in pages] == [4, 4, 3]
    assert [pk for page in pages for pk in page] == _expected_order(participants)
    assert "OFFSET" not in " ".join(q["sql"] for q in connection.queries)
    back, first = _walk(client, "previous", {"sebelum": last.context["page"].previous_key})
    # From the last page back: the pages before it, ending on the first.
    assert back[-1] == pages[0] and [pk for page in back for pk in page][:4] == pages[1]


def test_a_tampered_page_key_shows_the_first_page(client, verifier, participants, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(verifier)
    for key in ("bm90IGpzb24", "WyJhIiwgMSwgImIiXQ==", "%00", "W10="):
        response = client.get(reverse("enrollment:roster"), {"setelah": key, "sebelum": key})
        assert response.status_code == 200
        assert [row.person_id for row in response.context["page"]] == _expected_order(participants)[
            :4
        ]


def test_the_count_is_capped(client, verifier, participants, monkeypatch):
    client.force_login(verifier)
    response = client.get(reverse("enrollment:roster"))
    assert response.context["page"].count == 11
    assert "11 peserta" in response.content.decode()
    monkeypatch.setattr(exports, "COUNT_CAP", 5)
    response = client.get(reverse("enrollment:roster"))
    assert (response.context["page"].count, response.context["page"].is_count_capped) == (5, True)
    assert "5+ peserta" in response.content.decode()


def test_a_query_of_digits_searches_nik_and_kk_only(client, verifier):
    home = village(VILLAGES[0])
    by_nik = PersonFactory(nik="3401010101900001", household=HouseholdFactory(village=home))
    by_kk = PersonFactory(household=HouseholdFactory(village=home, number="3401019999000001"))
    by_name = PersonFactory(name="Sarinah 777", household=HouseholdFactory(village=home))
    for person in (by_nik, by_kk, by_name):
        person.domicile_since = datetime.date(2020, 1, 1)
        person.save()
        enroll(verifier, person)
    client.force_login(verifier)

    def found(query):
        page = client.get(reverse("enrollment:roster"), {"q": query}).context["page"]
        return {row.person_id for row in page}

    assert found("3401010101900001") == {by_nik.pk}
    assert found("3401019999") == {by_kk.pk}
    assert found("777") == set()  # digits are a number, not part of a name
    assert found("sarinah 777") == {by_name.pk}
    assert found("99999") == set()


@pytest.mark.parametrize(
    ("digits", "following"),
    [("3409", "341"), ("3408", "3409"), ("34", "35"), ("3499", "35"), ("99", "")],
)
def test_the_prefix_range_ends_after_every_number_it_starts(digits, following):
    assert exports._next_prefix(digits) == following


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_name_search_has_a_trigram_index_on_the_expression_it_compares(verifier):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'people_person_name_upper_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition
    assert "upper((name)::text)" in definition
    rows = exports.roster_rows(verifier, "sari")
    assert 'UPPER("people_person"."name"::text) LIKE UPPER(' in str(rows.query)


def test_the_pages_of_a_status_filter_keep_it(client, verifier, participants, monkeypatch):
    # People added for next month are listed under "akan aktif", page after page, and never
    # mixed with the active ones: every page link carries the filter.
    upcoming = [
        enrolled(verifier, code, month=add_months(this_month(), 1)) for code in VILLAGES * 2
    ]
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(verifier)
    pages, last = _walk(client, "next", {"status": "akan_aktif"})
    assert [len(page) for page in pages] == [4, 2]
    assert [pk for page in pages for pk in page] == _expected_order(upcoming)
    back, _ = _walk(
        client, "previous", {"status": "akan_aktif", "sebelum": last.context["page"].previous_key}
    )
    assert back == pages[:1]
