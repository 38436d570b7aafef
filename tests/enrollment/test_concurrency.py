import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment import services
from enrollment.models import Ground, LedgerEntry
from enrollment.participation import active_people
from tests.builders import DTKS_EVIDENCE
from tests.factories import PersonFactory, UserFactory, faskes, regency

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL"
)
WRITERS = 6


def test_concurrent_additions_of_one_nik_leave_one_active_participation(
    committed_reference_data,
):
    verifier = UserFactory(role="verifier", regency=regency("34.01"))
    person = PersonFactory(domicile_since=datetime.date(2020, 1, 1))
    barrier = threading.Barrier(WRITERS)
    refused, failed = [], []

    def add():
        try:
            barrier.wait()
            services.participant_add(
                actor=verifier,
                person=person,
                ground=Ground.DTKS,
                effective_month=datetime.date(2026, 1, 1),
                evidence=DTKS_EVIDENCE,
                faskes=faskes(),
            )
        except ValidationError as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 (asserted below)
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failed == []
    assert len(refused) == WRITERS - 1
    assert LedgerEntry.objects.filter(person=person).count() == 1
    assert active_people(datetime.date(2026, 1, 1)).filter(pk=person.pk).count() == 1
