"""Recording re-verifications (Instruksi KELIMA b): one participant with its outcome, or a
village's list in one go. Each call is one transaction: a refusal writes nothing."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.scoping import villages_for
from enrollment.models import Ground, Kind, Participation
from enrollment.participation import project_people
from enrollment.services import as_date
from oversight.models import LatestReverification, Outcome, Reverification
from people.models import Person
from regions.models import Village
from regions.months import add_months, month_start
from verification import services as verification
from verification.models import ProposalItem


def _require_recorder(actor: User, village: Village) -> None:
    """Village staff re-verify their own village; the Tim Verifikasi and admins any village
    in their area."""
    permissions.require(
        permissions.can_record_reverification(actor, village)
        and villages_for(actor).filter(pk=village.pk).exists(),
        "Anda tidak berwenang mencatat verifikasi ulang peserta desa ini.",
    )


def _checked_date(value: datetime.date | str) -> datetime.date:
    checked_on = as_date(value, "Tanggal verifikasi ulang")
    if checked_on > timezone.localdate():
        raise ValidationError("Tanggal verifikasi ulang tidak boleh di masa depan.")
    return checked_on


def _remember(checked_on: datetime.date, person_ids: list[int]) -> None:
    """Brings each person's latest re-verification date up to `checked_on`, here and on the
    projection, whose schedule base the list of who is due reads."""
    project_people(person_ids, reverified_on=checked_on)
    known = dict(
        LatestReverification.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "checked_on"
        )
    )
    LatestReverification.objects.bulk_create(
        [
            LatestReverification(person_id=pk, checked_on=checked_on)
            for pk in person_ids
            if known.get(pk) is None or known[pk] < checked_on
        ],
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["checked_on"],
    )


def _village_removal(actor: User, item: ProposalItem) -> ProposalItem:
    """The removal in the village's Usulan: this month's draft, or next month's when this
    month's has been sent."""
    this_month = month_start(timezone.localdate())
    for month in (this_month, add_months(this_month, 1)):
        proposal = verification.proposal_open(actor=actor, month=month)
        if proposal.is_editable:
            return verification.item_add(actor=actor, proposal=proposal, item=item)
    raise ValidationError(
        "Usulan bulan ini dan bulan depan sudah dikirim; catat verifikasi ulang ini setelah "
        "usulan berikutnya dapat disusun."
    )


def reverification_record(
    *,
    actor: User,
    person: Person,
    checked_on: datetime.date | str,
    outcome: Outcome,
    ground: Ground | str = "",
    evidence: dict | None = None,
    duplicate_of: Person | None = None,
    note: str = "",
) -> Reverification:
    """Records one re-verification. Not eligible: a removal on its Pasal 5 ayat (2) ground
    opens in the village's next Usulan (village staff), or is approved at once by the Tim
    Verifikasi and waits for the validation of population data (Pasal 5 ayat 3)."""
    if outcome not in Outcome.values:
        raise ValidationError("Pilih hasil verifikasi ulang.")
    if outcome == Outcome.INELIGIBLE and not ground:
        raise ValidationError("Pilih dasar pengurangan (Pasal 5 ayat 2).")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        participation = (
            Participation.objects.active_on(timezone.localdate())
            .select_related("village")
            .filter(person=person)
            .first()
        )
        if participation is None:
            raise ValidationError(f"NIK {person.nik} bukan peserta PBI Pemda aktif.")
        _require_recorder(actor, participation.village)
        checked_on = _checked_date(checked_on)
        # The person's row is locked: a second request for the same date waits, then sees this.
        if Reverification.objects.filter(person=person, checked_on=checked_on).exists():
            raise ValidationError(
                f"Verifikasi ulang NIK {person.nik} tanggal {checked_on:%d-%m-%Y} sudah "
                "dicatat; tidak dicatat dua kali."
            )
        removal = None
        if outcome == Outcome.INELIGIBLE:
            item = ProposalItem(
                person=person,
                kind=Kind.REMOVAL,
                ground=ground,
                evidence=evidence or {},
                duplicate_of=duplicate_of,
            )
            if permissions.can_draft_proposal(actor, participation.village):
                removal = _village_removal(actor, item)
            else:
                note_text = f"Verifikasi ulang {checked_on:%d-%m-%Y}. {note}".strip()
                removal = verification.removal_found(actor=actor, item=item, note=note_text)
        record = Reverification.objects.create(
            person=person,
            village=participation.village,
            checked_on=checked_on,
            outcome=outcome,
            ground=ground if outcome == Outcome.INELIGIBLE else "",
            note=note.strip(),
            removal=removal,
            recorded_by=actor,
        )
        _remember(checked_on, [person.pk])
    return record


def village_reverify(
    *,
    actor: User,
    village: Village,
    people: Iterable[int | str],
    checked_on: datetime.date | str,
    note: str = "",
) -> int:
    """Records the participants `people` (primary keys) of `village` as still eligible, all or
    none: one record each, in one transaction."""
    person_ids = sorted({int(pk) for pk in people})
    if not person_ids:
        raise ValidationError("Pilih paling sedikit satu peserta.")
    _require_recorder(actor, village)
    checked_on = _checked_date(checked_on)
    with transaction.atomic():
        # One writer at a time per person, as with the ledger.
        locked = list(
            Person.objects.select_for_update()
            .filter(pk__in=person_ids)
            .values_list("pk", flat=True)
        )
        active = set(
            Participation.objects.active_on(timezone.localdate())
            .filter(village=village, person_id__in=locked)
            .values_list("person_id", flat=True)
        )
        missing = len(person_ids) - len(active)
        if missing:
            raise ValidationError(
                f"{missing} penduduk yang dipilih bukan peserta aktif {village}; muat ulang "
                "daftarnya. Tidak ada yang dicatat."
            )
        # Those already re-verified on that date (the form sent twice) are left as they are.
        done = set(
            Reverification.objects.filter(
                person_id__in=person_ids, checked_on=checked_on
            ).values_list("person_id", flat=True)
        )
        new = [pk for pk in person_ids if pk not in done]
        Reverification.objects.bulk_create(
            Reverification(
                person_id=pk,
                village=village,
                checked_on=checked_on,
                outcome=Outcome.ELIGIBLE,
                note=note.strip(),
                recorded_by=actor,
            )
            for pk in new
        )
        _remember(checked_on, new)
    return len(new)
