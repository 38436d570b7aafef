"""The Usulan's moves, one service each: drafting (operator or Lurah), submission (Lurah),
decisions and returns (Tim Verifikasi), and the validation of removals (Dukcapil or Dinas
Sosial). Each refuses with a message in Bahasa Indonesia and writes nothing when it does."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from enrollment import services as ledger
from enrollment.models import ADDITION_GROUNDS, Ground, Kind, Validator
from people.models import Household, Person
from people.services import person_record
from regions.months import add_months, month_start
from sktm import services as sktm_services
from sktm.models import Letter, VerificationForm
from verification.models import (
    EDITABLE,
    Decision,
    Proposal,
    ProposalEvent,
    ProposalItem,
    ProposalSource,
    ProposalStatus,
)
from verification.transitions import transition

_VILLAGE_REFUSAL = "Anda tidak berwenang mengubah usulan desa ini."
_DECIDER_REFUSAL = "Hanya Tim Verifikasi Dinas Sosial yang memutuskan usulan."
# An item is "open" while its Usulan is being worked on: a person is in at most one of these.
_OPEN_STATUSES = [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED]


def _effective_month(proposal: Proposal, today: datetime.date | None = None) -> datetime.date:
    """The month an approved change takes effect: the Usulan's month, or the month it is
    decided in when that is later."""
    return max(proposal.month, month_start(today or timezone.localdate()))


def _log(
    proposal: Proposal,
    actor: User,
    to_status: str,
    from_status: str = "",
    item: ProposalItem | None = None,
    note: str = "",
) -> None:
    ProposalEvent.objects.create(
        proposal=proposal,
        item=item,
        person=item.person if item else None,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
    )


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def proposal_open(*, actor: User, month: datetime.date) -> Proposal:
    """The actor's village Usulan for `month` (this month or the next), opened as a draft when
    there is none yet."""
    permissions.require(permissions.can_draft_proposal(actor, actor.village), _VILLAGE_REFUSAL)
    month = month_start(month)
    this_month = month_start(timezone.localdate())
    if month not in (this_month, add_months(this_month, 1)):
        raise ValidationError("Usulan hanya dapat disusun untuk bulan ini atau bulan depan.")
    with transaction.atomic():
        proposal, created = Proposal.objects.get_or_create(
            village=actor.village,
            month=month,
            source=ProposalSource.VILLAGE,
            defaults={"created_by": actor},
        )
        if created:
            _log(proposal, actor, ProposalStatus.DRAFT)
    return proposal


def _ground_checks(item: ProposalItem, month: datetime.date, *, deciding: bool = False) -> dict:
    """The ledger's own rules for the item's ground, against the data at this moment. A
    newborn's mother outside the village is found and checked only when the Tim Verifikasi
    decides (`deciding`): the village's own checks must not tell whether she exists."""
    if item.kind == Kind.ADDITION:
        if deciding and item.ground == Ground.NEWBORN and item.mother is None:
            item.mother = _mother_named(item)
        return ledger.addition_checks(
            person=item.person,
            ground=item.ground,
            effective_month=month,
            evidence=item.evidence,
            mother=item.mother,
            mother_checked_later=item.mother is None and bool(item.mother_nik),
            letter=item.letter,
            faskes=item.faskes,
        )
    return ledger.removal_checks(
        person=item.person,
        ground=item.ground,
        evidence=item.evidence,
        duplicate_of=item.duplicate_of,
    )


def _mother_named(item: ProposalItem) -> Person:
    """The mother the village named by NIK, anywhere in the kabupaten (for the Tim
    Verifikasi, who sees it all)."""
    mother = Person.objects.filter(nik=item.mother_nik).first()
    if mother is None:
        raise ValidationError(f"NIK ibu {item.mother_nik} belum terdaftar.")
    return mother


def _village_mother(item: ProposalItem, village_id: int) -> Person | None:
    """Ground a, as the village drafts it: the named mother when she lives in the village
    (checked now), else None (checked by the Tim Verifikasi)."""
    if item.mother is not None:
        item.mother_nik = item.mother.nik
    if not item.mother_nik:
        return None
    return Person.objects.filter(nik=item.mother_nik, household__village=village_id).first()


def _require_free(person: Person) -> None:
    """A person is in at most one open Usulan, and not proposed again while a removal waits."""
    elsewhere = (
        ProposalItem.objects.filter(person=person, proposal__status__in=_OPEN_STATUSES)
        .select_related("proposal")
        .first()
    )
    if elsewhere:
        raise ValidationError(
            f"{person.name} sudah ada dalam usulan bulan "
            f"{elsewhere.proposal.month:%m-%Y} yang masih diproses."
        )
    if ProposalItem.objects.awaiting_validation().filter(person=person).exists():
        raise ValidationError(
            f"Pengurangan {person.name} sudah disetujui dan menunggu validasi data kependudukan."
        )


