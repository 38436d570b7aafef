"""The stamps that key cached figures: read afresh each time, but once per page read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment import stamps
from tests.builders import LONG_AGO, enroll
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LEDGER_COUNT = 'FROM "enrollment_ledgerentry"'


def ledger_counts(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if LEDGER_COUNT in query["sql"] and "COUNT(" in query["sql"]
    )


def test_a_stamp_outside_a_page_read_sees_each_new_entry(verifier):
    first = stamps.ledger_stamp()
    enroll(verifier, PersonFactory(domicile_since=LONG_AGO))
    assert stamps.ledger_stamp() != first


def test_within_a_read_each_stamp_is_read_once(verifier):
    with stamps.read_once(), CaptureQueriesContext(connection) as queries:
        first = stamps.ledger_stamp()
        enroll(verifier, PersonFactory(domicile_since=LONG_AGO))
        assert stamps.ledger_stamp() == first
    assert ledger_counts(queries) == 1
    assert stamps.ledger_stamp() != first


def test_the_dashboard_reads_the_ledgers_stamp_once(client, verifier):
    client.force_login(verifier)
    client.get(reverse("oversight:dashboard"))  # the figures cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("oversight:dashboard")).status_code == 200
    assert ledger_counts(queries) == 1
