import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enrollment.models import Ground, Kind, LedgerEntry, Participation
from enrollment.participation import is_active
from oversight import schedule, services
from oversight.models import LatestReverification, Outcome, Reverification
from regions.months import add_months, month_start
from tests.builders import MOVED_OUT, VILLAGE_A, VILLAGE_B, enrolled, resident
from verification import services as verification
from verification.models import Proposal, ProposalItem, ProposalSource, ProposalStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def status_of(person, on=TODAY):
    rows = schedule.with_schedule(Participation.objects.filter(person=person), on)
    return rows.values_list("status", flat=True).get()


def eligible(actor, person, checked_on=TODAY):
    return services.reverification_record(
        actor=actor, person=person, checked_on=checked_on, outcome=Outcome.ELIGIBLE
    )


def moved_out(actor, person, **overrides):
    arguments = {
        "actor": actor,
        "person": person,
        "checked_on": TODAY,
        "outcome": Outcome.INELIGIBLE,
        "ground": Ground.MOVED_OUT,
        "evidence": MOVED_OUT,
    }
    return services.reverification_record(**(arguments | overrides))


def test_a_participant_reverified_exactly_three_months_ago_is_due_not_overdue(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    eligible(verifier, person, checked_on=add_months(TODAY, -3))
    assert status_of(person) == schedule.Status.DUE
    assert status_of(person, TODAY + datetime.timedelta(days=1)) == schedule.Status.OVERDUE


def test_one_day_more_than_three_months_is_overdue(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    eligible(verifier, person, checked_on=add_months(TODAY, -3) - datetime.timedelta(days=1))
    assert status_of(person) == schedule.Status.OVERDUE


def test_joining_counts_as_the_first_verification(verifier):
    joined = enrolled(verifier, month=month_start(TODAY))
    assert status_of(joined) == schedule.Status.CURRENT
    old = enrolled(verifier, month=datetime.date(2025, 1, 1))
    assert status_of(old) == schedule.Status.OVERDUE


def test_the_database_status_agrees_with_the_rule_on_every_day(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    checked = datetime.date(2026, 5, 31)
    eligible(verifier, person, checked_on=checked)
    day = datetime.date(2026, 8, 1)
    while day < datetime.date(2026, 10, 1):
        assert status_of(person, day) == schedule.status(checked, day), day
        day += datetime.timedelta(days=1)


def test_history_is_kept_and_the_latest_date_never_goes_back(verifier):
    person = enrolled(verifier, month=datetime.date(2025, 1, 1))
    eligible(verifier, person, checked_on=TODAY)
    eligible(verifier, person, checked_on=TODAY - datetime.timedelta(days=10))
    assert person.reverifications.count() == 2
    assert LatestReverification.objects.get(person_id=person.pk).checked_on == TODAY


def test_a_future_date_or_a_non_participant_is_refused(verifier):
    person = enrolled(verifier)
    with pytest.raises(ValidationError, match="masa depan"):
        eligible(verifier, person, checked_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="bukan peserta"):
        eligible(verifier, resident())
    assert not Reverification.objects.exists()


def test_village_staff_reverify_only_their_own_village(verifier, operator_a, operator_b):
    person = enrolled(verifier, VILLAGE_A)
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        eligible(operator_b, person)
    eligible(operator_a, person)
    assert Reverification.objects.get().recorded_by == operator_a


def test_not_eligible_by_the_village_opens_a_removal_in_its_usulan(verifier, operator_a):
    person = enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1))
    record = moved_out(operator_a, person)
    item = record.removal
    assert item.kind == Kind.REMOVAL and item.ground == Ground.MOVED_OUT
    assert item.proposal.status == ProposalStatus.DRAFT
    assert item.proposal.month == month_start(TODAY)
    assert item.proposal.source == ProposalSource.VILLAGE
    assert is_active(person)  # only validation removes


def test_when_this_months_usulan_is_sent_the_removal_goes_into_next_months(
    verifier, operator_a, lurah_a
):
    sent = enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1))
    person = enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1))
    proposal = moved_out(operator_a, sent).removal.proposal
    verification.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    record = moved_out(operator_a, person)
    assert record.removal.proposal.month == add_months(month_start(TODAY), 1)


def test_not_eligible_by_dinsos_waits_for_validation_and_validation_removes(verifier, dukcapil):
    person = enrolled(verifier, VILLAGE_B, datetime.date(2025, 1, 1))
    record = moved_out(verifier, person)
    queue = ProposalItem.objects.awaiting_validation()
    assert list(queue) == [record.removal]
    assert record.removal.proposal.source == ProposalSource.DINSOS
    verification.removal_validate(
        actor=dukcapil, item=record.removal, validated_on=TODAY, validated_against="SIAK"
    )
    assert not is_active(person)
    assert LedgerEntry.objects.filter(person=person, kind=Kind.REMOVAL).count() == 1


def test_dinsos_records_several_removals_of_a_village_in_one_record(verifier):
    people = [enrolled(verifier, VILLAGE_B, datetime.date(2025, 1, 1)) for _ in range(2)]
    for person in people:
        moved_out(verifier, person)
    assert Proposal.objects.filter(source=ProposalSource.DINSOS).count() == 1
    assert ProposalItem.objects.awaiting_validation().count() == 2


def test_a_person_already_proposed_is_not_proposed_twice(verifier, operator_a):
    person = enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1))
    moved_out(operator_a, person)
    with pytest.raises(ValidationError, match="sudah ada dalam usulan"):
        moved_out(verifier, person, checked_on=TODAY - datetime.timedelta(days=1))
    assert Reverification.objects.count() == 1


def test_not_eligible_with_missing_evidence_writes_nothing(verifier, operator_a):
    person = enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="Bukti belum lengkap"):
        moved_out(operator_a, person, evidence={"destination": "Sleman"})
    assert not Reverification.objects.exists()
    assert not Proposal.objects.exists()
    assert not LatestReverification.objects.exists()


def test_bulk_writes_one_record_per_participant(verifier):
    people = [enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1)) for _ in range(4)]
    count = services.village_reverify(
        actor=verifier,
        village=people[0].household.village,
        people=[str(p.pk) for p in people],
        checked_on=TODAY,
    )
    assert count == 4
    assert Reverification.objects.filter(outcome=Outcome.ELIGIBLE).count() == 4
    assert sorted(Reverification.objects.values_list("person_id", flat=True)) == sorted(
        p.pk for p in people
    )
    assert all(status_of(p) == schedule.Status.CURRENT for p in people)


def test_bulk_writes_nothing_when_one_participant_fails(verifier):
    people = [enrolled(verifier, VILLAGE_A, datetime.date(2025, 1, 1)) for _ in range(3)]
    elsewhere = enrolled(verifier, VILLAGE_B, datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="1 penduduk"):
        services.village_reverify(
            actor=verifier,
            village=people[0].household.village,
            people=[p.pk for p in [*people, elsewhere]],
            checked_on=TODAY,
        )
    assert not Reverification.objects.exists()
    assert not LatestReverification.objects.exists()


def test_bulk_refuses_another_villages_staff_and_an_empty_list(verifier, operator_b):
    person = enrolled(verifier, VILLAGE_A)
    village = person.household.village
    with pytest.raises(PermissionDenied, match="tidak berwenang"):
        services.village_reverify(
            actor=operator_b, village=village, people=[person.pk], checked_on=TODAY
        )
    with pytest.raises(ValidationError, match="Pilih paling sedikit"):
        services.village_reverify(actor=verifier, village=village, people=[], checked_on=TODAY)
    assert not Reverification.objects.exists()
