import csv
import datetime
import io

import pytest

from enrollment import services
from enrollment.imports import PARTICIPANT_COLUMNS, read_rows
from enrollment.models import Ground, LedgerEntry, Participation
from enrollment.participation import project, project_people
from oversight.models import LatestReverification
from regions.models import Regency
from tests.builders import FEB, JAN, assert_projection_matches_ledger, enroll, remove
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_projection_is_rebuilt_whole_from_the_ledger(participant, resident, verifier):
    # Migration 0004 filled the first projection this way; since 0007 its rows carry columns
    # that migration's function never knew, so the rebuild is the projection's one writer.
    other = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    enroll(verifier, other)
    remove(
        verifier, other, Ground.MOVED_OUT, evidence={"destination": "X", "moved_on": "2026-03-01"}
    )
    fields = ("person", "since", "until", "ground", "verified_on", "has_moved_village")
    expected = set(Participation.objects.values_list(*fields))
    Participation.objects.all().delete()
    project_people(LedgerEntry.objects.values_list("person_id", flat=True).distinct())
    assert set(Participation.objects.values_list(*fields)) == expected
    assert len(expected) == 2
    assert_projection_matches_ledger()


def spells():
    return {
        row["person"]: row
        for row in Participation.objects.values(
            "person", "since", "until", "ground", "last_entry", "village"
        )
    }


def import_rows(admin_user, rows):
    file = io.StringIO()
    writer = csv.writer(file)
    writer.writerow(PARTICIPANT_COLUMNS)
    for person, month in rows:
        household = person.household
        writer.writerow(
            [person.nik, household.number, person.name, "", "", "P", "4", "1", ""]
            + [household.dusun, "001", "001", household.village.code, f"{month:%Y-%m}", ""]
        )
    return services.participants_import(
        actor=admin_user,
        rows=read_rows(io.BytesIO(file.getvalue().encode()), "peserta.csv"),
        regency=Regency.objects.get(code="34.01"),
        source="peserta.csv",
    )


def test_the_import_projects_as_each_entry_does(admin_user, participant, verifier):
    remove(
        verifier,
        participant,
        Ground.MOVED_OUT,
        evidence={"destination": "X", "moved_on": "2026-03-01"},
    )
    newcomer = PersonFactory(household=participant.household)
    import_rows(admin_user, [(participant, datetime.date(2026, 5, 1)), (newcomer, JAN)])
    imported = spells()
    for person in (participant, newcomer):
        project(LedgerEntry.objects.filter(person=person).order_by("-sequence").first())
    assert spells() == imported
    assert imported[participant.pk]["since"] == datetime.date(2026, 5, 1)
    assert imported[participant.pk]["until"] is None
    assert imported[newcomer.pk]["ground"] == Ground.OPENING


def test_a_latest_reverification_survives_an_import_of_its_participant(
    admin_user, participant, verifier
):
    LatestReverification.objects.create(person_id=participant.pk, checked_on=FEB)
    remove(
        verifier,
        participant,
        Ground.MOVED_OUT,
        evidence={"destination": "X", "moved_on": "2026-03-01"},
    )
    plan = import_rows(admin_user, [(participant, datetime.date(2026, 5, 1))])
    assert plan.to_add == 1
    assert LatestReverification.objects.get(person_id=participant.pk).checked_on == FEB


def test_projecting_people_again_changes_nothing(participant, verifier):
    other = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    enroll(verifier, other)
    before = spells()
    project_people([participant.pk, other.pk, PersonFactory().pk])
    assert spells() == before and len(before) == 2
