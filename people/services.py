import contextlib
import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from people.models import Household, HouseholdChange, Person, PersonChange
from people.nik import validate_kk, validate_nik
from regions.models import Village


class ItemRefused(ValidationError):
    """A batch service's refusal of one of its items, `index` its place in the batch, so that
    a caller acting for a file names the row; the messages are the item's own."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(error)
        self.index = index


@contextlib.contextmanager
def item_refusal(index: int) -> Iterator[None]:
    """Turns a refusal of the batch's item `index` into an ItemRefused naming it."""
    try:
        yield
    except ValidationError as error:
        raise ItemRefused(index, error) from error


def rows_update(model: type[Model], rows: Sequence[Model], fields: Sequence[str]) -> None:
    """Writes `fields` of each of `rows` (saved instances of `model`) as they are in memory, in
    one UPDATE joined to a VALUES list of every row (as many as SQLite's limit of parameters
    takes): bulk_update's CASE of one branch per row costs time in the square of the rows."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    named = [meta.get_field(name) for name in fields]
    table, key = quote(meta.db_table), quote(meta.pk.column)
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{place}" for place, field in enumerate(named, start=2)
    )
    width = len(named) + 1
    size = (connection.features.max_query_params or width * len(rows)) // width
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        values = ", ".join([f"({', '.join(['%s'] * width)})"] * len(chunk))
        params = [
            value
            for row in chunk
            for value in (
                row.pk,
                *(
                    field.get_db_prep_save(getattr(row, field.attname), connection)
                    for field in named
                ),
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "
                f"WHERE {table}.{key} = v.column1",
                params,
            )


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
    HouseholdChange.objects.bulk_create(household_changes(household, before, actor, changed_at))


def household_changes(
    household: Household, before: dict[str, str], actor: User, changed_at: datetime.datetime
) -> list[HouseholdChange]:
    """The history rows (not saved) of each tracked value of `household` that differs from
    `before`, for a caller that inserts many households' at once."""
    after = household_values(household)
    return [
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
    ]


# Refusals name no village: an operator must not learn where a NIK or KK outside their
# area is registered (issue 14, finding 3). Imports say the same words.
_ELSEWHERE = {
    "kk_number": "No. KK ini terdaftar di desa lain; perpindahan keluarga diurus oleh desa asal.",
    "nik": "NIK ini terdaftar di desa lain; pindah domisili diurus oleh desa asal.",
}


