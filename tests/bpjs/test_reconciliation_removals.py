"""Removals proposed from the reconciliation into the Dinas Sosial's findings (ayat 2 b and c,
then the validation of ayat 3), the months billed since a removal, and the cached result that
a new ledger entry, billing file or BPJS record changes at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import jobs
from bpjs import reconciliation as recon
from bpjs import services, tasks
from bpjs.models import Source, Status
from enrollment.models import Ground, Kind, Segment
from jobs.models import Job
from regions.months import add_months
from tests.bpjs.test_reconciliation import (  # noqa: F401 (premium: the rate, autouse)
    DEATH,
    RATE,
    SEGMENT,
    SEGMENT_EVIDENCE,
    bill,
    card,
    earlier,
    month,
    only,
    participant,
    premium,
    reconcile,
)
from tests.builders import VILLAGE_A, VILLAGE_B, removed, resident
from tests.factories import village
from verification import services as proposal_services
from verification.models import Decision, ProposalItem, ProposalSource

pytestmark = pytest.mark.django_db


def propose(actor, *people, area=None):
    return recon.reconciliation_propose_removals(
        actor=actor, month=month(), people=[person.pk for person in people], area=area
    )


def in_another_segment(actor):
    person = participant(actor)
    return person, {"person": person, "segment": "PBI APBN", "tmt": earlier()}


def test_a_participant_billed_in_another_segment_is_proposed_on_ayat_2c(verifier):
    person, row = in_another_segment(verifier)
    billing_file = bill(verifier, row)
    [item] = propose(verifier, person)
    assert (item.kind, item.ground, item.person) == (Kind.REMOVAL, Ground.SEGMENT, person)
    assert (item.decision, item.proposal.source) == (Decision.APPROVED, ProposalSource.DINSOS)
    assert item.evidence["segment"] == Segment.PBI_APBN
    assert item.evidence["since"] == earlier().isoformat()
    card_number = billing_file.lines.get().card_number
    assert item.evidence["card_number"] == card_number
    assert item.evidence["bpjs_segment"] == "PBI APBN"
    assert item.evidence["bpjs_month"] == f"{month():%Y-%m}"
    assert "data.csv" in item.evidence["bpjs_file"]
    assert "segmen PBI APBN" in item.evidence["bpjs_reason"]
    assert list(ProposalItem.objects.awaiting_validation()) == [item]
    assert only(reconcile(verifier), person).is_proposed


def test_two_residents_on_one_card_are_proposed_as_a_duplicate_pair(verifier):
    person, twin = participant(verifier), participant(verifier)
    shared = card()
    bill(
        verifier, {"person": person, "card_number": shared}, {"person": twin, "card_number": shared}
    )
    [item] = propose(verifier, person)
    assert (item.ground, item.duplicate_of) == (Ground.DUPLICATE, twin)
    assert item.evidence["card_number"] == shared


def test_both_of_a_duplicate_pair_are_not_proposed(verifier):
    person, twin = participant(verifier), participant(verifier)
    shared = card()
    bill(
        verifier, {"person": person, "card_number": shared}, {"person": twin, "card_number": shared}
    )
    with pytest.raises(ValidationError, match="usulkan salah satu saja"):
        propose(verifier, person, twin)
    assert not ProposalItem.objects.exists()


def test_a_card_billed_again_for_a_nik_of_no_resident_is_no_duplicate_pair(verifier):
    person = participant(verifier)
    shared = card()
    bill(verifier, {"person": person, "card_number": shared}, {"card_number": shared})
    with pytest.raises(ValidationError, match="tanpa penduduk lain sebagai pasangannya"):
        propose(verifier, person)


def billed_after_removal(actor):
    person = participant(actor)
    removed(
        actor, person, add_months(month(), -1), ground=Ground.SEGMENT, evidence=SEGMENT_EVIDENCE
    )
    return person


def billed_moved_out(actor):
    person = participant(actor)
    removed(actor, person, add_months(month(), -1))
    return person


def billed_dead(actor):
    person = participant(actor)
    removed(actor, person, month(), ground=Ground.DIED, evidence=DEATH)
    return person


def matched(actor):
    return participant(actor)


def never_in_ledger(actor):
    return resident()


def another_card(actor):
    person = participant(actor)
    services.bpjs_record(
        actor=actor,
        person=person,
        status=Status.ACTIVE,
        source_date=earlier(),
        card_number=card(),
        tmt=earlier(),
        source=Source.BPJS_FILE,
    )
    return person


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (billed_after_removal, "berkas permintaan penonaktifan"),
        (billed_dead, "berkas permintaan penonaktifan"),
        (billed_moved_out, "berkas permintaan penonaktifan"),
        (never_in_ledger, "berkas permintaan penonaktifan"),
        (matched, "bukan dasar pengurangan"),
        (another_card, "minta BPJS menonaktifkan kartu yang salah"),
    ],
    ids=["removed", "dead", "moved_out", "never_in_ledger", "matched", "another_card"],
)
def test_who_is_no_removal_is_refused_with_its_reason_and_nothing_is_written(
    verifier, make, reason
):
    refused = make(verifier)
    good, row = in_another_segment(verifier)
    bill(verifier, refused, row)
    with pytest.raises(ValidationError) as error:
        propose(verifier, good, refused)
    assert reason in " ".join(error.value.messages)
    assert refused.name in " ".join(error.value.messages)
    assert not ProposalItem.objects.exists()  # all or none: the good one is not proposed


def test_a_person_outside_the_chosen_area_is_refused(verifier):
    person, row = in_another_segment(verifier)
    bill(verifier, row)
    with pytest.raises(ValidationError, match="tidak ada dalam rekonsiliasi"):
        propose(verifier, person, area=village(VILLAGE_B))
    assert not ProposalItem.objects.exists()


def test_a_removal_is_proposed_once(verifier):
    person, row = in_another_segment(verifier)
    bill(verifier, row)
    propose(verifier, person)
    with pytest.raises(ValidationError, match="sudah diusulkan"):
        propose(verifier, person)
    assert ProposalItem.objects.count() == 1


@pytest.mark.parametrize(
    ("people", "message"), [([], "Pilih paling sedikit"), (["1", "abc"], "tidak sah")]
)
def test_nothing_or_a_bad_choice_is_refused(verifier, people, message):
    with pytest.raises(ValidationError, match=message):
        recon.reconciliation_propose_removals(actor=verifier, month=month(), people=people)


@pytest.mark.parametrize("persona", ["panewu_a", "leadership", "operator_a"])
def test_only_the_team_proposes_removals(request, verifier, persona):
    person, row = in_another_segment(verifier)
    bill(verifier, row)
    with pytest.raises(PermissionDenied):
        propose(request.getfixturevalue(persona), person)
    assert not ProposalItem.objects.exists()


def test_a_validated_removal_leaves_next_months_reconciliation(verifier):
    """Proposed from last month's list, validated (ayat 3), the person is no participant this
    month: BPJS's next list without them shows nothing of them."""
    person, row = in_another_segment(verifier)
    last_month = add_months(month(), -1)
    bill(verifier, row, month=last_month)
    [item] = recon.reconciliation_propose_removals(
        actor=verifier, month=last_month, people=[person.pk]
    )
    proposal_services.removal_validate(
        actor=verifier, item=item, validated_on=month(), validated_against="Data BPJS"
    )
    other = participant(verifier)
    bill(verifier, other, version=1)
    result = reconcile(verifier)
    assert [i.person_id for i in result.items] == [other.pk]
    assert result.difference == 0


