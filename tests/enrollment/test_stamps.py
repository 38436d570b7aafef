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


# what a kept figure is brought up to date with


def test_since_gives_the_rows_appended_between_two_stamps(verifier):
    before = stamps.ledger_stamp()
    person = PersonFactory(domicile_since=LONG_AGO)
    enroll(verifier, person)
    entries, moves = stamps.ledger_since(before, stamps.ledger_stamp(), limit=10)
    assert list(entries.values_list("person", flat=True)) == [person.pk]
    assert not moves.exists()


def test_since_cannot_tell_a_row_committed_below_the_last_one_seen(verifier):
    enroll(verifier, PersonFactory(domicile_since=LONG_AGO))
    count, last, *moves = stamps.ledger_stamp().split("-")
    # As read while an entry numbered below `last` was not yet committed: one fewer counted.
    before = "-".join([str(int(count) - 1), last, *moves])
    assert stamps.ledger_since(before, stamps.ledger_stamp(), limit=10) is None


def test_since_gives_up_above_its_limit(verifier):
    before = stamps.ledger_stamp()
    for _ in range(2):
        enroll(verifier, PersonFactory(domicile_since=LONG_AGO))
    assert stamps.ledger_since(before, stamps.ledger_stamp(), limit=1) is None
    assert stamps.ledger_since(before, stamps.ledger_stamp(), limit=2) is not None


def test_carried_reads_once_then_updates_what_it_kept():
    reads, updates = [], []

    def read():
        reads.append(1)
        return ["read"]

    def update(value, marks):
        updates.append(marks)
        return value + ["updated"] if marks != "unknown" else None

    assert stamps.carried("test:kept", "m1", read, update) == ["read"]
    assert stamps.carried("test:kept", "m2", read, update) == ["read", "updated"]
    assert updates == ["m1"] and len(reads) == 1
    stamps.carried("test:kept", "unknown", read, update)
    assert stamps.carried("test:kept", "m3", read, update) == ["read"]  # update gave up
    assert stamps.carried("test:kept", "m3", read, update) == ["read"]  # as kept
    assert len(reads) == 2 and len(updates) == 3
