"""The only place that maps a user to the rows they may see.

Every scoped queryset (`Model.objects.visible_to(user)`) calls one of these functions, so a
rule about who sees what is written once. An object outside the user's scope is simply not in
the queryset: views that fetch through it answer 404.
"""

from django.db.models import Q

from accounts.models import REGENCY_ROLES, VILLAGE_ROLES, Role
from regions import terminology
from regions.models import Regency, Village


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


def scope_by_addressee(queryset, user, prefix, regency_path):
    """Rows addressed to one agency, district or village (the Instruksi's addressees, through
    fields `{prefix}agency`, `{prefix}district`, `{prefix}village`) that the user may see: its
    own agency's; its own district's and those of the district's villages; its own village's;
    the whole kabupaten (reached through `regency_path`) for the Sekda/Bupati; all for admin."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.AGENCY_STAFF:
        return queryset.filter(**{f"{prefix}agency": user.agency_id})
    if user.role == Role.DISTRICT_HEAD:
        return queryset.filter(
            Q(**{f"{prefix}district": user.district_id})
            | Q(**{f"{prefix}village__district": user.district_id})
        )
    if user.role in VILLAGE_ROLES:
        return queryset.filter(**{f"{prefix}village": user.village_id})
    if user.role == Role.LEADERSHIP:
        return queryset.filter(**{regency_path: user.regency_id})
    if user.role == Role.ADMIN:
        return queryset
    # The Tim Verifikasi and Dukcapil are not addressees of the Instruksi.
    return queryset.none()


def scope_by_regency(queryset, user, regency_path):
    """Rows of the user's own kabupaten (reached through `regency_path`). Agency staff serve
    the deployment's one kabupaten and, like admins, see every row."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role in (Role.AGENCY_STAFF, Role.ADMIN):
        return queryset
    if user.role in VILLAGE_ROLES:
        return queryset.filter(**{regency_path: user.village.district.regency_id})
    if user.role == Role.DISTRICT_HEAD:
        return queryset.filter(**{regency_path: user.district.regency_id})
    return queryset.filter(**{regency_path: user.regency_id})


# Roles that work on residents one by one see NIK and No. KK in full; oversight roles (the
# Panewu/Camat, the Sekda/Bupati, agency staff) see them masked (UU 27/2022 Pasal 16 ayat 2:
# processing limited to its purpose).
FULL_IDENTITY_ROLES = {*VILLAGE_ROLES, Role.VERIFIER, Role.DUKCAPIL, Role.ADMIN}


def sees_full_identity(user):
    return user.is_authenticated and user.role in FULL_IDENTITY_ROLES


# Figures that name no one (counts, the premium the kabupaten owes) are also read by the
# agencies that plan and pay for the programme.
FIGURE_AGENCIES = ("Dinsos", "BKD")


def figure_area(user):
    """The area whose figures the user reads: its village, its district or its kabupaten; for
    admins and the staff of Dinas Sosial and Badan Keuangan Daerah, the deployment's
    kabupaten; None for anyone else. Figures never reach outside it."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in VILLAGE_ROLES:
        return user.village
    if user.role == Role.DISTRICT_HEAD:
        return user.district
    if user.role in REGENCY_ROLES:
        return user.regency
    is_figure_agency = user.role == Role.AGENCY_STAFF and user.agency.short_name in FIGURE_AGENCIES
    if user.role == Role.ADMIN or is_figure_agency:
        return Regency.objects.filter(code=terminology.current().regency_code).first()
    return None