def _locked_or_inserted(queryset, row, **key):
    """The row with `key`, locked until the caller's transaction ends, and whether it is new.
    A new row is validated and inserted once: when a concurrent transaction inserts the same
    key first, the unique constraint waits for it to commit and its row is returned instead."""
    existing = queryset.select_for_update(of=("self",)).filter(**key).first()
    if existing is not None:
        return existing, False
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        existing = queryset.select_for_update(of=("self",)).filter(**key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


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
    with transaction.atomic():
        changed_at = timezone.now()
        household, is_new = _locked_or_inserted(
            Household.objects,
            Household(
                number=kk_number, village=village, dusun=dusun, rt=rt, rw=rw, address=address
            ),
            number=kk_number,
        )
        if household.village_id != village.pk:
            raise ValidationError({"kk_number": _ELSEWHERE["kk_number"]})
        if not is_new:
            before = household_values(household)
            household.dusun, household.rt, household.rw = dusun, rt, rw
            if address:
                household.address = address
            household.full_clean()
            household.save()
            household_history(household, before, actor, changed_at)

        given = {field: value for field, value in optional.items() if value not in (None, "")}
        person, is_new = _locked_or_inserted(
            Person.objects.select_related("household"),
            Person(nik=nik, name=name, household=household, **given),
            nik=nik,
        )
        if person.household.village_id != village.pk:
            raise ValidationError({"nik": _ELSEWHERE["nik"]})
        if not is_new:
            before = {field: _as_text(person, field) for field in tracked}
            person.name, person.household = name, household
            for field, value in given.items():
                setattr(person, field, value)
            # Compare after full_clean, which turns "1985-03-12" or "3" into the stored types.
            person.full_clean()
            person.save()
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


def person_change_identity(
    *, actor: User, person: Person, nik: str = "", kk_number: str = ""
) -> Person:
    """Applies Dukcapil's change of a resident's NIK or No. KK, with its history. The person
    stays the same row, so the ledger, the Usulan and every record keep pointing at them. A new
    No. KK already held by a household of the same village joins it; otherwise a household of
    that number is opened where the old one lives."""
    changes = [IdentityChange(person=person, nik=nik, kk_number=kk_number)]
    return people_change_identity(actor=actor, changes=changes)[0]


@dataclass(frozen=True)
class IdentityChange:
    """A resident's new NIK or new No. KK (or both), as Dukcapil recorded it."""

    person: Person
    nik: str = ""
    kk_number: str = ""


def people_change_identity(*, actor: User, changes: Sequence[IdentityChange]) -> list[Person]:
    """person_change_identity for many residents, each at most once, in their order, all or
    none: a refusal is an ItemRefused naming the change. The residents, the households of the
    new numbers and the NIKs already held are each read in one query, and each table written
    in one. A NIK held when the batch begins stays taken to its end."""
    permissions.require(
        permissions.can_import_population_events(actor),
        "Hanya Dukcapil atau admin yang mencatat perubahan NIK dan No. KK.",
    )
    if len({change.person.pk for change in changes}) != len(changes):
        raise ValueError("Each resident changes at most once in a batch.")
    for index, change in enumerate(changes):
        with item_refusal(index):
            if not change.nik and not change.kk_number:
                raise ValidationError("Isi NIK baru atau No. KK baru.")
            if change.nik:
                validate_nik(change.nik)
            if change.kk_number:
                validate_kk(change.kk_number)
    with transaction.atomic():
        locked = (
            Person.objects.select_for_update()
            .select_related("household")
            .in_bulk([change.person.pk for change in changes])
        )
        niks = [change.nik for change in changes if change.nik]
        taken = set(Person.objects.filter(nik__in=niks).values_list("nik", flat=True))
        numbers = [change.kk_number for change in changes if change.kk_number]
        households = _households_locked(numbers)
        people, before = [], []
        for index, change in enumerate(changes):
            person = locked[change.person.pk]
            before.append({field: _as_text(person, field) for field in ("nik", "household")})
            with item_refusal(index):
                if change.nik and change.nik != person.nik:
                    if change.nik in taken:
                        raise ValidationError(f"NIK baru {change.nik} sudah dipakai penduduk lain.")
                    taken.add(change.nik)
                    person.nik = change.nik
                if change.kk_number and change.kk_number != person.household.number:
                    person.household = _joined(households, change.kk_number, person.household)
                # The household is one just read or opened, and the NIK's uniqueness was
                # asked above for the whole batch.
                person.full_clean(
                    exclude=["household"], validate_unique=False, validate_constraints=False
                )
            people.append(person)
        opened = [household for household in households.values() if household.pk is None]
        if opened:
            _open_households(opened, people)
        changed_at = timezone.now()
        for person in people:
            person.updated_at = changed_at
        rows_update(Person, people, ["nik", "household", "updated_at"])
        PersonChange.objects.bulk_create(
            PersonChange(
                person=person,
                field=field,
                old_value=value,
                new_value=_as_text(person, field),
                changed_by=actor,
                changed_at=changed_at,
            )
            for person, values in zip(people, before, strict=True)
            for field, value in values.items()
            if _as_text(person, field) != value
        )
    return people


def _households_locked(numbers: Iterable[str]) -> dict[str, Household]:
    """The households of `numbers` that exist, by number, locked until the transaction ends."""
    return {
        household.number: household
        for household in Household.objects.select_for_update(of=("self",)).filter(
            number__in=set(numbers)
        )
    }


def _joined(households: dict[str, Household], number: str, old: Household) -> Household:
    """The household of the new No. KK `number` a member of `old` joins: the one holding it,
    or one opened (not saved yet) where `old` lives. Refused when it is another village's."""
    household = households.get(number)
    if household is None:
        household = Household(
            number=number,
            village_id=old.village_id,
            dusun=old.dusun,
            rt=old.rt,
            rw=old.rw,
            address=old.address,
        )
        # The village is the old household's, the number's 16 digits were checked with it and
        # its uniqueness is the database's when it is inserted (_open_households).
        household.full_clean(exclude=["village"], validate_unique=False, validate_constraints=False)
        households[number] = household
    if household.village_id != old.village_id:
        raise ValidationError(f"No. KK baru {number} terdaftar di desa lain: catat sebagai pindah.")
    return household


def _open_households(opened: list[Household], people: list[Person]) -> None:
    """Inserts the households `people` open and points them at the saved rows. A number a
    concurrent transaction inserted first waits for it to commit and its row is joined
    instead, when it is in the same village (as _locked_or_inserted)."""
    Household.objects.bulk_create(opened, ignore_conflicts=True)
    saved = _households_locked(household.number for household in opened)
    for index, person in enumerate(people):
        if person.household.pk is None:
            with item_refusal(index):
                person.household = _joined(saved, person.household.number, person.household)
