import datetime

import pytest

from people.models import MaritalStatus, Relationship, Sex
from tests.builders import LONG_AGO, propose, this_month
from tests.factories import PersonFactory, faskes
from verification import services as proposal_services
from verification.models import Decision


def complete(person, relationship=Relationship.HEAD):
    """A resident with everything BPJS asks for."""
    person.relationship = relationship
    person.marital_status = MaritalStatus.MARRIED
    person.birth_place = "Kulon Progo"
    person.birth_date = datetime.date(1990, 1, 1)
    person.sex = Sex.MALE
    person.phone = "081234567890"
    person.save()
    return person


@pytest.fixture
def coded_faskes():
    """The faskes of village A's kapanewon, with its BPJS provider code."""
    facility = faskes()
    facility.bpjs_code = "0123B045"
    facility.save()
    return facility


@pytest.fixture
def approved(operator_a, lurah_a, verifier, coded_faskes):
    """Two residents of village A approved this month, their ledger entries recorded; the
    second's SHDK and status kawin are then blanked, as a participant of an opening-balance
    import without those columns has them."""
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    people = [
        complete(PersonFactory(domicile_since=LONG_AGO)),
        PersonFactory(domicile_since=LONG_AGO, name="Tanpa Data"),
    ]
    items = [propose(operator_a, proposal, person, faskes=coded_faskes) for person in people]
    proposal_services.proposal_submit(actor=lurah_a, proposal=proposal, place="Temon")
    for item in items:
        item.refresh_from_db()
        proposal_services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    bare = people[1]
    type(bare).objects.filter(pk=bare.pk).update(relationship=None, marital_status=None)
    bare.refresh_from_db()
    return people
