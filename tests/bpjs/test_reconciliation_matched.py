"""The matched people of a reconciliation are kept as the ids of their billed rows and read
from the list when shown: the items they read are those the list billed, a page reads only
its own rows, and the cached result holds none of their names. The list is read without a
village join only when no resident lives outside the villages reconciled."""

import gzip

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bpjs import reconciliation as recon
from enrollment.models import Ground, Kind
from tests.bpjs.test_reconciliation import (  # noqa: F401 (premium: the rate, autouse)
    DEATH,
    SEGMENT,
    bill,
    earlier,
    participant,
    premium,
    reconcile,
)
from tests.builders import NGEPUNGSARI, VILLAGE_B, resident
from verification import services as proposal_services
from verification.models import ProposalItem

pytestmark = pytest.mark.django_db


def test_the_matched_are_read_from_the_list_as_it_billed_them(verifier):
    person, other = participant(verifier), participant(verifier, VILLAGE_B)
    stranger = resident()
    billing_file = bill(verifier, person, stranger, {"person": other, "segment": f" {SEGMENT} "})
    result = reconcile(verifier)
    assert [item.person_id for item in result.discrepancies] == [stranger.pk]
    assert len(result.matched) == result.totals[recon.Category.MATCHED].count == 2
    rows = list(billing_file.lines.order_by("row_number"))
    items = list(result.of(recon.Category.MATCHED))
    assert [item.person_id for item in items] == [person.pk, other.pk]
    for item, row, resident_ in zip(items, [rows[0], rows[2]], [person, other], strict=True):
        village = resident_.household.village
        assert (item.nik, item.name, item.card_number, item.tmt) == (
            row.nik,
            row.name,
            row.card_number,
            earlier(),
        )
        assert (item.village_id, item.village, item.district) == (
            village.pk,
            village.name,
            village.district.name,
        )
        assert (item.category, item.reason, item.segment) == (
            recon.Category.MATCHED,
            "peserta dan ditagih",
            SEGMENT,
        )
        assert item.is_billed and item.is_participant and not item.is_proposed
        assert (item.months, item.twin_id, item.billed_nik) == (1, None, "")


def test_a_page_of_the_matched_reads_its_own_rows_in_one_query(verifier):
    people = [participant(verifier) for _ in range(5)]
    bill(verifier, *people)
    matched = reconcile(verifier).of(recon.Category.MATCHED)
    paginator = Paginator(matched, 2)
    with CaptureQueriesContext(connection) as captured:
        page = paginator.get_page(2)
        shown = [item.person_id for item in page]
    assert shown == [people[2].pk, people[3].pk]
    assert (paginator.count, len(captured)) == (5, 1)


def test_a_matched_person_whose_removal_waits_shows_it(verifier):
    person = participant(verifier)
    bill(verifier, person)
    proposal_services.removal_found(
        actor=verifier,
        item=ProposalItem(person=person, kind=Kind.REMOVAL, ground=Ground.DIED, evidence=DEATH),
    )
    [item] = reconcile(verifier).of(recon.Category.MATCHED)
    assert (item.person_id, item.is_proposed) == (person.pk, True)


def test_the_cached_result_holds_no_name_of_the_matched(verifier):
    person, stranger = participant(verifier), resident()
    bill(verifier, person, stranger)
    result = reconcile(verifier)
    rebuild, (blob,) = result.__reduce__()
    packed = gzip.decompress(blob)
    assert stranger.name.encode() in packed
    assert person.name.encode() not in packed and person.nik.encode() not in packed
    again = rebuild(blob)
    assert [item.name for item in again.of(recon.Category.MATCHED)] == [person.name]


@pytest.mark.parametrize("by_ids", [20_000, 1])
def test_every_matched_of_the_area_is_read_in_the_lists_order(
    verifier, operator_a, monkeypatch, by_ids
):
    """By their ids, or (more than `_BY_IDS`) by one pass over the list keeping theirs."""
    monkeypatch.setattr(recon, "_BY_IDS", by_ids)
    mine = [participant(verifier) for _ in range(3)]
    theirs = participant(verifier, VILLAGE_B)
    bill(verifier, mine[2], theirs, mine[0], resident(), mine[1])
    matched = reconcile(operator_a).of(recon.Category.MATCHED)
    with CaptureQueriesContext(connection) as captured:
        shown = [item.person_id for item in matched]
    assert shown == [mine[2].pk, mine[0].pk, mine[1].pk]
    assert len(captured) == 1


def test_a_resident_of_another_regency_is_not_in_the_kabupatens_reconciliation(verifier):
    person, elsewhere = participant(verifier), resident(NGEPUNGSARI)
    bill(verifier, person, elsewhere)
    result = reconcile(verifier)
    assert (result.billed, result.discrepancies) == (1, [])
    assert [item.person_id for item in result.of(recon.Category.MATCHED)] == [person.pk]