def item_add(*, actor: User, proposal: Proposal, item: ProposalItem) -> ProposalItem:
    """Adds a person (an unsaved ProposalItem with its ground and evidence) to a draft Usulan,
    after checking the ground as the ledger will."""
    permissions.require(permissions.can_draft_proposal(actor, proposal.village), _VILLAGE_REFUSAL)
    with transaction.atomic():
        proposal = _locked(proposal)
        if not proposal.is_editable:
            raise ValidationError("Usulan yang sudah dikirim tidak dapat diubah.")
        # One writer at a time per person: two drafts cannot both take the same person.
        person = (
            Person.objects.select_for_update().select_related("household").get(pk=item.person.pk)
        )
        if person.household.village_id != proposal.village_id:
            raise ValidationError(f"NIK {person.nik} bukan penduduk {proposal.village}.")
        _require_free(person)
        item.person, item.proposal, item.added_by = person, proposal, actor
        if item.ground == Ground.NEWBORN:
            item.mother = _village_mother(item, proposal.village_id)
        if item.ground == Ground.SKTM and item.letter is None:
            # Ground c.2 rests on the person's valid SKTM from this village's Lurah.
            item.letter = (
                Letter.objects.valid_on(timezone.localdate())
                .filter(person=person, village=proposal.village_id)
                .order_by("-issued_on")
                .first()
            )
        item.evidence = _ground_checks(item, _effective_month(proposal))
        if item.ground in ADDITION_GROUNDS and (
            person.relationship is None or person.marital_status is None
        ):
            # Lampiran D prints both for every person added (HUB.KELUARGA, STATUS).
            raise ValidationError(
                "Hubungan keluarga dan status perkawinan wajib diisi untuk penambahan peserta: "
                "keduanya dicetak di Lampiran D."
            )
        item.save()
        _log(proposal, actor, "added", item=item)
    return item


def item_withdraw(*, actor: User, item: ProposalItem) -> None:
    permissions.require(
        permissions.can_draft_proposal(actor, item.proposal.village), _VILLAGE_REFUSAL
    )
    with transaction.atomic():
        proposal = _locked(item.proposal)
        if not proposal.is_editable:
            raise ValidationError("Usulan yang sudah dikirim tidak dapat diubah.")
        _log(proposal, actor, "withdrawn", item=item)
        item.delete()


def proposal_submit(*, actor: User, proposal: Proposal, place: str) -> Proposal:
    """The Lurah sends the Usulan to the Kepala Dinas Sosial as Ketua Tim Verifikasi; every
    person's ground is checked again, since an SKTM may have expired since drafting."""
    permissions.require(permissions.can_submit_proposal(actor, proposal), _VILLAGE_REFUSAL)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status not in EDITABLE:
            raise ValidationError("Usulan ini sudah dikirim.")
        items = list(proposal.items.select_related("person__household", "mother", "letter"))
        if not items:
            raise ValidationError("Usulan masih kosong: tambahkan paling sedikit satu penduduk.")
        if not place.strip():
            raise ValidationError("Tempat penandatanganan wajib diisi.")
        month = _effective_month(proposal)
        problems = []
        for item in items:
            try:
                _ground_checks(item, month)
            except ValidationError as error:
                problems.append(f"{item.person.name} (NIK {item.person.nik}): {error.messages[0]}")
        if problems:
            raise ValidationError(["Perbaiki dahulu sebelum dikirim:", *problems])

        def signed(proposal):
            proposal.submitted_at = timezone.now()
            proposal.submitted_by = actor
            proposal.signed_place = place.strip()
            proposal.signer_name = actor.get_full_name() or actor.username

        proposal = transition(
            proposal=proposal,
            to=ProposalStatus.SUBMITTED,
            actor=actor,
            message=_VILLAGE_REFUSAL,
            apply=signed,
        )
    return proposal


def _require_decider(actor: User, proposal: Proposal) -> None:
    permissions.require(
        permissions.can_decide(actor, proposal)
        and Proposal.objects.visible_to(actor).filter(pk=proposal.pk).exists(),
        _DECIDER_REFUSAL,
    )


