from django import template

from instructions.reminders import awaiting_review, open_periods

register = template.Library()


@register.inclusion_tag("instructions/_reminders.html", takes_context=True)
def instruction_reminders(context):
    user = context["user"]
    return {"reminders": open_periods(user), "awaiting": list(awaiting_review(user))}
