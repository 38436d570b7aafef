"""The findings page reads a page of cases, not the month's: each kind's cases are counted
per village in SQL and built only for the rows shown, so its queries do not grow with the
cases; walked page by page, the cases are every case once, in the order of the whole month
(by kapanewon and village, then kind, then each kind's own order), and the .xlsx holds them
all."""

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feeds import dtsen, findings, views
from feeds.models import FindingKind
from regions.models import District
from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled, resident, this_month
from tests.feeds.conftest import died, extract, imported, moved_out
from tests.feeds.test_dtsen import EARLIER, listing, threshold_five  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = reverse("feeds:finding_list")


def poor(code, count, admin):
    """`count` residents of the village listed in desil 2: calon usulan."""
    return [listing(resident(code), 2, imported_by=admin) for _ in range(count)]


def rose(actor, code, admin):
    """A participant of the village whose desil rose above the threshold: urgent."""
    person = enrolled(actor, code)
    listing(person, 3, EARLIER, imported_by=admin)
    listing(person, 8, imported_by=admin)
    return person


@pytest.fixture
def month_of_cases(verifier, dukcapil, admin_user, threshold_five):  # noqa: F811
    """Every kind in three villages of two kapanewon."""
    a, b = enrolled(verifier), enrolled(verifier, VILLAGE_B)
    imported(dukcapil, extract(died(a.nik), moved_out(b.nik)))
    for code, count in ((VILLAGE_A, 3), (VILLAGE_A2, 2), (VILLAGE_B, 2)):
        rose(verifier, code, admin_user)
        poor(code, count, admin_user)


def queries_of_page(client, **query):
    """The page's queries, its cached figures read afresh, and the page."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, query)
    assert response.status_code == 200
    return len(queries), response.context["page"]


def test_the_page_s_queries_do_not_grow_with_the_calon_usulan(
    client,
    verifier,
    admin_user,
    threshold_five,  # noqa: F811
):
    client.force_login(verifier)
    poor(VILLAGE_A, 5, admin_user)
    few, page = queries_of_page(client)
    assert page.paginator.count == 5
    poor(VILLAGE_A, 45, admin_user)
    poor(VILLAGE_B, 60, admin_user)
    many, page = queries_of_page(client)
    assert page.paginator.count == 110 and len(page) == views.PAGE_SIZE
    assert many == few
    # The last page: ten cases, the same queries.
    last, page = queries_of_page(client, page=2)
    assert len(page) == 10 and last == few


def test_the_pages_hold_every_case_once_in_the_order_of_the_month(
    client, verifier, month_of_cases, monkeypatch
):
    client.force_login(verifier)
    month = findings.Cases(verifier, this_month(), None)
    whole = month[0 : month.count()]
    assert month.count() == len(whole) == 2 + 3 + (3 + 2 + 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    walked, number = [], 1
    while True:
        _, page = queries_of_page(client, page=number)
        walked += list(page)
        if not page.has_next():
            break
        number += 1
    assert walked == whole
    kinds = [source.kind for source in findings.SOURCES]
    assert [
        (case.village.district.name, case.village.name, kinds.index(case.kind)) for case in whole
    ] == sorted(
        (case.village.district.name, case.village.name, kinds.index(case.kind)) for case in whole
    )
    # Within a village, the calon usulan keep their order: by desil, name.
    village_a = [c for c in whole if c.kind == dtsen.CANDIDATE and c.village.code == VILLAGE_A]
    assert [c.name for c in village_a] == sorted(c.name for c in village_a)


def test_a_filter_narrows_the_count_and_the_rows(client, verifier, month_of_cases):
    client.force_login(verifier)
    _, page = queries_of_page(
        client, jenis=dtsen.CANDIDATE, kapanewon=District.objects.get(code=VILLAGE_A[:8]).pk
    )
    assert page.paginator.count == 5
    assert {(c.kind, c.village.code) for c in page} == {
        (dtsen.CANDIDATE, VILLAGE_A),
        (dtsen.CANDIDATE, VILLAGE_A2),
    }
    _, page = queries_of_page(client, jenis=FindingKind.REMOVAL)
    assert page.paginator.count == 2


def test_a_village_counts_only_its_own_cases(client, operator_a, month_of_cases):
    client.force_login(operator_a)
    _, page = queries_of_page(client)
    assert page.paginator.count == len(page) == 1 + 1 + 3
    assert {case.village.code for case in page} == {VILLAGE_A}


def test_the_xlsx_holds_every_case_beyond_a_chunk(client, verifier, month_of_cases, monkeypatch):
    every = findings.Cases.each
    monkeypatch.setattr(findings.Cases, "each", lambda self: every(self, chunk=4))
    client.force_login(verifier)
    response = client.get(reverse("feeds:finding_export"))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))[1:]
    month = findings.Cases(verifier, this_month(), None)
    assert [row[4] for row in rows] == [case.name for case in month[0 : month.count()]]
    assert len(rows) == 12