def proposal_return(*, actor: User, proposal: Proposal, note: str) -> Proposal:
    """The Tim Verifikasi sends the whole Usulan back to the village with a note; decisions made
    so far are undone (they stay in the history) and are made again after resubmission."""
    _require_decider(actor, proposal)
    if not note.strip():
        raise ValidationError("Tuliskan catatan untuk desa: apa yang harus diperbaiki.")
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != ProposalStatus.SUBMITTED:
            raise ValidationError("Hanya usulan yang sedang diverifikasi dapat dikembalikan.")
        proposal.items.update(
            decision=Decision.PENDING, reason="", reason_text="", decided_by=None, decided_at=None
        )
        proposal = transition(
            proposal=proposal,
            to=ProposalStatus.RETURNED,
            actor=actor,
            message=_DECIDER_REFUSAL,
            note=note.strip(),
        )
    return proposal


def item_decide(
    *,
    actor: User,
    item: ProposalItem,
    decision: Decision,
    reason: str = "",
    reason_text: str = "",
) -> ProposalItem:
    """Approves or rejects one proposed person. Of two verifiers deciding the same person at
    once, the first wins and the second is told. When the last person is decided the Usulan
    closes and the approved additions enter the ledger."""
    _require_decider(actor, item.proposal)
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise ValidationError("Pilih setujui atau tolak.")
    if decision == Decision.REJECTED and not reason:
        raise ValidationError("Pilih alasan penolakan.")
    with transaction.atomic():
        proposal = _locked(item.proposal)
        item = ProposalItem.objects.select_related("person__household", "mother", "letter").get(
            pk=item.pk
        )
        if item.decision != Decision.PENDING:
            who = item.decided_by.get_full_name() or item.decided_by.username
            raise ValidationError(
                f"{item.person.name} sudah diputuskan ({item.get_decision_display().lower()}) "
                f"oleh {who} pada {timezone.localtime(item.decided_at):%d-%m-%Y %H:%M}."
            )
        if proposal.status != ProposalStatus.SUBMITTED:
            raise ValidationError("Usulan ini tidak sedang diverifikasi.")
        if decision == Decision.APPROVED:
            _ground_checks(item, _effective_month(proposal), deciding=True)
        item.decision, item.decided_by, item.decided_at = decision, actor, timezone.now()
        item.reason = reason if decision == Decision.REJECTED else ""
        item.reason_text = reason_text.strip()
        item.save()
        _log(proposal, actor, decision, Decision.PENDING, item=item, note=item.reason_text)
        if not proposal.items.filter(decision=Decision.PENDING).exists():
            _close(proposal, actor)
    return item


def items_approve_pending(*, actor: User, proposal: Proposal) -> int:
    """Approves every person of the Usulan still waiting, all or none: one whose ground no
    longer holds stops the whole batch with its name, to be rejected first."""
    _require_decider(actor, proposal)
    with transaction.atomic():
        pending = list(proposal.items.filter(decision=Decision.PENDING).order_by("pk"))
        if not pending:
            raise ValidationError("Tidak ada penduduk yang menunggu keputusan.")
        for item in pending:
            try:
                item_decide(actor=actor, item=item, decision=Decision.APPROVED)
            except ValidationError as error:
                raise ValidationError(f"{item.person.name}: {error.messages[0]}") from error
    return len(pending)


def _close(proposal: Proposal, actor: User) -> None:
    """Every person is decided: approved additions enter the ledger now; approved removals wait
    for the validation of the population data (Pasal 5 ayat 3)."""
    month = _effective_month(proposal)
    additions = proposal.items.filter(kind=Kind.ADDITION, decision=Decision.APPROVED)
    for item in additions.select_related("person__household", "mother", "letter"):
        try:
            entry = ledger.participant_add(
                actor=actor,
                person=item.person,
                ground=item.ground,
                effective_month=month,
                evidence=item.evidence,
                mother=item.mother,
                letter=item.letter,
                faskes=item.faskes,
                note=f"{proposal}",
            )
        except ValidationError as error:
            raise ValidationError(
                f"Usulan belum dapat diselesaikan: {item.person.name}: {error.messages[0]}"
            ) from error
        item.ledger_entry = entry
        item.save(update_fields=["ledger_entry"])

    def closed(proposal: Proposal) -> None:
        proposal.closed_at = timezone.now()

    transition(
        proposal=proposal,
        to=ProposalStatus.CLOSED,
        actor=actor,
        message=_DECIDER_REFUSAL,
        apply=closed,
    )


