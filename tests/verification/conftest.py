import pytest

from tests.builders import LONG_AGO, propose, this_month
from tests.factories import PersonFactory
from verification import services


@pytest.fixture
def proposal(operator_a):
    return services.proposal_open(actor=operator_a, month=this_month())


@pytest.fixture
def residents(db):
    return PersonFactory.create_batch(3, domicile_since=LONG_AGO)


@pytest.fixture
def submitted(proposal, residents, operator_a, lurah_a):
    for person in residents:
        propose(operator_a, proposal, person)
    return services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
