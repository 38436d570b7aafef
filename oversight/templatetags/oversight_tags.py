from decimal import Decimal

from django import template

from oversight.charts import number

register = template.Library()


@register.filter
def is_number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def figure(value):
    """A number as Indonesian writes it (1.234.567; 93,5); anything else as it is."""
    if isinstance(value, Decimal):
        return number(int(value.to_integral_value()))
    return number(value) if is_number(value) else value
