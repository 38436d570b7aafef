import datetime
import io

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from enrollment import bulk, services
from enrollment.imports import read_rows
from enrollment.models import Ground, LedgerEntry, Participation
from people.models import Household, Person
from regions.models import Regency
from tests.builders import SAMPLE, remove
from tests.factories import HouseholdFactory, PersonFactory, village

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def snapshot():
    households = {
        h.number: model_to_dict(h, exclude=["id"]) for h in Household.objects.order_by("number")
    }
    people = {
        p.nik: {
            **model_to_dict(p, exclude=["id", "household"]),
            "household": p.household.number,
        }
        for p in Person.objects.select_related("household")
    }
    entries = [
        {
            **model_to_dict(e, exclude=["id", "person", "recorded_at"]),
            "person": e.person.nik,
        }
        for e in LedgerEntry.objects.select_related("person").order_by("person__nik", "sequence")
    ]
    spells = [
        {**model_to_dict(p, exclude=["person", "last_entry"]), "person": p.person.nik}
        for p in Participation.objects.select_related("person").order_by("person__nik")
    ]
    return households, people, entries, spells


def import_and_snapshot(admin_user, use_copy, monkeypatch):
    monkeypatch.setattr(bulk, "USE_COPY", use_copy)
    try:
        with transaction.atomic():
            services.participants_import(
                actor=admin_user,
                rows=read_rows(io.BytesIO(SAMPLE.read_bytes()), "peserta.csv"),
                regency=Regency.objects.get(code="34.01"),
                source="peserta.csv",
            )
            result = snapshot()
            raise Rollback
    except Rollback:
        return result


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_and_bulk_create_store_the_same_import(admin_user, verifier, monkeypatch):
    # One person of the file is already recorded and was removed: their entry follows.
    former = PersonFactory(
        nik="3401016101600004",
        household=HouseholdFactory(number="3401010101150002", village=village("34.01.01.2002")),
        domicile_since=datetime.date(2020, 1, 1),
    )
    services.participant_add(
        actor=admin_user,
        person=former,
        ground=Ground.OPENING,
        effective_month=datetime.date(2025, 1, 1),
    )
    remove(
        verifier,
        former,
        Ground.MOVED_OUT,
        month=datetime.date(2025, 2, 1),
        evidence={"destination": "X", "moved_on": "2025-02-01"},
    )
    with_copy = import_and_snapshot(admin_user, True, monkeypatch)
    without = import_and_snapshot(admin_user, False, monkeypatch)
    assert with_copy == without
    assert len(with_copy[1]) == 6 and len(with_copy[2]) == 8 and len(with_copy[3]) == 6


@pytest.mark.django_db
def test_any_of_asks_for_many_keys_in_one_parameter():
    people = PersonFactory.create_batch(3)
    keys = [people[0].pk, people[2].pk]
    with CaptureQueriesContext(connection) as queries:
        found = set(Person.objects.filter(bulk.AnyOf(F("pk"), keys)).values_list("pk", flat=True))
    assert found == set(keys)
    assert not Person.objects.filter(bulk.AnyOf(F("pk"), [])).exists()
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"]
