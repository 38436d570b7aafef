import threading

import pytest
from django.db import connection

from sktm import services
from sktm.models import Letter
from tests.builders import POOR_15
from tests.factories import UserFactory, village

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL"
)
ISSUERS = 6


def test_concurrent_issuers_never_share_a_number(committed_reference_data):
    home = village("34.01.01.2001")
    operator = UserFactory(role="operator", village=home)
    lurah = UserFactory(role="village_head", village=home)
    forms = []
    for n in range(ISSUERS):
        data = {
            **POOR_15,
            "nik": f"34010152018500{n + 10:02d}",
            "kk_number": f"34010101011000{n + 10:02d}",
        }
        form = services.sktm_form_submit(actor=operator, data=data)
        forms.append(services.sktm_form_acknowledge(actor=lurah, form=form))

    barrier = threading.Barrier(ISSUERS)
    errors = []

    def issue(form):
        try:
            barrier.wait()
            services.letter_issue(actor=lurah, form=form)
        except Exception as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(Letter.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, ISSUERS + 1))
    assert Letter.objects.values("number").distinct().count() == ISSUERS