# The months billed since a removal


def test_a_person_billed_after_a_removal_costs_each_month_since(verifier):
    person = participant(verifier)
    removed(
        verifier, person, add_months(month(), -2), ground=Ground.SEGMENT, evidence=SEGMENT_EVIDENCE
    )
    fresh = resident()
    bill(verifier, person, fresh)
    result = reconcile(verifier)
    item = only(result, person)
    assert (item.category, item.months) == (recon.Category.NOT_PARTICIPANT, 3)
    assert "tagihan berlanjut 3 bulan" in item.reason
    assert only(result, fresh).months == 1
    row = next(row for row in result.rows() if row["key"] == recon.Category.NOT_PARTICIPANT)
    assert (row["months"], row["cost"]) == (4, 4 * RATE)
    assert row["bill_amount"] == 2 * RATE  # the month's bill itself: two people
    assert result.cost == 4 * RATE


def test_the_dead_billed_since_the_removal_count_from_its_month(verifier):
    person = participant(verifier)
    removed(verifier, person, add_months(month(), -1), ground=Ground.DIED, evidence=DEATH)
    bill(verifier, person)
    item = only(reconcile(verifier), person)
    assert (item.category, item.months) == (recon.Category.DEAD_OR_MOVED, 2)


# The cache


def queries(actor):
    with CaptureQueriesContext(connection) as captured:
        result = reconcile(actor)
    return result, len(captured)


