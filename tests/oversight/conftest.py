import datetime

import pytest
from django.utils import timezone

from enrollment import services as ledger
from enrollment.models import Ground
from regions.months import month_start
from tests.conftest import VILLAGE_A, VILLAGE_A2, VILLAGE_B
from tests.enrollment.conftest import DTKS_EVIDENCE
from tests.factories import HouseholdFactory, PersonFactory, faskes, village

LONG_AGO = datetime.date(2015, 1, 1)
MOVED_OUT = {"destination": "Kota Surakarta", "moved_on": "2026-02-20"}


def resident(code=VILLAGE_A):
    return PersonFactory(household=HouseholdFactory(village=village(code)), domicile_since=LONG_AGO)


def enrolled(actor, code=VILLAGE_A, month=None):
    """A resident of village `code` added on ground c.1 from `month` (default this month)."""
    person = resident(code)
    ledger.participant_add(
        actor=actor,
        person=person,
        ground=Ground.DTKS,
        effective_month=month or month_start(timezone.localdate()),
        evidence=DTKS_EVIDENCE,
        faskes=faskes(code),
    )
    return person


def removed(actor, person, month, ground=Ground.MOVED_OUT, evidence=MOVED_OUT):
    return ledger.participant_remove(
        actor=actor,
        person=person,
        ground=ground,
        effective_month=month,
        evidence=evidence,
        validated_by="dukcapil",
        validated_on=timezone.localdate(),
        validated_against="Data SIAK",
    )


@pytest.fixture
def participants(verifier):
    """Three participants in village A, one in A2 (same kapanewon), two in B (another)."""
    month = datetime.date(2026, 1, 1)
    return {
        VILLAGE_A: [enrolled(verifier, VILLAGE_A, month) for _ in range(3)],
        VILLAGE_A2: [enrolled(verifier, VILLAGE_A2, month)],
        VILLAGE_B: [enrolled(verifier, VILLAGE_B, month) for _ in range(2)],
    }


@pytest.fixture
def bkd(db):
    from accounts.models import Role
    from tests.factories import UserFactory, agency

    return UserFactory(username="bkd", role=Role.AGENCY_STAFF, agency=agency("BKD"))


@pytest.fixture
def dinkes(db):
    from accounts.models import Role
    from tests.factories import UserFactory, agency

    return UserFactory(username="dinkes", role=Role.AGENCY_STAFF, agency=agency("Dinkes"))
