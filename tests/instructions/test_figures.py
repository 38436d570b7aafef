import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import services as enrollment
from enrollment.models import Ground
from instructions import figures, periods, services
from oversight.models import Outcome
from oversight.services import reverification_record
from people.models import Person
from tests.builders import JATISAWIT, NGEPUNGSARI, VALIDATION, enroll
from tests.factories import HouseholdFactory, PersonFactory, village
from verification.models import Proposal, ProposalItem

pytestmark = pytest.mark.django_db


def resident(code):
    return PersonFactory(
        household=HouseholdFactory(village=village(code)),
        domicile_since=datetime.date(2020, 1, 1),
    )


def moved_out(verifier, person):
    enrollment.participant_remove(
        actor=verifier,
        person=person,
        ground=Ground.MOVED_OUT,
        effective_month=datetime.date(2026, 3, 1),
        evidence={"destination": "Kota Surakarta", "moved_on": "2026-02-20"},
        **VALIDATION,
    )


@pytest.fixture
def this_quarter():
    return periods.period_start(timezone.localdate(), "quarterly")


@pytest.fixture
def ledger(verifier):
    """In Karanganyar: two added, one of them removed; in Kulon Progo: one added, removed."""
    here, there = resident(NGEPUNGSARI), resident(JATISAWIT)
    elsewhere = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    for person in (here, there, elsewhere):
        enroll(verifier, person)
    moved_out(verifier, here)
    moved_out(verifier, elsewhere)


def values(report):
    items = [line.item for line in report.lines.select_related("item__diktum")]
    return {
        item.reference: {value.label: value.value for value in found}
        for item, found in ((i, figures.for_report(report, items).get(i.pk, [])) for i in items)
        if found
    }


def test_dinsos_figures_count_the_kabupatens_ledger_in_the_period(
    ledger, dinsos, instruction, this_quarter
):
    report = services.report_open(actor=dinsos, instruction=instruction, period_start=this_quarter)
    assert values(report) == {
        "KELIMA b": {"Peserta diverifikasi ulang": 0},
        "KELIMA d": {"Pengurangan peserta dicatat": 1},
        "KELIMA e": {"Penambahan diusulkan desa": 0, "Penambahan peserta dicatat": 2},
    }


def test_reverifications_count_the_participants_reverified_in_the_area(
    ledger, dinsos, admin_user, instruction, this_quarter
):
    still_active = Person.objects.get(household__village__code=JATISAWIT)
    # Twice in the period (once a day at most): counted once.
    for checked_on in sorted({this_quarter, timezone.localdate()}):
        reverification_record(
            actor=admin_user, person=still_active, checked_on=checked_on, outcome=Outcome.ELIGIBLE
        )
    report = services.report_open(actor=dinsos, instruction=instruction, period_start=this_quarter)
    assert values(report)["KELIMA b"] == {"Peserta diverifikasi ulang": 1}


def test_figures_outside_the_period_are_not_counted(ledger, dinsos, instruction):
    report = services.report_open(
        actor=dinsos, instruction=instruction, period_start=datetime.date(2026, 1, 1)
    )
    if periods.period_start(timezone.localdate(), "quarterly") == report.period_start:
        pytest.skip("The ledger was written in this very quarter.")
    assert values(report)["KELIMA d"] == {"Pengurangan peserta dicatat": 0}


def test_a_village_that_sent_nothing_counts_zero(kades, instruction, this_quarter):
    report = services.report_open(actor=kades, instruction=instruction, period_start=this_quarter)
    assert values(report) == {"KETUJUH BELAS d": {"Usulan dikirim ke Dinas Sosial": 0}}


def test_figures_are_shown_apart_from_what_the_addressee_writes(
    client, ledger, dinsos, instruction, this_quarter
):
    report = services.report_open(actor=dinsos, instruction=instruction, period_start=this_quarter)
    client.force_login(dinsos)
    page = client.get(reverse("instructions:report_edit", args=[report.pk])).content.decode()
    assert page.count('data-testid="system-figures"') == 3
    assert "Pengurangan peserta dicatat: <strong>1</strong> orang" in page
    assert "Peserta diverifikasi ulang: <strong>0</strong> orang" in page


def test_proposal_figures_count_usulan_sent_in_the_period(kades, dinsos, instruction):
    now = timezone.now()
    start = periods.period_start(timezone.localdate(), "quarterly")
    sent = Proposal.objects.create(
        village=village(NGEPUNGSARI),
        month=start,
        status="submitted",
        submitted_at=now,
        created_by=kades,
    )
    Proposal.objects.create(
        village=village(JATISAWIT), month=start, status="draft", created_by=kades
    )
    for kind, ground in (("addition", "add_c1"), ("addition", "add_c2"), ("removal", "rem_a")):
        ProposalItem.objects.create(
            proposal=sent, person=resident(NGEPUNGSARI), kind=kind, ground=ground, added_by=kades
        )
    village_report = services.report_open(actor=kades, instruction=instruction, period_start=start)
    assert values(village_report)["KETUJUH BELAS d"] == {"Usulan dikirim ke Dinas Sosial": 1}
    agency_report = services.report_open(actor=dinsos, instruction=instruction, period_start=start)
    assert values(agency_report)["KELIMA e"]["Penambahan diusulkan desa"] == 2
