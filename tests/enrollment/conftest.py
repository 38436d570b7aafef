import datetime
import functools

import pytest
from django.utils import timezone

from enrollment import services
from enrollment.models import Ground, Kind, LedgerEntry
from enrollment.participation import current_participants, is_active
from people.models import Person
from tests.factories import PersonFactory, faskes

JAN = datetime.date(2026, 1, 1)
# Pasal 5 ayat (4) c: no other cover, domiciled as the KTP and KK show.
DECLARATION = {"has_other_cover": False, "domicile_document": "KTP dan KK"}
DTKS_EVIDENCE = {
    **DECLARATION,
    "source": "DTSEN",
    "dtks_id": "DTSEN-3401-000123",
    "desil": 2,
    "data_period": "2025-Q4",
    "checked_on": "2025-12-15",
}
VALIDATION = {
    "validated_by": "dukcapil",
    "validated_on": datetime.date(2026, 3, 2),
    "validated_against": "Data SIAK Disdukcapil per 1 Maret 2026",
}


def enroll(actor, person):
    """Adds `person` on ground c.1 (DTSEN) from January 2026."""
    return services.participant_add(
        actor=actor,
        person=person,
        ground=Ground.DTKS,
        effective_month=JAN,
        evidence=DTKS_EVIDENCE,
        faskes=faskes(),
    )


@pytest.fixture
def resident(db):
    return PersonFactory(domicile_since=datetime.date(2020, 5, 1), sex="P")


@pytest.fixture
def participant(resident, verifier):
    enroll(verifier, resident)
    return resident


def assert_projection_matches_ledger():
    """For every person with entries, the projection answers as the ledger does, on every date
    it covers: from the end of the person's previous spell on (today included when it is)."""
    today = timezone.localdate()
    for person in Person.objects.filter(ledger_entries__isnull=False).distinct():
        entries = list(LedgerEntry.objects.filter(person=person).order_by("sequence"))
        additions = [
            i
            for i, entry in enumerate(entries)
            if entry.kind == Kind.ADDITION and entry.ground != Ground.CORRECTION
        ]
        start = entries[additions[-1] - 1].effective_month if additions[-1] else datetime.date.min
        dates = {entry.effective_month for entry in entries if entry.effective_month >= start}
        dates |= {datetime.date.max} | ({today} if today >= start else set())
        if hasattr(person, "participation"):
            assert person.participation.village_id == person.household.village_id
        for on in dates:
            projected = current_participants(Person.objects.filter(pk=person.pk), on).exists()
            assert projected == is_active(person, on), (person.nik, on)


@pytest.fixture(autouse=True)
def projection_checked(request, monkeypatch):
    """Checks the projection after every ledger append and every import, and at the end."""
    # Set up the database first, so that it is still there for the final check.
    transactional = "transactional_db" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")

    def checked(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            assert_projection_matches_ledger()
            return result

        return wrapper

    monkeypatch.setattr(services, "append", checked(services.append))
    monkeypatch.setattr(services, "participants_import", checked(services.participants_import))
    yield
    assert_projection_matches_ledger()
