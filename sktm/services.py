import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from people.models import Household, Person
from people.names import validate_free_text
from people.nik import validate_kk, validate_nik
from people.services import person_record
from regions.models import MinimumWage, Village
from regions.months import add_months
from sktm import letters, scoring
from sktm.models import (
    FormEvent,
    FormStatus,
    Letter,
    LetterSequence,
    VerificationForm,
)
from sktm.transitions import require_may_move, transition

APPLICANT_FIELDS = [
    "applicant_name",
    "nik",
    "kk_number",
    "dusun",
    "rt",
    "rw",
    "occupation",
    "phone",
]
ANSWER_FIELDS = ["ownership", "wall", "floor", "lighting"]
DUPLICATE_CODES = {"open_form", "valid_letter"}


def minimum_wage_for(village: Village, year: int) -> Decimal:
    wage = MinimumWage.objects.filter(regency=village.district.regency_id, year=year).first()
    if wage is None:
        raise ValidationError(
            f"UMK tahun {year} untuk {village.district.regency} belum diisi. Hubungi admin."
        )
    return wage.amount


def _scored(village: Village, data: dict, year: int) -> dict:
    """The indicator options and total from the form's raw input (Lampiran B)."""
    wage = minimum_wage_for(village, year)
    answers = {field: data[field] for field in ANSWER_FIELDS}
    answers["dependants"] = scoring.dependants_option(data["dependants_count"])
    answers["income"] = scoring.income_option(data["monthly_income"], wage)
    return {**answers, "minimum_wage": wage, "total_score": scoring.total_score(answers)}


def _refuse_open_form(village: Village, nik: str, exclude: VerificationForm | None = None) -> None:
    open_form = VerificationForm.objects.open().filter(village=village, nik=nik)
    if exclude is not None:
        open_form = open_form.exclude(pk=exclude.pk)
    existing = open_form.first()
    if existing:
        raise ValidationError(
            "Pemohon dengan NIK ini masih memiliki formulir yang sedang diproses.",
            code="open_form",
            params={"form_id": existing.pk},
        )


def _refuse_valid_letter(
    village: Village, nik: str, person: Person | None, on: datetime.date
) -> None:
    """A letter of this village in force for the person, or for the NIK while its
    applicant's record is held (VerificationForm.person)."""
    same = Q(person__nik=nik) | Q(form__nik=nik)
    if person is not None:
        same |= Q(person=person)
    letter = Letter.objects.valid_on(on).filter(same, village=village).first()
    if letter:
        raise ValidationError(
            f"Pemohon dengan NIK ini sudah memiliki SKTM yang masih berlaku ({letter.number}).",
            code="valid_letter",
            params={"form_id": letter.form_id},
        )


def _refuse_duplicate(
    village: Village, nik: str, person: Person | None, exclude: VerificationForm | None
) -> None:
    """An applicant with an open form or a valid letter in this village cannot apply again.
    Call with the person's row locked: parallel submissions then check one after another."""
    _refuse_open_form(village, nik, exclude)
    _refuse_valid_letter(village, nik, person, timezone.localdate())


def recorded_elsewhere(village: Village, nik: str, kk_number: str) -> bool:
    """Whether the NIK or the No. KK is recorded in another village of the kabupaten."""
    return (
        Person.objects.filter(nik=nik).exclude(household__village=village).exists()
        or Household.objects.filter(number=kk_number).exclude(village=village).exists()
    )


def checked_identity(
    village: Village, *, nik: str, kk_number: str, name: str, dusun: str, rt: str, rw: str, **given
) -> dict:
    """A resident's identity (person_record's arguments) checked by the rules person_record
    applies to a new resident, with the same messages, and recorded nowhere: what a form keeps
    while the Tim Verifikasi decides on a NIK or No. KK recorded in another village. Returns
    the values given, dates in ISO form."""
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
    household = Household(number=kk_number, village=village, dusun=dusun, rt=rt, rw=rw)
    household.full_clean(exclude=["number"], validate_unique=False)
    given = {field: value for field, value in given.items() if value not in (None, "")}
    person = Person(nik=nik, name=name, household=household, **given)
    person.full_clean(exclude=["nik", "household"], validate_unique=False)
    given = {
        field: value.isoformat() if hasattr(value, "isoformat") else value
        for field, value in given.items()
    }
    recorded = {
        "nik": nik,
        "kk_number": kk_number,
        "name": name,
        "dusun": dusun,
        "rt": rt,
        "rw": rw,
    }
    return recorded | given


