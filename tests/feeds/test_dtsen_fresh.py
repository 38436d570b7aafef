"""No stale DTSEN figure: what the cases and the dashboard's figure read is in the key of
what is cached, so a participant's change shows at once, cached or not."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bpjs.models import Record, Source, Status
from enrollment import imports, services
from feeds import dtsen
from oversight import services as oversight_services
from oversight.models import Outcome
from regions.models import Regency
from tests.builders import KULON_PROGO, VILLAGE_A, enroll, removed, resident, this_month
from tests.enrollment.test_registry import SAMPLE
from tests.feeds.test_dtsen import listing, periods, threshold_five, urgent_of  # noqa: F401

pytestmark = pytest.mark.django_db


def temon():
    """(outside, uncovered) of village A's kapanewon, as the dashboard reads it."""
    rows = dtsen.figures(Regency.objects.get(code=KULON_PROGO), timezone.localdate())
    row = next(row for row in rows if row.district.code == VILLAGE_A[:8])
    return row.outside, row.uncovered


def test_a_new_participant_listed_above_the_threshold_counts_at_once(verifier, periods):  # noqa: F811
    rich = resident(VILLAGE_A)
    listing(rich, 9)
    assert temon() == (1, 0)
    enroll(verifier, rich)
    assert temon() == (2, 0)
    assert rich.pk in dtsen.ranking(timezone.localdate()).cases


def test_a_removal_leaves_the_urgent_set_and_the_figure_at_once(verifier, periods):  # noqa: F811
    assert periods["rose"].pk in urgent_of(verifier)
    assert temon() == (1, 0)
    removed(verifier, periods["rose"], this_month())
    assert periods["rose"].pk not in urgent_of(verifier)
    assert temon() == (0, 0)


def test_a_bpjs_record_ends_a_calon_usulan_at_once(verifier, threshold_five):  # noqa: F811
    poor = resident(VILLAGE_A)
    listing(poor, 2)
    assert temon() == (0, 1)
    Record.objects.create(
        person=poor,
        status=Status.SENT,
        source=Source.BPJS_FILE,
        source_date=datetime.date(2026, 6, 1),
        recorded_by=verifier,
    )
    assert temon() == (0, 0)


def test_a_reverification_ends_the_urgency_on_the_list_at_once(client, verifier, periods):  # noqa: F811
    client.force_login(verifier)
    url = reverse("oversight:reverification_list")
    assert client.get(url).context["urgent_count"] == 2
    oversight_services.reverification_record(
        actor=verifier,
        person=periods["rose"],
        checked_on=timezone.localdate(),
        outcome=Outcome.ELIGIBLE,
    )
    assert client.get(url).context["urgent_count"] == 1
    assert client.get(url + "?segera=1").context["urgent_count"] == 1


def test_an_import_locks_the_kabupaten_before_it_writes_and_gives_a_new_ranking(admin_user):
    # The ranking keys the listings on their highest id: imports must commit one after another.
    before = dtsen.ranking(timezone.localdate()).version
    content, regency = SAMPLE.read_bytes(), Regency.objects.get(code=KULON_PROGO)
    with CaptureQueriesContext(connection) as queries:
        services.registry_import(
            actor=admin_user,
            rows=imports.read_rows(io.BytesIO(content), "d.csv", imports.REGISTRY_REQUIRED),
            regency=regency,
        )
    sql = [query["sql"] for query in queries.captured_queries]
    locked = next(i for i, q in enumerate(sql) if "regions_regency" in q)
    written = next(i for i, q in enumerate(sql) if "enrollment_registryrecord" in q)
    assert locked < written
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in sql[locked]
    assert dtsen.ranking(timezone.localdate()).version != before
