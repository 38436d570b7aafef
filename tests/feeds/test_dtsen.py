"""DTSEN's periods read against the kabupaten's dated desil threshold: who is due for
re-verification now, who is a calon usulan, and the dashboard's figure."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from bpjs.models import Record, Source, Status
from enrollment.models import RegistryRecord
from feeds import dtsen
from oversight import services as oversight_services
from oversight.models import Outcome
from regions.models import DesilThreshold, District, Regency
from tests.builders import KULON_PROGO, VILLAGE_A, VILLAGE_B, enrolled, resident, this_month
from tests.factories import UserFactory, village

pytestmark = pytest.mark.django_db

EARLIER, LATEST = datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)


def listing(person, desil, period=LATEST, **fields):
    """`person`'s listing in a DTSEN period, as the extract import writes it."""
    return RegistryRecord.objects.create(
        source="DTSEN",
        registry_id=f"DTSEN-{person.nik}-{period:%Y%m}",
        nik=person.nik,
        name=person.name,
        household_number=person.household.number,
        village=person.household.village,
        desil=desil,
        data_period=period,
        imported_by=fields.pop("imported_by", None) or UserFactory(role="admin"),
        **fields,
    )


def urgent_of(actor, month=None):
    """The actor's urgent cases: person id -> the reason in words."""
    month = month or this_month()
    rank = dtsen.ranking(dtsen.day_of(month))
    rows = dtsen.urgent_cases(actor=actor, month=month)
    return {row.person_id: rank.reason(row.person_id) for row in rows}


def case_of(person):
    return dtsen.ranking(dtsen.day_of(this_month())).cases[person.pk]


@pytest.fixture
def threshold_five(db):
    DesilThreshold.objects.update_or_create(
        valid_from=datetime.date(2025, 2, 5), defaults={"desil": 5}
    )


# the threshold, a dated setting


def test_the_threshold_in_force_is_the_latest_set_on_or_before_the_day(threshold_five):
    DesilThreshold.objects.create(valid_from=datetime.date(2026, 10, 1), desil=7)
    assert dtsen.threshold_on(datetime.date(2026, 9, 30)) == 5
    assert dtsen.threshold_on(datetime.date(2026, 10, 1)) == 7
    assert DesilThreshold.objects.in_force(datetime.date(2024, 1, 1)) is None
    assert dtsen.threshold_on(datetime.date(2024, 1, 1)) == dtsen.DEFAULT_THRESHOLD


def test_a_new_threshold_applies_from_its_date(verifier, threshold_five):
    DesilThreshold.objects.create(valid_from=datetime.date(2026, 10, 1), desil=7)
    person = enrolled(verifier, VILLAGE_A, datetime.date(2026, 1, 1))
    listing(person, 3, EARLIER)
    listing(person, 6)
    assert person.pk in urgent_of(verifier, month=datetime.date(2026, 9, 1))
    assert person.pk not in urgent_of(verifier, month=datetime.date(2026, 10, 1))


# verifikasi ulang segera


@pytest.fixture
def periods(verifier, threshold_five):
    """Four participants of village A and their households in the two latest periods."""
    people = {
        name: enrolled(verifier, VILLAGE_A, datetime.date(2026, 1, 1))
        for name in ("rose", "stayed", "left", "unlisted")
    }
    listing(people["rose"], 3, EARLIER)
    listing(people["rose"], 7)
    listing(people["stayed"], 2, EARLIER)
    listing(people["stayed"], 5)
    listing(people["left"], 4, EARLIER)
    return people


def test_a_participant_whose_desil_rose_above_the_threshold_is_urgent(verifier, periods):
    assert case_of(periods["rose"]) == (dtsen.Reason.ROSE, 3, 7)
    assert urgent_of(verifier)[periods["rose"].pk] == (
        "Desil rumah tangga naik dari desil 3 ke desil 7 di DTSEN periode 08-2026, "
        "di atas ambang desil 5"
    )


def test_a_participant_who_left_dtsen_is_urgent(verifier, periods):
    assert case_of(periods["left"]) == (dtsen.Reason.LEFT, 4, None)
    assert (
        "Tidak lagi terdaftar di DTSEN periode 08-2026" in urgent_of(verifier)[periods["left"].pk]
    )


