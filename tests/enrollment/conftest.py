import datetime

import pytest

from enrollment import services
from enrollment.models import Ground
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
    """Adds `person` on ground c.1 (DTSEN) from January 2026, at a faskes of their kapanewon."""
    return services.participant_add(
        actor=actor,
        person=person,
        ground=Ground.DTKS,
        effective_month=JAN,
        evidence=DTKS_EVIDENCE,
        faskes=faskes(person.household.village.code),
    )


@pytest.fixture
def resident(db):
    return PersonFactory(domicile_since=datetime.date(2020, 5, 1), sex="P")


@pytest.fixture
def participant(resident, verifier):
    enroll(verifier, resident)
    return resident
