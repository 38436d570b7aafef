"""No stale DTSEN figure: what the cases and the dashboard's figure read is in the key of
what is cached, so a participant's change shows at once, cached or not; and a change of the
ledger or the BPJS records is applied to what was kept from before it, equal to a whole read."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bpjs.models import Record, Source, Status
from enrollment import imports, services
from feeds import dtsen
from oversight import services as oversight_services
from oversight.models import Outcome
from people.services import person_change_identity
from regions.models import Regency
from tests.builders import (
    KULON_PROGO,
    VILLAGE_A,
    VILLAGE_B,
    enroll,
    removed,
    resident,
    this_month,
)
from tests.enrollment.test_registry import SAMPLE
from tests.factories import village
from tests.feeds.test_dtsen import listing, periods, threshold_five, urgent_of  # noqa: F401

pytestmark = pytest.mark.django_db


def temon():
    """(outside, uncovered) of village A's kapanewon, as the dashboard reads it."""
    rows = dtsen.figures(Regency.objects.get(code=KULON_PROGO), timezone.localdate())
    row = next(row for row in rows if row.district.code == VILLAGE_A[:8])
    return row.outside, row.uncovered


def test_a_new_participant_listed_above_the_threshold_counts_at_once(verifier, periods):  # noqa: F811
    rich = resident(VILLAGE_A)
    listing(rich, 9)
    assert temon() == (1, 0)
    enroll(verifier, rich)
    assert temon() == (2, 0)
    assert rich.pk in dtsen.ranking(timezone.localdate()).cases


def test_a_removal_leaves_the_urgent_set_and_the_figure_at_once(verifier, periods):  # noqa: F811
    assert periods["rose"].pk in urgent_of(verifier)
    assert temon() == (1, 0)
    removed(verifier, periods["rose"], this_month())
    assert periods["rose"].pk not in urgent_of(verifier)
    assert temon() == (0, 0)


def test_a_bpjs_record_ends_a_calon_usulan_at_once(verifier, threshold_five):  # noqa: F811
    poor = resident(VILLAGE_A)
    listing(poor, 2)
    assert temon() == (0, 1)
    Record.objects.create(
        person=poor,
        status=Status.SENT,
        source=Source.BPJS_FILE,
        source_date=datetime.date(2026, 6, 1),
        recorded_by=verifier,
    )
    assert temon() == (0, 0)


def test_a_reverification_ends_the_urgency_on_the_list_at_once(client, verifier, periods):  # noqa: F811
    client.force_login(verifier)
    url = reverse("oversight:reverification_list")
    assert client.get(url).context["urgent_count"] == 2
    oversight_services.reverification_record(
        actor=verifier,
        person=periods["rose"],
        checked_on=timezone.localdate(),
        outcome=Outcome.ELIGIBLE,
    )
    assert client.get(url).context["urgent_count"] == 1
    assert client.get(url + "?segera=1").context["urgent_count"] == 1


def test_an_import_locks_the_kabupaten_before_it_writes_and_gives_a_new_ranking(admin_user):
    # The ranking keys the listings on their highest id: imports must commit one after another.
    before = dtsen.ranking(timezone.localdate()).version
    content, regency = SAMPLE.read_bytes(), Regency.objects.get(code=KULON_PROGO)
    with CaptureQueriesContext(connection) as queries:
        services.registry_import(
            actor=admin_user,
            rows=imports.read_rows(io.BytesIO(content), "d.csv", imports.REGISTRY_REQUIRED),
            regency=regency,
        )
    sql = [query["sql"] for query in queries.captured_queries]
    locked = next(i for i, q in enumerate(sql) if "regions_regency" in q)
    written = next(i for i, q in enumerate(sql) if "enrollment_registryrecord" in q)
    assert locked < written
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in sql[locked]
    assert dtsen.ranking(timezone.localdate()).version != before


# a change applied to what was kept


