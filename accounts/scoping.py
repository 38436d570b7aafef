"""The only place that maps a user to the rows they may see.

Every scoped queryset (`Model.objects.visible_to(user)`) calls one of these functions, so a
rule about who sees what is written once. An object outside the user's scope is simply not in
the queryset: views that fetch through it answer 404.
"""

from accounts.models import REGENCY_ROLES, VILLAGE_ROLES, Role
from regions.models import Village


def village_condition(user, village_path):
    """Filter keyword arguments restricting `village_path` (a lookup to a Village, or "" for
    the Village model itself) to the villages `user` may see: {} for all of them, None for
    none at all."""

    def lookup(field=""):
        return "__".join(part for part in (village_path, field) if part) or "pk"

    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in VILLAGE_ROLES:
        return {lookup(): user.village_id}
    if user.role == Role.DISTRICT_HEAD:
        return {lookup("district"): user.district_id}
    if user.role in REGENCY_ROLES:
        return {lookup("district__regency"): user.regency_id}
    if user.role == Role.ADMIN:
        return {}
    # Agency staff work on the Instruksi's items, not on residents of any village.
    return None


def scope_by_village(queryset, user, village_path):
    """Rows of `queryset` whose village (reached through `village_path`) the user may see."""
    condition = village_condition(user, village_path)
    return queryset.none() if condition is None else queryset.filter(**condition)


def scope_villages(queryset, user):
    return scope_by_village(queryset, user, "")


def scope_districts(queryset, user):
    """Districts holding at least one village in the user's scope."""
    return queryset.filter(pk__in=scope_villages(Village.objects.all(), user).values("district"))
