"""The demo's BPJS data, and issue 17's "Done when" tried on it: the Tim Verifikasi sends a
registration file, imports the month's BPJS data, sees the difference in Rupiah, proposes the
removals, and the next month's reconciliation shows them resolved."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

import jobs
from accounts.models import User
from bpjs import billing, layout, services
from bpjs import reconciliation as recon
from bpjs.models import BillingFile, BillingRow, Record, RegistrationFile, Status
from regions.months import add_months
from tests.builders import this_month
from verification import services as proposal_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    """The demo loaded as `make run` loads it (its BPJS part last); returns the command's
    output."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for command in ("load_demo_data", "load_demo_proposals", "load_demo_oversight"):
        call_command(command, stdout=io.StringIO())
    output = io.StringIO()
    call_command("load_demo_bpjs", stdout=output)
    return output.getvalue()


def test_the_demo_bpjs_data_loads_once(demo):
    assert Record.objects.filter(status=Status.ACTIVE).count() == 8
    assert Record.objects.filter(status=Status.SENT).count() == 3
    billed = BillingFile.objects.get()
    assert billed.month == add_months(this_month(), -1)
    assert BillingRow.objects.filter(file=billed, person__isnull=True).count() == 2
    output = io.StringIO()
    call_command("load_demo_bpjs", stdout=output)
    assert "dilewati" in output.getvalue() and Record.objects.count() == 11


def test_last_months_demo_list_holds_a_few_of_each_category(demo):
    verifier = User.objects.get(username="verifikator")
    result = recon.reconciliation(actor=verifier, month=add_months(this_month(), -1))
    assert all(row["count"] >= 1 for row in result.rows()), result.rows()
    assert result.totals[recon.Category.DOUBLE].count >= 3
    assert result.totals[recon.Category.DEAD_OR_MOVED].count == 2
    assert result.totals[recon.Category.NOT_PARTICIPANT].count >= 2
    assert any(item.months > 1 for item in result.of(recon.Category.NOT_PARTICIPANT))


def import_list(actor, path: Path, month):
    billing_layout = layout.billing_layout()
    plan = billing.plan(io.BytesIO(path.read_bytes()), path.name, billing_layout, month)
    assert not plan.error_messages(), plan.error_messages()
    return services.billing_import(
        actor=actor, plan=plan, filename=path.name, layout_name=billing_layout.name
    )


def test_the_flow_of_done_when_works_on_the_demo(demo):
    verifier = User.objects.get(username="verifikator")
    last_month, month = add_months(this_month(), -1), this_month()
    today = timezone.localdate()

    # Sends last month's registration file and marks it sent.
    job = jobs.start("bpjs.registration", verifier, month=last_month.isoformat())
    registration_file = RegistrationFile.objects.get(job=job)
    services.registration_mark_sent(
        actor=verifier, registration_file=registration_file, sent_on=today
    )
    assert Record.objects.filter(registration_file=registration_file).exists()

    # Last month's BPJS data (imported by the demo): the difference in Rupiah.
    before = recon.reconciliation(actor=verifier, month=last_month)
    assert before.difference == before.rate * (before.billed - before.participants)
    assert before.difference != 0

    # Proposes the removals: the one billed in another segment, and of the two residents on
    # one card the one whose BPJS history holds no card.
    with_card = set(Record.objects.exclude(card_number="").values_list("person_id", flat=True))
    chosen = [
        item.person_id
        for item in before.items
        if item.can_propose and (item.removal_ground == "rem_c" or item.person_id not in with_card)
    ]
    assert len(chosen) == 2
    found = recon.reconciliation_propose_removals(actor=verifier, month=last_month, people=chosen)
    for item in found:  # the validation of ayat (3), by Dinas Sosial
        proposal_services.removal_validate(
            actor=verifier, item=item, validated_on=today, validated_against="Data BPJS"
        )

    # This month's list, as the demo wrote it: the reconciliation shows them resolved.
    path = Path(re.search(r"diimpor: (\S+)", demo)[1])
    import_list(verifier, path, month)
    after = recon.reconciliation(actor=verifier, month=month)
    assert not set(chosen) & {item.person_id for item in after.items}
    for category in (
        recon.Category.DOUBLE,
        recon.Category.NIK_MISMATCH,
        recon.Category.NOT_PARTICIPANT,
        recon.Category.DEAD_OR_MOVED,
    ):
        assert after.totals[category].count == 0, after.of(category)
    assert after.totals[recon.Category.MATCHED].count == after.billed  # every row matched
