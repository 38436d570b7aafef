"""The latest BPJS status of a person, for pages of apps below this one (the person page of
enrollment): they load the tag in their template and import nothing of bpjs."""

from django import template

from accounts import permissions
from bpjs.services import latest_record

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
