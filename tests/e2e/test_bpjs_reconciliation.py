"""The reconciliation on a phone: the Tim Verifikasi ticks a participant billed in another
segment and proposes the removal into the Dinas Sosial's findings."""

from importlib import import_module

import pyotp
import pytest
from django.db import connection

from accounts.models import AuthenticatorDevice, Role
from bpjs import reconciliation as recon
from enrollment.models import Ground
from regions.months import add_months
from tests.bpjs.test_reconciliation import bill
from tests.builders import KULON_PROGO, VILLAGE_A, enrolled, this_month
from tests.e2e.pages import empty_the_ledger
from tests.factories import UserFactory, regency
from verification.models import ProposalItem

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.flaky(reruns=2)]

# The append-only tables of bpjs and the migrations holding their SQLite triggers.
_APPEND_ONLY = [
    ("bpjs.migrations.0004_billing_append_only", ["bpjs_billingrow", "bpjs_billingfile"]),
    ("bpjs.migrations.0002_record_append_only", ["bpjs_record"]),
]


def empty_bpjs():
    """SQLite's flush deletes row by row, which the append-only triggers refuse: the BPJS
    tables are emptied with their delete triggers lifted for that moment (PostgreSQL's flush
    lifts them itself, tests/conftest.py)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for module, tables in _APPEND_ONLY:
            statements = import_module(module).SQLITE
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
                cursor.execute(f"DELETE FROM {table}")
            for statement in statements:
                if "_no_delete" in statement:
                    cursor.execute(statement)


@pytest.fixture
def world(committed_reference_data):
    verifier = UserFactory(username="verifikator", role=Role.VERIFIER, regency=regency(KULON_PROGO))
    AuthenticatorDevice.objects.create(user=verifier, secret=pyotp.random_base32())
    person = enrolled(verifier, VILLAGE_A, month=add_months(this_month(), -2))
    matched = enrolled(verifier, VILLAGE_A, month=add_months(this_month(), -2))
    bill(verifier, {"person": person, "segment": "PBI APBN"}, matched)
    yield verifier, person
    empty_bpjs()
    empty_the_ledger()


def test_the_team_proposes_a_removal_from_the_reconciliation_on_a_phone(as_user, world):
    user, person = world
    verifier = as_user(user)
    page = verifier.page
    verifier.go(f"/bpjs/rekonsiliasi/?bulan={this_month():%Y-%m}&kategori={recon.Category.DOUBLE}")
    page.get_by_role("heading", name="Ditagih ganda atau di segmen lain").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label(f"Usulkan pengurangan {person.name}").check()
    verifier.shot("reconciliation-phone-chosen")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Usulkan pengurangan yang dipilih").click()
    verifier.message("1 pengurangan diusulkan")
    page.get_by_text("diusulkan", exact=True).wait_for()
    verifier.shot("reconciliation-phone-proposed")
    item = ProposalItem.objects.get()
    assert (item.person_id, item.ground) == (person.pk, Ground.SEGMENT)
