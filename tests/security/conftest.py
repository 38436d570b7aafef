"""A small world in village A (Kalurahan Jangkaran, Kapanewon Temon) with one object of every
kind a URL can point at, built through the services."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

import jobs
from enrollment import services as ledger_services
from enrollment.models import Ground
from instructions import services as instruction_services
from instructions.models import Attachment, Instruction
from sktm import services as sktm_services
from tests.builders import KULON_PROGO, LONG_AGO, PDF, POOR_15, propose, this_month
from tests.factories import PersonFactory
from verification import services as proposal_services


@pytest.fixture
def world(settings, tmp_path, operator_a, lurah_a, verifier, admin_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    proposal = proposal_services.proposal_open(actor=operator_a, month=this_month())
    for person in PersonFactory.create_batch(2, domicile_since=LONG_AGO):
        item = propose(operator_a, proposal, person)
    proposal = proposal_services.proposal_submit(actor=lurah_a, proposal=proposal, place="Temon")
    participant = PersonFactory(domicile_since=LONG_AGO)
    ledger_services.participant_add(
        actor=admin_user, person=participant, ground=Ground.OPENING, effective_month=this_month()
    )
    job = jobs.start("verification.lampiran_d", verifier, month=this_month().isoformat())
    call_command("load_instruction", regency=KULON_PROGO, stdout=io.StringIO())
    instruction = Instruction.objects.get(regency__code=KULON_PROGO)
    report = instruction_services.report_open(
        actor=lurah_a, instruction=instruction, period_start=datetime.date(2026, 1, 1)
    )
    attachment = Attachment.objects.create(
        line=report.lines.first(),
        file=ContentFile(PDF, name="bukti.pdf"),
        name="bukti.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=lurah_a,
    )
    return SimpleNamespace(
        form=form,
        letter=letter,
        person=letter.person,
        participant=participant,
        proposal=proposal,
        item=item,
        job=job,
        instruction=instruction,
        report=report,
        attachment=attachment,
        village=form.village,
    )
