import datetime

import pytest

from tests.builders import enroll
from tests.factories import PersonFactory


@pytest.fixture
def resident(db):
    return PersonFactory(domicile_since=datetime.date(2020, 5, 1), sex="P")


@pytest.fixture
def participant(resident, verifier):
    enroll(verifier, resident)
    return resident
