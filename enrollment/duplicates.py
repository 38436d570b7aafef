"""Dugaan data ganda: the same person under two NIKs, for Dinsos to resolve with removal
ground b (Pasal 5 ayat 2 b). One NIK in two households cannot occur: a NIK is unique and a
person belongs to one household."""

from django.db.models import Count
from django.db.models.functions import Trim, Upper

from enrollment.participation import current_participants


def duplicate_groups(people):
    """Groups (name, birth date, [people]) of `people` sharing a name (case and outer spaces
    ignored) and a birth date, where at least one of them is an active participant."""
    keyed = people.exclude(birth_date=None).annotate(name_key=Upper(Trim("name")))
    keys = (
        keyed.values("name_key", "birth_date")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("name_key", "birth_date")
    )
    pairs = {(key["name_key"], key["birth_date"]) for key in keys}
    if not pairs:
        return []
    active_ids = set(current_participants(people).values_list("pk", flat=True))
    members = (
        keyed.filter(name_key__in={name for name, _ in pairs})
        .select_related("household__village")
        .order_by("name_key", "birth_date", "nik")
    )
    groups = {}
    for person in members:
        key = (person.name_key, person.birth_date)
        if key in pairs:
            person.is_active = person.pk in active_ids
            groups.setdefault(key, []).append(person)
    return [
        (name, birth_date, group)
        for (name, birth_date), group in groups.items()
        if any(person.is_active for person in group)
    ]