def test_a_repeated_view_reads_the_cache(verifier, monkeypatch):
    bill(verifier, participant(verifier), resident())
    first, _ = queries(verifier)
    computed = []
    monkeypatch.setattr(recon, "_reconcile", lambda *args: computed.append(args))
    again, _ = queries(verifier)
    assert computed == []
    assert [i.person_id for i in again.items] == [i.person_id for i in first.items]


def test_the_export_job_reads_the_result_the_page_cached(verifier, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bill(verifier, participant(verifier), resident())
    page = reconcile(verifier)
    monkeypatch.setattr(recon, "_reconcile", lambda *args: pytest.fail("computed again"))
    job = jobs.start(tasks.RECONCILIATION_EXPORT, verifier, month=month().isoformat())
    assert job.status == Job.Status.DONE, job.error
    assert job.result["rows"] == len(page.items) - len(page.of(recon.Category.MATCHED)) == 1


def test_a_new_ledger_entry_billing_file_or_record_changes_the_result(verifier):
    person = participant(verifier)
    bill(verifier, person)
    assert reconcile(verifier).billed == 1
    newcomer = participant(verifier)
    assert only(reconcile(verifier), newcomer).category == recon.Category.NOT_BILLED
    bill(verifier, person, newcomer, version=2)
    assert reconcile(verifier).billed == 2
    services.bpjs_record(
        actor=verifier,
        person=person,
        status=Status.ACTIVE,
        source_date=earlier(),
        card_number=card(),
        tmt=earlier(),
        source=Source.BPJS_FILE,
    )
    assert only(reconcile(verifier), person).category == recon.Category.DOUBLE


def test_each_scope_has_its_own_cached_result(verifier, operator_a, operator_b):
    mine, theirs = participant(verifier, VILLAGE_A), participant(verifier, VILLAGE_B)
    bill(verifier, mine, theirs)
    assert len(reconcile(verifier).items) == 2
    assert {i.person_id for i in reconcile(operator_a).items} == {mine.pk}
    assert {i.person_id for i in reconcile(operator_b).items} == {theirs.pk}
    area = village(VILLAGE_A)
    assert {i.person_id for i in reconcile(verifier, area=area).items} == {mine.pk}


def test_a_segment_as_bpjs_writes_it_maps_to_the_ledgers(verifier):
    cases = {
        "PBI APBN": Segment.PBI_APBN,
        "PBI JK": Segment.PBI_APBN,
        "PBPU Mandiri": Segment.PBPU,
        "PPU Swasta": Segment.PPU,
        "BP Veteran": Segment.OTHER,
        SEGMENT: None,
        "": None,
    }
    assert {text: recon._segment_of(text) for text in cases} == cases


# The page


def test_the_team_proposes_the_chosen_from_the_page(client, verifier):
    person, row = in_another_segment(verifier)
    bill(verifier, row)
    client.force_login(verifier)
    url = reverse("bpjs:reconciliation")
    page = client.get(url, {"bulan": f"{month():%Y-%m}"}).content.decode()
    assert f'name="orang" value="{person.pk}"' in page
    response = client.post(
        reverse("bpjs:reconciliation_propose_removals"),
        {"bulan": f"{month():%Y-%m}", "orang": [person.pk]},
        follow=True,
    )
    assert "1 pengurangan diusulkan" in response.content.decode()
    assert ProposalItem.objects.get().person == person
    page = client.get(url, {"bulan": f"{month():%Y-%m}"}).content.decode()
    assert f'name="orang" value="{person.pk}"' not in page
    assert "diusulkan</span>" in page


def test_a_refusal_on_the_page_writes_nothing(client, verifier):
    person = participant(verifier)
    bill(verifier, person)
    client.force_login(verifier)
    response = client.post(
        reverse("bpjs:reconciliation_propose_removals"),
        {"bulan": f"{month():%Y-%m}", "orang": [person.pk]},
        follow=True,
    )
    assert "Tidak ada yang diusulkan" in response.content.decode()
    assert not ProposalItem.objects.exists()


def test_the_camat_may_not_propose_and_sees_no_checkbox(client, verifier, panewu_a):
    person, row = in_another_segment(verifier)
    bill(verifier, row)
    client.force_login(panewu_a)
    page = client.get(reverse("bpjs:reconciliation"), {"bulan": f"{month():%Y-%m}"})
    assert 'name="orang"' not in page.content.decode()
    response = client.post(
        reverse("bpjs:reconciliation_propose_removals"),
        {"bulan": f"{month():%Y-%m}", "orang": [person.pk]},
    )
    assert response.status_code == 403
