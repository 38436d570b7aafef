from django import template

from pbipemda.waiting import entries_for

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_for_you(context):
    """The home page's *Menunggu Anda*: a count per kind of work, each linking to its list."""
    return entries_for(context["user"])
