import io

import pytest
from django.core.management import call_command

from accounts.models import User
from enrollment.models import Kind, LedgerEntry
from feeds import services
from feeds.models import Finding, FindingKind
from people.models import PopulationEvent, PopulationExtract

pytestmark = pytest.mark.django_db


def test_the_demo_extract_loads_once_and_the_team_can_approve_it():
    for command in ("load_demo_data", "load_demo_oversight", "load_demo_dukcapil"):
        call_command(command, stdout=io.StringIO())
    extract = PopulationExtract.objects.get()
    assert extract.rows == 5
    assert PopulationEvent.objects.filter(person__isnull=True).count() == 1
    assert Finding.objects.filter(kind=FindingKind.REMOVAL).count() == 2
    # Dukcapil's move is applied at import: recorded, not waiting.
    assert not Finding.objects.get(kind=FindingKind.MOVE).is_open
    verifier = User.objects.get(username="verifikator")
    removals = Finding.objects.filter(kind=FindingKind.REMOVAL)
    assert services.findings_approve(actor=verifier, findings=removals) == 2
    entries = LedgerEntry.objects.filter(kind=Kind.REMOVAL, validated_by="dukcapil")
    assert entries.filter(validated_against__contains="demo-peristiwa.csv").count() == 2
    output = io.StringIO()
    call_command("load_demo_dukcapil", stdout=output)
    assert "dilewati" in output.getvalue() and PopulationExtract.objects.count() == 1