def test_participants_within_the_threshold_or_never_listed_are_not_urgent(verifier, periods):
    assert set(urgent_of(verifier)) == {periods["rose"].pk, periods["left"].pk}


def test_a_reverification_after_the_period_was_imported_ends_the_urgency(verifier, periods):
    oversight_services.reverification_record(
        actor=verifier,
        person=periods["rose"],
        checked_on=timezone.localdate(),
        outcome=Outcome.ELIGIBLE,
    )
    assert set(urgent_of(verifier)) == {periods["left"].pk}


def test_no_period_no_urgent_case(verifier, threshold_five):
    enrolled(verifier, VILLAGE_A, datetime.date(2026, 1, 1))
    assert urgent_of(verifier) == {}


def test_urgent_cases_are_scoped_to_the_actor_and_the_area(
    verifier, operator_a, operator_b, periods
):
    in_b = enrolled(verifier, VILLAGE_B, datetime.date(2026, 1, 1))
    listing(in_b, 9)
    assert set(urgent_of(operator_a)) == {periods["rose"].pk, periods["left"].pk}
    assert set(urgent_of(operator_b)) == {in_b.pk}
    in_a = dtsen.urgent_cases(actor=verifier, month=this_month(), area=village(VILLAGE_A))
    assert {row.person_id for row in in_a} == {periods["rose"].pk, periods["left"].pk}


# calon usulan


@pytest.fixture
def listed_poor(verifier, threshold_five):
    """Residents of village A listed in the latest period, each a different case."""
    people = {name: resident(VILLAGE_A) for name in ("poor", "participant", "sent", "rich")}
    people["participant"] = enrolled(verifier, VILLAGE_A, datetime.date(2026, 1, 1))
    people["lapsed"] = resident(VILLAGE_A)
    for name, person in people.items():
        listing(person, 8 if name == "rich" else 2)
    for name, status in (("sent", Status.SENT), ("lapsed", Status.INACTIVE)):
        Record.objects.create(
            person=people[name],
            status=status,
            source=Source.BPJS_FILE,
            source_date=datetime.date(2026, 6, 1),
            recorded_by=verifier,
        )
    earlier_only = resident(VILLAGE_A)
    listing(earlier_only, 1, EARLIER)
    return people


def candidates_of(actor, **kwargs):
    return {row.nik for row in dtsen.candidate_cases(actor=actor, month=this_month(), **kwargs)}


def test_calon_usulan_are_the_listed_poor_neither_participant_nor_covered(operator_a, listed_poor):
    assert candidates_of(operator_a) == {listed_poor["poor"].nik, listed_poor["lapsed"].nik}


def test_calon_usulan_follow_the_threshold_in_force(operator_a, listed_poor):
    DesilThreshold.objects.create(valid_from=datetime.date(2026, 1, 1), desil=1)
    assert candidates_of(operator_a) == set()


def test_calon_usulan_are_scoped(operator_b, panewu_a, verifier, listed_poor):
    assert candidates_of(operator_b) == set()
    assert candidates_of(panewu_a) == {listed_poor["poor"].nik, listed_poor["lapsed"].nik}
    assert candidates_of(verifier, area=village(VILLAGE_B)) == set()


# the dashboard's figure


def test_the_figure_counts_per_kapanewon_outside_and_uncovered(verifier, periods, listed_poor):
    regency = Regency.objects.get(code=KULON_PROGO)
    rows = {row.district.code: row for row in dtsen.figures(regency, timezone.localdate())}
    temon = rows[VILLAGE_A[:8]]
    # "rose" (desil 7) is outside; "stayed" (5) is not; "left" is no longer listed.
    assert (temon.outside, temon.uncovered) == (1, 2)
    assert (rows[VILLAGE_B[:8]].outside, rows[VILLAGE_B[:8]].uncovered) == (0, 0)
    assert len(rows) == District.objects.filter(regency=regency).count()


def test_the_dashboard_tag_renders_the_figure(verifier, periods):
    html = Template("{% load dtsen_tags %}{% dtsen_dashboard place %}").render(
        Context({"place": village(VILLAGE_A)})
    )
    assert "DTSEN periode 08-2026, ambang desil 5" in html
    assert "Temon" in html
