from django import template
from django.utils import timezone

from feeds import dtsen

register = template.Library()


@register.inclusion_tag("feeds/dtsen_dashboard.html", takes_context=True)
def dtsen_dashboard(context, place):
    """The dashboard's DTSEN figure for `place` (a kabupaten, kapanewon or village the reader
    may see): per kapanewon, participants above the desil threshold and uncovered listed
    poor."""
    today = timezone.localdate()
    rank = dtsen.ranking(today)
    return {"rank": rank, "rows": dtsen.figures(place, today, rank), "terms": context.get("terms")}
