import datetime

import pytest

from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled


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
