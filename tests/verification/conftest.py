import datetime

import pytest
from django.utils import timezone

from enrollment.models import Ground, Kind
from regions.months import month_start
from tests.enrollment.conftest import DTKS_EVIDENCE
from tests.factories import PersonFactory, faskes
from tests.sktm.conftest import acknowledged_form, letter, submitted_form  # noqa: F401
from verification import services
from verification.models import ProposalItem

LONG_AGO = datetime.date(2020, 5, 1)
DTKS_FORM_EVIDENCE = {**DTKS_EVIDENCE, "has_other_cover": False}


def this_month():
    return month_start(timezone.localdate())


def dtks_item(person, **fields):
    """An unsaved proposal of `person` on ground c.1 (DTSEN), at a faskes of their kapanewon."""
    fields.setdefault("faskes", faskes(person.household.village.code))
    return ProposalItem(
        person=person,
        kind=Kind.ADDITION,
        ground=Ground.DTKS,
        evidence=DTKS_FORM_EVIDENCE,
        **fields,
    )


def propose(actor, proposal, person, **fields):
    return services.item_add(actor=actor, proposal=proposal, item=dtks_item(person, **fields))


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
