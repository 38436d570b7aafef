"""The only place that maps a user to the rows they may see.

Every scoped queryset (`Model.objects.visible_to(user)`) calls one of these functions, so a
rule about who sees what is written once. An object outside the user's scope is simply not in
the queryset: views that fetch through it answer 404.
"""

from django.db.models import Q, QuerySet

from accounts import permissions
from accounts.models import User
from regions import terminology
from regions.models import District, Regency, Village


def _village_condition(user: User, village_path: str) -> dict[str, int | None] | None:
    """Filter keyword arguments restricting `village_path` (a lookup to a Village, or "" for
    the Village model itself) to the villages `user` may see: {} for all of them, None for
    none at all."""

    def lookup(field: str = "") -> str:
        return "__".join(part for part in (village_path, field) if part) or "pk"

    if not user.is_authenticated or not user.is_active:
        return None
    kind = user.area_kind
    if kind == "village":
        return {lookup(): user.village_id}
    if kind == "district":
        return {lookup("district"): user.district_id}
    if kind == "regency":
        return {lookup("district__regency"): user.regency_id}
    if kind is None:
        return {}  # an admin
    # Agency staff work on the Instruksi's items, not on residents of any village.
    return None


def scope_by_village(queryset: QuerySet, user: User, village_path: str) -> QuerySet:
    """Rows of `queryset` whose village (reached through `village_path`) the user may see."""
    condition = _village_condition(user, village_path)
    return queryset.none() if condition is None else queryset.filter(**condition)


def villages_for(user: User) -> QuerySet[Village]:
    """The villages the user sees; regions, a leaf, knows nothing of users."""
    return scope_by_village(Village.objects.all(), user, "")


def districts_for(user: User) -> QuerySet[District]:
    """Districts holding at least one village in the user's scope."""
    return District.objects.filter(pk__in=villages_for(user).values("district"))


def scope_by_owner(queryset: QuerySet, user: User, owner_path: str) -> QuerySet:
    """Rows that belong to whoever made them (a background job and its file, reached through
    `owner_path`), not to an area: its own for any user, every one for an admin, whose area is
    the whole deployment."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset if user.area_kind is None else queryset.filter(**{owner_path: user})


def scope_by_addressee(queryset: QuerySet, user: User, prefix: str, regency_path: str) -> QuerySet:
    """Rows addressed to one agency, district or village (the Instruksi's addressees, through
    fields `{prefix}agency`, `{prefix}district`, `{prefix}village`) that the user may see: its
    own agency's; its own district's and those of the district's villages; its own village's;
    the whole kabupaten (reached through `regency_path`) for the Sekda/Bupati; all for admin."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    kind = user.area_kind
    if kind == "agency":
        return queryset.filter(**{f"{prefix}agency": user.agency_id})
    if kind == "district":
        return queryset.filter(
            Q(**{f"{prefix}district": user.district_id})
            | Q(**{f"{prefix}village__district": user.district_id})
        )
    if kind == "village":
        return queryset.filter(**{f"{prefix}village": user.village_id})
    if kind is None:
        return queryset  # an admin
    if permissions.can_oversee_instructions(user):
        return queryset.filter(**{regency_path: user.regency_id})
    # The Tim Verifikasi and Dukcapil are not addressees of the Instruksi.
    return queryset.none()


def scope_by_regency(queryset: QuerySet, user: User, regency_path: str) -> QuerySet:
    """Rows of the user's own kabupaten (reached through `regency_path`). Agency staff serve
    the deployment's one kabupaten and, like admins, see every row."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    kind = user.area_kind
    if kind in ("agency", None):
        return queryset
    if kind == "village":
        return queryset.filter(**{regency_path: user.village.district.regency_id})
    if kind == "district":
        return queryset.filter(**{regency_path: user.district.regency_id})
    return queryset.filter(**{regency_path: user.regency_id})


def figure_area(user: User) -> Village | District | Regency | None:
    """The area whose figures the user reads: its village, its district or its kabupaten; for
    admins and the agencies that read the figures, the deployment's kabupaten; None for anyone
    else. Figures never reach outside it."""
    if not permissions.can_read_figures(user):
        return None
    if user.area_kind in ("village", "district", "regency"):
        return user.area
    return Regency.objects.filter(code=terminology.current().regency_code).first()
