import datetime
import importlib

import pytest
from django.apps import apps

from enrollment.models import Participation
from tests.conftest import assert_projection_matches_ledger
from tests.enrollment.test_ledger import remove
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
fill_from_ledger = importlib.import_module(
    "enrollment.migrations.0004_participation"
).fill_from_ledger


def test_the_migration_fills_the_projection_from_the_ledger(participant, resident, verifier):
    from enrollment.models import Ground
    from tests.enrollment.conftest import enroll

    other = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    enroll(verifier, other)
    remove(
        verifier, other, Ground.MOVED_OUT, evidence={"destination": "X", "moved_on": "2026-03-01"}
    )
    expected = set(Participation.objects.values_list("person", "since", "until", "ground"))
    Participation.objects.all().delete()
    fill_from_ledger(apps, None)
    assert set(Participation.objects.values_list("person", "since", "until", "ground")) == expected
    assert len(expected) == 2
    assert_projection_matches_ledger()
