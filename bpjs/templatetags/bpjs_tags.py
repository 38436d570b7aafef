"""BPJS's data on pages of other apps, which load the tag in their template and import nothing
of bpjs: the latest BPJS status of a person (the person page of enrollment), the month's
difference between BPJS's bill and the ledger (the dashboard), and the bill beside the
ledger's premium month by month (the premium page). An area is oversight's (`level`,
`place`, `villages()`), read by its attributes only."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from bpjs.reconciliation import bill_with_ledger, bills_of
from bpjs.services import latest_record
from regions.months import month_start

register = template.Library()


@register.inclusion_tag("bpjs/_status_row.html", takes_context=True)
def bpjs_status(context, person):
    """A table row: the person's latest status at BPJS, card and TMT, linked to its history;
    nothing for a user who may not read BPJS data."""
    user = context["request"].user
    if not permissions.can_read_bpjs(user):
        return {"is_shown": False}
    return {"is_shown": True, "person": person, "record": latest_record(person)}


@register.filter
def rupiah(value):
    """An amount as Indonesian writes it: Rp 1.234.000, Rp -42.000; "-" when unknown (no
    premium rate in force)."""
    if value is None:
        return "-"
    return "Rp " + f"{int(value):,}".replace(",", ".")


def _reconciliation_url(area, month) -> str:
    """The reconciliation page of the month for the area (a kapanewon or a village of it)."""
    query = {"bulan": f"{month:%Y-%m}"}
    if area.level == "district":
        query["kapanewon"] = area.place.pk
    elif area.level == "village":
        query["desa"] = area.place.pk
    return f"{reverse('bpjs:reconciliation')}?{urlencode(query)}"


def _bill_area(area) -> dict:
    """The area's villages for `bills_of`; a kabupaten's bill counts the NIKs of no resident
    too, as its reconciliation does."""
    return {"villages": area.villages(), "outsiders": area.level == "regency"}


@register.inclusion_tag("bpjs/_difference.html", takes_context=True)
def bpjs_difference(context, area):
    """This month's difference in Rupiah, BPJS's bill less the ledger's premium for `area`,
    with a link to the reconciliation; nothing for a user who may not read it."""
    if not permissions.can_read_reconciliation(context["request"].user):
        return {"is_shown": False}
    month = month_start(timezone.localdate())
    return {
        "is_shown": True,
        "bill": bill_with_ledger(month=month, **_bill_area(area)),
        "url": _reconciliation_url(area, month),
    }


@register.inclusion_tag("bpjs/_premium_bills.html", takes_context=True)
def bpjs_bills(context, area, months):
    """The premium page's recorded months (oversight's Month: month, amount, is_projected),
    each "menurut buku mutasi" beside "menurut tagihan BPJS" and their difference; nothing
    for a user who may not read BPJS data."""
    if not permissions.can_read_bpjs(context["request"].user):
        return {"is_shown": False}
    recorded = [month for month in months if not month.is_projected]
    bills = bills_of(months=[month.month for month in recorded], **_bill_area(area))
    rows = []
    for month in recorded:
        bill = bills[month.month]
        difference = None
        if bill.amount is not None and month.amount is not None:
            difference = bill.amount - month.amount
        rows.append(
            {
                "month": month.month,
                "ledger": month.amount,
                "participants": month.participants,
                "bill": bill,
                "difference": difference,
                "url": _reconciliation_url(area, month.month),
            }
        )
    return {"is_shown": True, "rows": rows}
