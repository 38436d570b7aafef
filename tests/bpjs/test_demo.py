import io

import pytest
from django.core.management import call_command

from bpjs.models import BillingFile, BillingRow, Record, Status

pytestmark = pytest.mark.django_db


def test_the_demo_bpjs_data_loads_once():
    for command in ("load_demo_data", "load_demo_oversight", "load_demo_bpjs"):
        call_command(command, stdout=io.StringIO())
    assert Record.objects.filter(status=Status.ACTIVE).count() == 6
    assert Record.objects.filter(status=Status.SENT).count() == 3
    billed = BillingFile.objects.get()
    assert billed.rows == 7
    assert BillingRow.objects.filter(file=billed, person__isnull=True).count() == 1
    output = io.StringIO()
    call_command("load_demo_bpjs", stdout=output)
    assert "dilewati" in output.getvalue() and Record.objects.count() == 9
