"""The ledger and the projection carry no index an import pays for in vain, and every lookup
that needed a dropped index is still answered by one: the ledger's person by the unique
(person, sequence), its nearly empty references by partial indexes, the projection's village by
its schedule index. DTSEN's listings of a period are read by desil through their index."""

import pytest
from django.db import connection

from enrollment.models import LedgerEntry, Participation, RegistryRecord

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]

LEDGER = LedgerEntry._meta.db_table
PARTICIPATION = Participation._meta.db_table
REGISTRY = RegistryRecord._meta.db_table


def indexes_of(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return [definition for (definition,) in cursor.fetchall()]


def plan(sql):
    """The plan of `sql` with sequential scans ruled out as far as the planner can: an empty
    table would otherwise always be scanned."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.parametrize(
    "table, column",
    [
        (LEDGER, "person_id"),
        (LEDGER, "mother_id"),
        (LEDGER, "duplicate_of_id"),
        (LEDGER, "letter_id"),
        (LEDGER, "corrects_id"),
        (PARTICIPATION, "village_id"),
    ],
)
def test_a_lookup_by_each_reference_uses_an_index(table, column):
    # What a PROTECT check or a subject-access request asks: the rows naming one or several.
    for condition in (f"{column} = 1", f"{column} = ANY('{{1,2,3}}'::bigint[])"):
        found = plan(f"SELECT 1 FROM {table} WHERE {condition}")
        assert "Seq Scan" not in found and "Index" in found, found


def test_a_correction_is_found_by_the_entry_it_reverses():
    # services: an entry not yet reversed is one no correction names (a join on corrects_id).
    found = plan(
        f"SELECT entry.id FROM {LEDGER} entry LEFT JOIN {LEDGER} correction "
        "ON correction.corrects_id = entry.id WHERE entry.person_id = 1 AND correction.id IS NULL"
    )
    assert "Seq Scan" not in found, found


def test_no_reference_has_a_full_index_beside_its_covering_one():
    ledger = indexes_of(LEDGER)
    for column in ("person_id", "mother_id", "duplicate_of_id", "letter_id", "corrects_id"):
        full = [d for d in ledger if d.endswith(f"({column})")]
        assert full == [], full
    for column in ("mother_id", "duplicate_of_id", "letter_id", "corrects_id"):
        assert any(f"({column}) WHERE ({column} IS NOT NULL)" in d for d in ledger), ledger
    assert not any(
        d.endswith(("(village_id)", "(last_entry_id)")) for d in indexes_of(PARTICIPATION)
    )


@pytest.mark.parametrize("desil", ["desil > 5", "desil <= 5"])
def test_a_period_s_listings_by_desil_are_read_by_their_index(desil):
    # feeds.dtsen: the NIKs above the threshold in the latest period (the ranking), and the
    # listings at or below it (the calon usulan), of one period among 600,000 listings.
    found = plan(
        f"SELECT nik FROM {REGISTRY} WHERE source = 'DTSEN' "
        f"AND data_period = '2026-12-01' AND {desil}"
    )
    assert "registry_period_desil" in found, found
