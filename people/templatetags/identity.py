from django import template

from accounts.permissions import can_see_full_identity
from people.nik import mask

register = template.Library()


@register.filter
def identity_for(number, user):
    """A NIK or No. KK as `user` may read it: in full, or masked for oversight roles."""
    if not number:
        return number
    return number if can_see_full_identity(user) else mask(number)