@pytest.fixture
def whole_reads(monkeypatch):
    """How many times the ranking and the calon usulan were read whole."""
    counted = {"ranking": 0, "candidates": 0}
    ranking, candidates = dtsen._ranking, dtsen.candidates

    def counted_ranking(*args):
        counted["ranking"] += 1
        return ranking(*args)

    def counted_candidates(listings, rank):
        if listings.query.where.children == []:  # every listing: the whole read
            counted["candidates"] += 1
        return candidates(listings, rank)

    monkeypatch.setattr(dtsen, "_ranking", counted_ranking)
    monkeypatch.setattr(dtsen, "candidates", counted_candidates)
    return counted


def read():
    """The ranking and the calon usulan per village, as a page reads them."""
    rank = dtsen.ranking(timezone.localdate())
    return rank, dtsen.candidate_counts(rank)


def read_whole():
    cache.clear()
    return read()


def assert_as_read_whole(rank, counts):
    whole, whole_counts = read_whole()
    assert (rank.cases, rank.villages, counts) == (whole.cases, whole.villages, whole_counts)


def test_a_change_of_the_ledger_is_applied_to_the_kept_ranking(verifier, periods, whole_reads):  # noqa: F811
    poor, rich = resident(VILLAGE_A), resident(VILLAGE_A)
    listing(poor, 2)
    listing(rich, 9)
    read()
    enroll(verifier, rich)
    enroll(verifier, poor)
    removed(verifier, periods["rose"], this_month())
    rank, counts = read()
    assert whole_reads == {"ranking": 1, "candidates": 1}
    assert rich.pk in rank.cases and counts == {}
    assert_as_read_whole(rank, counts)


def test_a_household_moved_takes_its_case_to_the_new_village(admin_user, periods, whole_reads):  # noqa: F811
    read()
    household = periods["rose"].household
    services.household_move(
        actor=admin_user, household=household, village=village(VILLAGE_B), dusun="I", rt="1", rw="1"
    )
    rank, counts = read()
    assert whole_reads["ranking"] == 1
    assert rank.villages[periods["rose"].pk] == village(VILLAGE_B).pk
    assert_as_read_whole(rank, counts)


def test_a_bpjs_record_is_applied_to_the_kept_calon_usulan(verifier, threshold_five, whole_reads):  # noqa: F811
    poor = [resident(VILLAGE_A) for _ in range(2)]
    for person in poor:
        listing(person, 2)
    assert sum(read()[1].values()) == 2
    Record.objects.create(
        person=poor[0],
        status=Status.SENT,
        source=Source.BPJS_FILE,
        source_date=datetime.date(2026, 6, 1),
        recorded_by=verifier,
    )
    rank, counts = read()
    assert whole_reads["candidates"] == 1 and sum(counts.values()) == 1
    assert_as_read_whole(rank, counts)


def test_a_row_committed_below_the_last_one_seen_reads_everything_again(
    verifier,
    periods,  # noqa: F811
    whole_reads,
):
    rank, _ = read()
    key = f"feeds:dtsen:ranking:{rank.listed}"
    kept, (ledger,) = cache.get(key)
    count, last, *moves = ledger.split("-")
    # As if read while an entry numbered below the last one was not yet committed.
    cache.set(key, (kept, ("-".join([str(int(count) - 1), last, *moves]),)))
    enroll(verifier, resident(VILLAGE_A))
    read()
    assert whole_reads["ranking"] == 2


def test_a_change_of_many_people_reads_everything_again(
    verifier,
    periods,  # noqa: F811
    whole_reads,
    monkeypatch,
):
    read()
    monkeypatch.setattr(dtsen, "CHANGES_APPLIED_MAX", 1)
    enroll(verifier, resident(VILLAGE_A))
    enroll(verifier, resident(VILLAGE_A))
    rank, counts = read()
    assert whole_reads == {"ranking": 2, "candidates": 2}
    assert_as_read_whole(rank, counts)


def test_a_new_listing_or_a_changed_nik_reads_everything_again(
    admin_user,
    periods,  # noqa: F811
    whole_reads,
):
    read()
    listing(resident(VILLAGE_A), 1)
    read()
    # The participant listed above the threshold takes a NIK no listing names: no case now.
    person_change_identity(actor=admin_user, person=periods["rose"], nik="3401011512990001")
    rank, counts = read()
    assert whole_reads == {"ranking": 3, "candidates": 3}
    assert periods["rose"].pk not in rank.cases
    assert_as_read_whole(rank, counts)
