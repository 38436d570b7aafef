"""BPJS's bill beside the ledger (issue 17 §5): the dashboard's difference in Rupiah of this
month with its link to the reconciliation, for those who read it; the premium page's months
"menurut buku mutasi" beside "menurut tagihan BPJS"."""

import re

import pytest
from django.urls import reverse

from bpjs import reconciliation as recon
from regions.models import Village
from regions.months import add_months
from tests.bpjs.test_reconciliation import (  # noqa: F401 (premium: the rate, autouse)
    OUTSIDER_NIK,
    RATE,
    bill,
    month,
    participant,
    premium,
)
from tests.builders import KARANGANYAR, KULON_PROGO, VILLAGE_A, VILLAGE_B, resident
from tests.factories import village

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(verifier):
    """Village A: two participants, one billed, and a resident billed who is none; village
    B: one participant billed; and an outsider billed. Kabupaten: 4 billed, 3 participants."""
    a_paid, a_unpaid, b_paid = (
        participant(verifier),
        participant(verifier),
        participant(verifier, VILLAGE_B),
    )
    stranger = resident()
    recon.reconciliation(actor=verifier, month=month())  # a cached result before the bill
    bill(verifier, a_paid, b_paid, {"nik": OUTSIDER_NIK}, stranger)
    return a_unpaid


def difference_on(page: str) -> str:
    return re.search(r'data-testid="bpjs-difference-amount">([^<]+)<', page)[1]


def test_the_dashboard_shows_this_months_difference_with_a_link(client, verifier, billed):
    client.force_login(verifier)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    result = recon.reconciliation(actor=verifier, month=month())
    assert result.difference == RATE * (result.billed - result.participants)
    assert difference_on(page) == f"Rp {int(result.difference):,}".replace(",", ".")
    assert f"{reverse('bpjs:reconciliation')}?bulan={month():%Y-%m}" in page


def test_a_camat_reads_the_difference_of_the_district(client, verifier, panewu_a, billed):
    client.force_login(panewu_a)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    district = village(VILLAGE_A).district
    expected = recon.reconciliation(actor=panewu_a, month=month()).difference
    assert difference_on(page) == f"Rp {int(expected):,}".replace(",", ".")
    assert f"kapanewon={district.pk}" in page


def test_who_reads_no_reconciliation_sees_no_difference(client, dukcapil, billed):
    client.force_login(dukcapil)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert 'data-testid="bpjs-difference"' not in page


def test_without_this_months_list_the_dashboard_says_so(client, verifier):
    participant(verifier)
    bill(verifier, participant(verifier), month=add_months(month(), -1))
    client.force_login(verifier)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "Data BPJS bulan ini belum diimpor" in page


def test_the_premium_page_shows_the_bill_beside_the_ledger(client, verifier, billed):
    client.force_login(verifier)
    response = client.get(reverse("oversight:premium"))
    page = response.content.decode()
    assert "Menurut buku mutasi" in page and "Menurut tagihan BPJS" in page
    this_month = response.context["total"].current
    bill_text = f"Rp {int(4 * RATE):,}".replace(",", ".")
    ledger_text = f"Rp {int(this_month.amount):,}".replace(",", ".")
    row = re.search(rf"<td>{month():%m-%Y}</td>(.*?)</tr>", page, re.S)[1]
    assert ledger_text in row and bill_text in row
    assert f"Rp {int(4 * RATE - this_month.amount):,}".replace(",", ".") in row


def test_the_bill_of_each_month_is_read_once_for_the_year(verifier):
    earlier = add_months(month(), -1)
    bill(verifier, participant(verifier), month=earlier)
    bill(verifier, participant(verifier), participant(verifier), month=earlier, version=2)
    bills = recon.bills_of(months=[earlier, month()])
    assert (bills[earlier].billed, bills[earlier].billing_file.version) == (2, 2)
    assert bills[month()].billing_file is None and bills[month()].amount is None


def test_the_ledgers_count_is_the_reconciliations(verifier, billed):
    villages = Village.objects.filter(district=village(VILLAGE_A).district)
    with_ledger = recon.bill_with_ledger(month=month(), villages=villages)
    result = recon.reconciliation(actor=verifier, month=month(), area=village(VILLAGE_A).district)
    assert (with_ledger.billed, with_ledger.participants) == (result.billed, result.participants)
    assert with_ledger.difference == result.difference


def test_the_kabupatens_bill_counts_the_nik_of_no_resident_and_not_another_kabupaten(
    verifier, billed
):
    kulon_progo = Village.objects.filter(district__regency__code=KULON_PROGO)
    whole = recon.bill_with_ledger(month=month(), villages=kulon_progo, outsiders=True)
    result = recon.reconciliation(actor=verifier, month=month())
    assert (whole.billed, whole.participants) == (result.billed, result.participants) == (4, 3)
    residents_only = recon.bill_of(month=month(), villages=kulon_progo)
    assert residents_only.billed == 3
    elsewhere = Village.objects.filter(district__regency__code=KARANGANYAR)
    assert recon.bill_of(month=month(), villages=elsewhere, outsiders=True).billed == 1


def test_the_ledgers_count_follows_the_ledger_once_cached(verifier, billed):
    villages = Village.objects.filter(district=village(VILLAGE_A).district)
    before = recon.bill_with_ledger(month=month(), villages=villages).participants
    participant(verifier)
    assert recon.bill_with_ledger(month=month(), villages=villages).participants == before + 1
