from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import VILLAGE_ROLES
from people.models import Household, Person
from people.nik import validate_kk, validate_nik


def person_record(
    *,
    actor,
    village,
    nik,
    name,
    kk_number,
    dusun,
    rt,
    rw,
    address="",
    occupation="",
    phone="",
    birth_place="",
    birth_date=None,
    sex="",
    relationship=None,
    marital_status=None,
):
    """Create or update a resident and their household in the actor's own village.

    Optional values left empty keep what is already recorded, so a partial source (an import
    without phone numbers, say) never erases data.
    """
    if actor.role not in VILLAGE_ROLES or actor.village_id != village.pk:
        raise ValidationError("Anda tidak berwenang mengubah data penduduk desa ini.")
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
        household.dusun, household.rt, household.rw = dusun, rt, rw
        if address:
            household.address = address
        household.full_clean()
        household.save()

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
        person.name, person.household = name, household
        optional = {
            "occupation": occupation,
            "phone": phone,
            "birth_place": birth_place,
            "birth_date": birth_date,
            "sex": sex,
            "relationship": relationship,
            "marital_status": marital_status,
        }
        for field, value in optional.items():
            if value not in (None, ""):
                setattr(person, field, value)
        person.full_clean()
        person.save()
    return person
