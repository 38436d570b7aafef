import io

import pytest
from django.core.management import call_command

from accounts.models import User
from enrollment.models import RegistryRecord
from feeds import dtsen
from tests.builders import this_month

pytestmark = pytest.mark.django_db


def test_the_demo_dtsen_periods_give_the_demo_village_its_cases_once():
    for command in ("load_demo_data", "load_demo_oversight", "load_demo_dtsen"):
        call_command(command, stdout=io.StringIO())
    operator = User.objects.get(username="operator_a")
    urgent = dtsen.urgent_cases(actor=operator, month=this_month())
    cases = dtsen.ranking(dtsen.day_of(this_month())).cases
    assert sorted(cases[row.person_id][0] for row in urgent) == ["desil", "desil", "keluar"]
    candidates = dtsen.candidate_cases(actor=operator, month=this_month())
    assert [row.name for row in candidates] == ["Paimin", "Painem", "Sutarno"]
    listings = RegistryRecord.objects.count()
    output = io.StringIO()
    call_command("load_demo_dtsen", stdout=output)
    assert "dilewati" in output.getvalue() and RegistryRecord.objects.count() == listings
