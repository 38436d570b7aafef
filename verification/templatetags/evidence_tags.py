from django import template

from verification import evidence

register = template.Library()


@register.filter
def evidence_items(value):
    """A ledger entry's or proposed person's evidence as (label, value) pairs in Indonesian."""
    return list(evidence.evidence_items(value))


@register.filter
def ground_heading(ground):
    """The heading over a ground's evidence fields, in words."""
    return evidence.ground_heading(ground)