def removal_validate(
    *,
    actor: User,
    item: ProposalItem,
    validated_on: datetime.date | str,
    validated_against: str,
) -> ProposalItem:
    """Records an approved removal in the ledger once the population data is validated, by
    Dukcapil or by Dinas Sosial (Pasal 5 ayat 3)."""
    permissions.require(
        permissions.can_validate_removal(actor)
        and ProposalItem.objects.visible_to(actor).filter(pk=item.pk).exists(),
        "Hanya Dukcapil atau Dinas Sosial yang memvalidasi pengurangan.",
    )
    validator = (
        Validator.DUKCAPIL if permissions.is_population_registry(actor) else Validator.DINSOS
    )
    validated_on = ledger.as_date(validated_on, "Tanggal validasi")
    with transaction.atomic():
        proposal = _locked(item.proposal)
        item = ProposalItem.objects.select_related("person", "duplicate_of").get(pk=item.pk)
        if not item.awaits_validation:
            raise ValidationError(f"Pengurangan {item.person.name} tidak menunggu validasi.")
        item.ledger_entry = ledger.participant_remove(
            actor=actor,
            person=item.person,
            ground=item.ground,
            effective_month=_effective_month(proposal, validated_on),
            validated_by=validator,
            validated_on=validated_on,
            validated_against=validated_against,
            evidence=item.evidence,
            duplicate_of=item.duplicate_of,
            note=f"{proposal}",
        )
        item.save(update_fields=["ledger_entry"])
        _log(proposal, actor, "validated", Decision.APPROVED, item=item, note=validated_against)
    return item


def removal_found(*, actor: User, item: ProposalItem, note: str = "") -> ProposalItem:
    """A removal the Tim Verifikasi found itself (an unsaved ProposalItem of kind removal with
    its ground and evidence): recorded as approved in the month's Dinas Sosial record of the
    person's village, where it waits for the validation of population data (Pasal 5 ayat 3)
    in the same queue as the villages' removals."""
    permissions.require(
        permissions.can_decide(actor),
        "Hanya Tim Verifikasi Dinas Sosial yang mencatat temuan pengurangan.",
    )
    if item.kind != Kind.REMOVAL:
        raise ValidationError("Temuan Dinas Sosial hanya untuk pengurangan peserta.")
    with transaction.atomic():
        person = (
            Person.objects.visible_to(actor)
            .select_for_update()
            .select_related("household__village")
            .filter(pk=item.person.pk)
            .first()
        )
        if person is None:
            raise ValidationError("Penduduk ini di luar wilayah Anda.")
        _require_free(person)
        now = timezone.now()
        proposal, created = Proposal.objects.get_or_create(
            village=person.household.village,
            month=month_start(timezone.localdate()),
            source=ProposalSource.DINSOS,
            defaults={
                "created_by": actor,
                "status": ProposalStatus.CLOSED,
                "closed_at": now,
                "signer_name": actor.get_full_name() or actor.username,
            },
        )
        proposal = _locked(proposal)
        if created:
            _log(proposal, actor, ProposalStatus.CLOSED)
        if proposal.items.filter(person=person).exists():
            raise ValidationError(f"{person.name} sudah tercatat dalam {proposal}.")
        item.person, item.proposal, item.added_by = person, proposal, actor
        item.evidence = _ground_checks(item, _effective_month(proposal))
        item.decision, item.decided_by, item.decided_at = Decision.APPROVED, actor, now
        item.save()
        _log(proposal, actor, Decision.APPROVED, Decision.PENDING, item=item, note=note)
    return item


def held_applicant_accept(*, actor: User, form: VerificationForm) -> Person:
    """The Tim Verifikasi accepts an SKTM applicant whose NIK or No. KK is recorded in another
    village: the family moved. Its KK moves to the form's village with the history of each
    value (enrollment's household_move), the resident is recorded as the village submitted it,
    in the submitter's name, and the form and its letter name the resident."""
    with transaction.atomic():
        form = sktm_services.held_form_locked(actor, form)
        recorded = Person.objects.select_related("household").filter(nik=form.nik).first()
        if recorded is not None and recorded.household.number != form.kk_number:
            raise ValidationError(
                f"NIK {form.nik} tercatat dalam KK {recorded.household.number}, bukan KK "
                f"{form.kk_number} pada formulir: pindah perorangan ke KK lain dicatat dahulu "
                "oleh desa asal. Tolak dengan alasan, atau terima setelah datanya sesuai."
            )
        household = Household.objects.filter(number=form.kk_number).first()
        if household is not None and household.village_id != form.village_id:
            ledger.household_move(
                actor=actor,
                household=household,
                village=form.village,
                dusun=form.dusun,
                rt=form.rt,
                rw=form.rw,
            )
        applicant = form.applicant
        person = person_record(
            actor=form.created_by,
            village=form.village,
            nik=form.nik,
            name=form.applicant_name,
            kk_number=form.kk_number,
            dusun=form.dusun,
            rt=form.rt,
            rw=form.rw,
            occupation=form.occupation,
            phone=form.phone,
            birth_place=applicant.birth_place,
            birth_date=applicant.birth_date,
            sex=applicant.sex,
        )
        sktm_services.held_applicant_link(form, person)
    return person
