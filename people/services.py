import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from people.models import Household, HouseholdChange, Person, PersonChange
from people.nik import validate_kk, validate_nik
from regions.models import Village


def _as_text(person: Person, field: str) -> str:
    """A value as the history stores it: the No. KK for the household, a date in ISO form,
    a choice as its code, and nothing as the empty string."""
    if field == "household":
        return person.household.number
    value = getattr(person, field)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_HOUSEHOLD_TRACKED = ["village", "dusun", "rt", "rw", "address"]


def household_values(household: Household) -> dict[str, str]:
    """A household's tracked values as its history stores them (the village by name and
    code)."""
    return {
        "village": f"{household.village} ({household.village.code})",
        **{field: getattr(household, field) for field in _HOUSEHOLD_TRACKED[1:]},
    }


def household_history(
    household: Household, before: dict[str, str], actor: User, changed_at: datetime.datetime
) -> None:
    """Records each tracked value of `household` that differs from `before` (from
    `household_values`, taken before the change), in the same transaction as the change."""
    after = household_values(household)
    HouseholdChange.objects.bulk_create(
        HouseholdChange(
            household=household,
            field=field,
            old_value=before[field],
            new_value=after[field],
            changed_by=actor,
            changed_at=changed_at,
        )
        for field in _HOUSEHOLD_TRACKED
        if after[field] != before[field]
    )


def person_record(
    *,
    actor: User,
    village: Village,
    nik: str,
    name: str,
    kk_number: str,
    dusun: str,
    rt: str,
    rw: str,
    address: str = "",
    occupation: str = "",
    phone: str = "",
    birth_place: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    relationship: int | None = None,
    marital_status: int | None = None,
    domicile_since: datetime.date | None = None,
) -> Person:
    """Create or update a resident and their household in the actor's own village.

    Optional values left empty keep what is already recorded, so a partial source (an import
    without phone numbers, say) never erases data.
    """
    permissions.require(
        permissions.can_edit_residents(actor, village),
        "Anda tidak berwenang mengubah data penduduk desa ini.",
    )
    errors = {}
    for field, value, validate in [
        ("nik", nik, validate_nik),
        ("kk_number", kk_number, validate_kk),
    ]:
        try:
            validate(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        household = Household.objects.select_for_update().filter(number=kk_number).first()
        if household is None:
            household = Household(number=kk_number, village=village)
        elif household.village_id != village.pk:
            raise ValidationError(
                {
                    "kk_number": f"No. KK ini terdaftar di {household.village}; "
                    "perpindahan keluarga diurus oleh desa tersebut."
                }
            )
        before = None if household.pk is None else household_values(household)
        household.dusun, household.rt, household.rw = dusun, rt, rw
        if address:
            household.address = address
        household.full_clean()
        household.save()
        changed_at = timezone.now()
        if before is not None:
            household_history(household, before, actor, changed_at)

        person = (
            Person.objects.select_for_update(of=("self",))
            .select_related("household")
            .filter(nik=nik)
            .first()
        )
        if person is None:
            person = Person(nik=nik)
        elif person.household.village_id != village.pk:
            raise ValidationError(
                {"nik": "NIK ini terdaftar di desa lain; pindah domisili diurus oleh desa asal."}
            )
        is_new = person.pk is None
        optional = {
            "occupation": occupation,
            "phone": phone,
            "birth_place": birth_place,
            "birth_date": birth_date,
            "sex": sex,
            "relationship": relationship,
            "marital_status": marital_status,
            "domicile_since": domicile_since,
        }
        tracked = ["name", "household", *optional]
        before = {} if is_new else {field: _as_text(person, field) for field in tracked}
        person.name, person.household = name, household
        for field, value in optional.items():
            if value not in (None, ""):
                setattr(person, field, value)
        # Compare after full_clean, which turns "1985-03-12" or "3" into the stored types.
        person.full_clean()
        person.save()
        if not is_new:
            PersonChange.objects.bulk_create(
                PersonChange(
                    person=person,
                    field=field,
                    old_value=before[field],
                    new_value=_as_text(person, field),
                    changed_by=actor,
                    changed_at=changed_at,
                )
                for field in tracked
                if _as_text(person, field) != before[field]
            )
    return person