def _held_identity(village: Village, data: dict) -> dict:
    """The applicant's identity checked as a new resident's (checked_identity): what the form
    holds beyond its own fields until the Tim Verifikasi decides."""
    identity = checked_identity(
        village,
        nik=data["nik"],
        kk_number=data["kk_number"],
        name=data["applicant_name"],
        dusun=data["dusun"],
        rt=data["rt"],
        rw=data["rw"],
        occupation=data["occupation"],
        phone=data["phone"],
        birth_place=data.get("birth_place", ""),
        birth_date=data.get("birth_date"),
        sex=data.get("sex", ""),
    )
    return {
        "birth_place": identity.get("birth_place", ""),
        "birth_date": identity.get("birth_date"),
        "sex": identity.get("sex", ""),
    }


def sktm_form_submit(
    *, actor: User, data: dict, form: VerificationForm | None = None
) -> VerificationForm:
    """Records a Lampiran A form (new, or a returned one corrected) and the applicant's person
    record, and submits it to the Lurah. `data` is the cleaned form input."""
    permissions.require(
        permissions.can_fill_sktm_form(actor),
        "Hanya operator desa yang dapat mengisi formulir verifikasi.",
    )
    village = actor.village
    with transaction.atomic():
        held = None
        if recorded_elsewhere(village, data["nik"], data["kk_number"]):
            # Held for the Tim Verifikasi; to the village it goes on as a new resident's form.
            person, held = None, _held_identity(village, data)
        else:
            # Locks the person's row (and creates it and the household once): the duplicate
            # check below then sees any parallel submission that came first.
            person = person_record(
                actor=actor,
                village=village,
                nik=data["nik"],
                name=data["applicant_name"],
                kk_number=data["kk_number"],
                dusun=data["dusun"],
                rt=data["rt"],
                rw=data["rw"],
                occupation=data["occupation"],
                phone=data["phone"],
                birth_place=data.get("birth_place", ""),
                birth_date=data.get("birth_date"),
                sex=data.get("sex", ""),
            )
        _refuse_duplicate(village, data["nik"], person, exclude=form)
        year = (form.created_at if form else timezone.now()).year
        values = {
            **{field: data[field] for field in APPLICANT_FIELDS},
            "dependants_count": data["dependants_count"],
            "monthly_income": data["monthly_income"],
            **_scored(village, data, year),
        }
        if form is None:
            form = _created_once(
                village=village, person=person, held_identity=held, created_by=actor, **values
            )
            FormEvent.objects.create(form=form, to_status=FormStatus.SUBMITTED, actor=actor)
            return form
        form = transition(form=form, to=FormStatus.SUBMITTED, actor=actor)
        for field, value in values.items():
            setattr(form, field, value)
        form.person, form.held_identity = person, held
        form.save()
        return form


def _created_once(**values) -> VerificationForm:
    """Inserts the form; should another open form of the NIK have slipped past the check, the
    database's constraint refuses it and the operator is told which form is open."""
    try:
        with transaction.atomic():
            return VerificationForm.objects.create(**values)
    except IntegrityError:
        _refuse_open_form(values["village"], values["nik"])
        raise


def sktm_form_acknowledge(*, actor: User, form: VerificationForm) -> VerificationForm:
    """The Lurah's "Mengetahui": a passing form awaits its letter, a failing one ends here."""
    with transaction.atomic():
        to = FormStatus.ACKNOWLEDGED if form.is_poor else FormStatus.INELIGIBLE
        return transition(form=form, to=to, actor=actor)


def sktm_form_return(*, actor: User, form: VerificationForm, note: str) -> VerificationForm:
    require_may_move(form=form, to=FormStatus.RETURNED, actor=actor)
    if not note.strip():
        raise ValidationError("Tuliskan catatan agar operator tahu apa yang harus diperbaiki.")
    validate_free_text(note)
    with transaction.atomic():
        form = transition(form=form, to=FormStatus.RETURNED, actor=actor, note=note)
        form.return_note = note
        form.save(update_fields=["return_note"])
        return form


