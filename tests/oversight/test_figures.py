"""Dashboard, premium and recap figures against counts computed here, independently."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from enrollment.models import Ground, Kind, LedgerEntry
from enrollment.participation import active_people
from oversight import dashboard, premium, recap, schedule
from oversight.areas import Area
from oversight.models import Outcome
from oversight.services import reverification_record
from people.models import Person
from regions.models import PremiumRate
from regions.months import month_start
from sktm import services as sktm
from tests.builders import NOT_POOR_9, POOR_15, VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled, removed
from tests.factories import district, regency, village

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_MONTH = month_start(TODAY)
RATE = Decimal("42000")


def kabupaten():
    return Area(regency("34.01"))


def figure(area, key):
    return next(f for f in dashboard.figures(area) if f.key == key)


def active_count(on, code_prefix=""):
    people = Person.objects.filter(household__village__code__startswith=code_prefix)
    return active_people(on, people).count()


@pytest.fixture
def history(verifier):
    """Joins and removals over 2026 in three villages of two kapanewon."""
    jan, mar, jun = (datetime.date(2026, m, 1) for m in (1, 3, 6))
    a = [enrolled(verifier, VILLAGE_A, jan) for _ in range(4)]
    a2 = [enrolled(verifier, VILLAGE_A2, mar) for _ in range(2)]
    b = [enrolled(verifier, VILLAGE_B, jan) for _ in range(3)]
    removed(verifier, a[0], mar)
    removed(verifier, b[0], jun, Ground.SEGMENT, {"segment": "ppu", "since": "2026-05-20"})
    enrolled(verifier, VILLAGE_B, jun)
    return {"a": a, "a2": a2, "b": b}


def test_active_participants_over_time_equal_the_ledger_on_each_first_day(history):
    rows = figure(kabupaten(), "peserta").rows
    assert len(rows) == dashboard.MONTHS_SHOWN
    for label, value in rows:
        month, year = map(int, label.split("-"))
        assert value == active_count(datetime.date(year, month, 1)), label


def test_changes_by_ground_equal_the_ledgers_counts(history):
    table = figure(kabupaten(), "mutasi")
    headers = table.headers
    for row in table.rows:
        month, year = map(int, row[0].split("-"))
        first = datetime.date(year, month, 1)
        entries = LedgerEntry.objects.filter(effective_month=first)
        assert (
            row[headers.index("Tambah c.1 DTKS/DTSEN")]
            == entries.filter(ground=Ground.DTKS).count()
        )
        assert (
            row[headers.index("Kurang d. pindah keluar daerah")]
            == entries.filter(ground=Ground.MOVED_OUT).count()
        )
        assert (
            row[headers.index("Kurang c. pindah segmen")]
            == entries.filter(ground=Ground.SEGMENT).count()
        )


def test_coverage_equals_the_rule_applied_to_each_participant(history, verifier):
    reverification_record(
        actor=verifier, person=history["a"][1], checked_on=TODAY, outcome=Outcome.ELIGIBLE
    )
    expected = {"overdue": 0, "due": 0, "current": 0}
    for person in active_people(TODAY):
        latest = person.reverifications.order_by("-checked_on").first()
        base = max(person.active_since, latest.checked_on if latest else person.active_since)
        expected[schedule.status(base, TODAY)] += 1
    table = figure(kabupaten(), "verifikasi-ulang").rows
    assert {row[0]: row[1] for row in table[:3]} == {
        schedule.Status(key).label: value for key, value in expected.items()
    }
    assert table[3][1] == sum(expected.values())


def test_sktm_histogram_counts_forms_by_score_and_outcome(operator_a, lurah_a):
    sktm.sktm_form_submit(actor=operator_a, data=POOR_15)
    poor9 = sktm.sktm_form_submit(actor=operator_a, data=NOT_POOR_9)
    sktm.sktm_form_acknowledge(actor=lurah_a, form=poor9)
    rows = {row[0]: row[1:] for row in figure(kabupaten(), "sktm").rows}
    assert rows[15] == [0, 0, 1, 1]
    assert rows[9] == [0, 1, 0, 1]
    assert sum(row[-1] for row in rows.values()) == 2


def test_the_ranking_lists_each_kapanewon_with_its_counts(history):
    table = figure(kabupaten(), "peringkat")
    by_name = {row[1]: row for row in table.rows}
    assert len(table.rows) == 12
    assert by_name["Temon"][2] == active_count(TODAY, "34.01.01.")
    assert by_name["Wates"][2] == active_count(TODAY, "34.01.02.")
    assert [row[0] for row in table.rows] == list(range(1, 13))


def test_a_village_never_counts_another(history):
    rows = figure(Area(village(VILLAGE_A)), "peserta").rows
    assert rows[-1][1] == active_count(TODAY, VILLAGE_A)
    temon = figure(Area(district("34.01.01")), "peserta").rows
    assert temon[-1][1] == active_count(TODAY, "34.01.01.")
    assert not [f for f in dashboard.figures(Area(village(VILLAGE_A))) if f.key == "peringkat"]


def test_the_dashboard_query_count_does_not_grow_with_the_data(client, verifier, history):
    client.force_login(verifier)
    url = reverse("oversight:dashboard")
    # Read after a change of the ledger each time: what was kept from before it is updated.
    assert client.get(url).status_code == 200
    enrolled(verifier, VILLAGE_A, datetime.date(2025, 7, 1))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for code in (VILLAGE_A, VILLAGE_A2, VILLAGE_B):
        for _ in range(3):
            enrolled(verifier, code, datetime.date(2025, 7, 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_premium_counts_who_is_active_on_the_first_day_of_each_month(history):
    """March: a[0] removed from March (counts in January and February only), the two of A2
    join from March; June: b[0] leaves, one joins in B."""
    total, _ = premium.premium(kabupaten(), 2026, TODAY)
    counts = {m.month.month: m.participants for m in total.months if not m.is_projected}
    assert counts[1] == counts[2] == 7
    assert counts[3] == 7 - 1 + 2
    assert counts[6] == 8 - 1 + 1
    march = total.months[2]
    assert march.amount == 8 * RATE
    for m in total.months:
        if not m.is_projected:
            assert m.participants == active_count(m.month)
    assert total.year_to_date == sum(m.amount for m in total.months if not m.is_projected)


def test_the_premium_follows_the_rate_in_force_and_projects_the_trend(verifier):
    PremiumRate.objects.create(valid_from=datetime.date(2026, 4, 1), amount=Decimal("50000"))
    for month in (1, 3, 5, 7, 9, 11):
        enrolled(verifier, VILLAGE_A, datetime.date(2026, month, 1))
    today = datetime.date(2026, 11, 15)
    total, parts = premium.premium(kabupaten(), 2026, today)
    months = {m.month.month: m for m in total.months}
    assert months[3].rate == RATE and months[4].rate == Decimal("50000")
    # 6 in November, 3 in May: a trend of half a person per month.
    assert total.trend == 0.5
    assert months[12].is_projected and months[12].participants == 6  # round(6.5) = 6
    assert total.year_projection == total.year_to_date + months[12].amount
    temon = next(p for p in parts if p.name == "Temon")
    assert temon.year_to_date == total.year_to_date
    assert sum(p.year_to_date for p in parts) == total.year_to_date


def test_a_past_year_has_no_projection(history):
    total, _ = premium.premium(kabupaten(), 2025, TODAY)
    assert not any(m.is_projected for m in total.months)
    assert total.year_projection == total.year_to_date == 0


def test_the_recap_counts_the_months_changes_and_work(history, verifier, operator_a):
    reverification_record(
        actor=verifier, person=history["a"][1], checked_on=TODAY, outcome=Outcome.ELIGIBLE
    )
    sktm.sktm_form_submit(actor=operator_a, data=POOR_15)
    march = datetime.date(2026, 3, 1)
    sections = {s.title: s for s in recap.sections(kabupaten(), march)}
    changes = {
        (row[0], row[1]): row[2]
        for row in sections["Mutasi peserta berlaku bulan ini menurut dasar"].rows
    }
    assert changes[(Kind.ADDITION.label, "c.1 DTKS/DTSEN")] == 2
    assert changes[(Kind.REMOVAL.label, "d. pindah keluar daerah")] == 1
    active = sections["Peserta aktif"].rows
    assert active[0][1] == active_count(march)
    assert active[1][1] == active_count(datetime.date(2026, 4, 1))
    this_month = {s.title: s for s in recap.sections(kabupaten(), THIS_MONTH)}
    reverified = this_month["Verifikasi ulang peserta (Instruksi KELIMA b)"].rows
    assert reverified[0][1] == 1
    sktm_rows = this_month["Formulir dan surat SKTM"].rows
    assert sktm_rows[0][1] == 1 and sktm_rows[1][1] == 1
    # A village sees only its own.
    wates = {s.title: s for s in recap.sections(Area(village(VILLAGE_B)), march)}
    assert wates["Peserta aktif"].rows[0][1] == active_count(march, VILLAGE_B)


def test_downloads_hold_the_tables(client, verifier, history):
    client.force_login(verifier)
    book = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("oversight:dashboard_xlsx")).streaming_content))
    )
    assert len(book.sheetnames) == 6
    sheet = book["peserta"]
    assert sheet.cell(5, 1).value == "Bulan" and isinstance(sheet.cell(6, 2).value, int | float)
    one = client.get(reverse("oversight:dashboard_xlsx") + "?grafik=sktm")
    assert load_workbook(io.BytesIO(b"".join(one.streaming_content))).sheetnames == ["sktm"]
    response = client.get(reverse("oversight:premium_xlsx") + "?tahun=2026")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Iuran per bulan", "Per Kapanewon"]
    response = client.get(reverse("oversight:recap_pdf") + "?bulan=2026-03")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "REKAP BULANAN" in text and "MARET 2026" in text
    response = client.get(reverse("oversight:recap_xlsx") + "?bulan=2026-03")
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames == ["Rekap"]