def _next_sequence(village: Village, year: int) -> int:
    """Allocates the village's next letter number for the year inside the caller's
    transaction: the locked counter row makes concurrent issuers wait their turn."""
    LetterSequence.objects.bulk_create(
        [LetterSequence(village=village, year=year)], ignore_conflicts=True
    )
    counter = LetterSequence.objects.select_for_update().get(village=village, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def letter_issue(
    *,
    actor: User,
    form: VerificationForm,
    issued_on: datetime.date | None = None,
    base_url: str = "",
) -> Letter:
    """Issues the SKTM (Lampiran C) for an acknowledged form with a passing score. With the
    site's `base_url` (for the QR code's address) its PDF is rendered and stored at once, so
    that its content is frozen as issued; without it, at the first download."""
    issued_on = issued_on or timezone.localdate()
    letter = _issued(actor, form, issued_on)
    if base_url:
        # After the commit: the 0.3 s of rendering does not hold the village's number lock.
        letters.letter_pdf(letter, base_url)
    return letter


def _issued(actor: User, form: VerificationForm, issued_on: datetime.date) -> Letter:
    with transaction.atomic():
        # One valid letter per person and village: issuers of the same person's forms wait
        # for each other on the person's row, then see the letter issued first. A held
        # applicant has one open form at most, and its issuers wait on the form's row.
        person = Person.objects.select_for_update().filter(pk=form.person_id).first()
        form = transition(form=form, to=FormStatus.ISSUED, actor=actor)
        # Lampiran B: a total under 10 never yields a letter, whatever the status says.
        if not form.is_poor:
            raise ValidationError("Skor di bawah 10: SKTM tidak dapat diterbitkan.")
        village = form.village
        _refuse_valid_letter(village, form.nik, person, issued_on)
        retire_current_letter(person, village)
        sequence = _next_sequence(village, issued_on.year)
        return _letter_created_once(
            village,
            person,
            form=form,
            year=issued_on.year,
            sequence=sequence,
            number=letters.letter_number(sequence, village, issued_on),
            issued_on=issued_on,
            valid_until=add_months(issued_on, settings.SKTM_VALIDITY_MONTHS)
            - datetime.timedelta(days=1),
            issued_by=actor,
            signer_name=actor.get_full_name() or actor.username,
            signer_title=f"{village.head_title} {village.name}",
        )


def retire_current_letter(person: Person | None, village: Village) -> None:
    """The person's previous letter from the village, expired or revoked (the caller checked),
    is no longer the current one."""
    if person is not None:
        Letter.objects.filter(person=person, village=village, is_current=True).update(
            is_current=False
        )


def _letter_created_once(village: Village, person: Person | None, **values) -> Letter:
    """Inserts the letter; should another issuer's letter for the person have slipped past
    the check, the database's constraint refuses this one and the Lurah is told."""
    try:
        with transaction.atomic():
            return Letter.objects.create(village=village, person=person, **values)
    except IntegrityError:
        _refuse_valid_letter(village, values["form"].nik, person, values["issued_on"])
        raise


def letter_revoke(*, actor: User, letter: Letter, reason: str) -> Letter:
    permissions.require(
        permissions.can_revoke_letter(actor, letter),
        "Hanya Lurah desa penerbit yang dapat mencabut SKTM ini.",
    )
    if not reason.strip():
        raise ValidationError("Alasan pencabutan wajib diisi.")
    validate_free_text(reason)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.revoked_at:
            raise ValidationError("SKTM ini sudah dicabut.")
        letter.revoked_at = timezone.now()
        letter.revoked_by = actor
        letter.revoke_reason = reason
        letter.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        return letter


# An applicant held for the Tim Verifikasi (issue 14, finding 3): accepted in
# verification.services.held_applicant_accept, which moves the resident; refused here.

_HELD_REFUSAL = "Hanya Tim Verifikasi Dinas Sosial yang memutuskan pemohon ini."


def held_form_locked(actor: User, form: VerificationForm) -> VerificationForm:
    """The held form, its row locked for the Tim Verifikasi's decision; a form that no longer
    waits (decided meanwhile) is refused. Call inside the caller's transaction."""
    permissions.require(permissions.can_decide(actor), _HELD_REFUSAL)
    form = VerificationForm.objects.held().select_for_update(of=("self",)).filter(pk=form.pk)
    form = form.select_related("village").first()
    if form is None:
        raise ValidationError("Pemohon ini tidak lagi menunggu keputusan.")
    return form


def held_applicant_refuse(*, actor: User, form: VerificationForm, reason: str) -> None:
    """The Tim Verifikasi refuses a held applicant with a reason the village reads as it
    reads any other: an open form goes back to the operator with it as the note, a letter
    already issued is revoked with it as the reason."""
    if not reason.strip():
        raise ValidationError("Tuliskan alasan untuk desa.")
    validate_free_text(reason)
    with transaction.atomic():
        form = held_form_locked(actor, form)
        if form.status == FormStatus.ISSUED:
            Letter.objects.filter(form=form).update(
                revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason
            )
            return
        FormEvent.objects.create(
            form=form,
            from_status=form.status,
            to_status=FormStatus.RETURNED,
            actor=actor,
            note=reason,
        )
        form.status, form.return_note = FormStatus.RETURNED, reason
        form.save(update_fields=["status", "return_note", "updated_at"])


def held_applicant_link(form: VerificationForm, person: Person) -> None:
    """The held form, and its letter if one was issued, now name `person`: the resident the
    Tim Verifikasi accepted. Call with the form locked (held_form_locked)."""
    letter = Letter.objects.filter(form=form).first()
    if letter is not None:
        retire_current_letter(person, form.village)
        letter.person = person
        letter.save(update_fields=["person"])
    form.person, form.held_identity = person, None
    form.save(update_fields=["person", "held_identity", "updated_at"])
