"""The Usulan's moves, one service each: drafting (operator or Lurah), submission (Lurah),
decisions and returns (Tim Verifikasi), and the validation of removals (Dukcapil or Dinas
Sosial). Each refuses with a message in Bahasa Indonesia and writes nothing when it does."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from enrollment import services as ledger
from enrollment.models import ADDITION_GROUNDS, Ground, Kind, Validator
from people.models import Household, Person
from people.services import person_record
from regions.models import Village
from regions.months import add_months, month_start
from sktm import services as sktm_services
from sktm.models import Letter, VerificationForm
from verification.models import (
    EDITABLE,
    OPEN_STATUSES,
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
        held_name=item.subject.name if item and item.person is None else "",
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
    person = _checked_person(item)
    if item.kind == Kind.ADDITION:
        if deciding and item.ground == Ground.NEWBORN and item.mother is None:
            item.mother = _mother_named(item)
        return ledger.addition_checks(
            person=person,
            ground=item.ground,
            effective_month=month,
            evidence=item.evidence,
            mother=item.mother,
            mother_checked_later=item.mother is None and bool(item.mother_nik),
            letter=item.letter,
            faskes=item.faskes,
        )
    return ledger.removal_checks(
        person=person,
        ground=item.ground,
        evidence=item.evidence,
        duplicate_of=item.duplicate_of,
    )


def _checked_person(item: ProposalItem) -> Person:
    """Whom the ground checks look at: the person, or for a held item the identity submitted,
    as the new resident of the village it would be for an unknown NIK (on the village's KK of
    that number, else alone on a new one). No fact of another village enters the answer."""
    if item.person is not None:
        return item.person
    person = item.subject
    household = Household.objects.filter(
        number=person.household.number, village=item.proposal.village_id
    ).first()
    if household is not None:
        person.household = household
    return person


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


def _require_free(item: ProposalItem) -> None:
    """A person is in at most one open Usulan, and not proposed again while a removal waits; a
    held one is known by the NIK submitted, in the Usulan's village."""
    if item.person is None:
        same = Q(
            held_identity__nik=item.held_identity["nik"],
            proposal__village=item.proposal.village_id,
        )
    else:
        same = Q(person=item.person)
    name = item.subject.name
    elsewhere = (
        ProposalItem.objects.filter(same, proposal__status__in=OPEN_STATUSES)
        .select_related("proposal")
        .first()
    )
    if elsewhere:
        raise ValidationError(
            f"{name} sudah ada dalam usulan bulan "
            f"{elsewhere.proposal.month:%m-%Y} yang masih diproses."
        )
    if ProposalItem.objects.awaiting_validation().filter(same).exists():
        raise ValidationError(
            f"Pengurangan {name} sudah disetujui dan menunggu validasi data kependudukan."
        )


def item_propose(
    *, actor: User, proposal: Proposal, nik: str, identity: dict, item: ProposalItem
) -> ProposalItem:
    """Adds the person with `nik` to the Usulan (item_add): the village's resident, recorded or
    updated from `identity` (person_record's arguments); or, when the NIK or No. KK is
    recorded in another village, held for the Tim Verifikasi with `identity` as submitted,
    checked and answered as a new resident's would be (issue 14, finding 3)."""
    permissions.require(permissions.can_draft_proposal(actor, proposal.village), _VILLAGE_REFUSAL)
    with transaction.atomic():
        if sktm_services.recorded_elsewhere(proposal.village, nik, identity["kk_number"]):
            item.person = None
            item.held_identity = sktm_services.checked_identity(
                proposal.village, nik=nik, **identity
            )
        else:
            item.person = person_record(actor=actor, village=proposal.village, nik=nik, **identity)
        return item_add(actor=actor, proposal=proposal, item=item)


def item_add(*, actor: User, proposal: Proposal, item: ProposalItem) -> ProposalItem:
    """Adds a person (an unsaved ProposalItem with its ground and evidence) to a draft Usulan,
    after checking the ground as the ledger will."""
    permissions.require(permissions.can_draft_proposal(actor, proposal.village), _VILLAGE_REFUSAL)
    with transaction.atomic():
        proposal = _locked(proposal)
        if not proposal.is_editable:
            raise ValidationError("Usulan yang sudah dikirim tidak dapat diubah.")
        item.proposal, item.added_by = proposal, actor
        if item.person is not None:
            # One writer at a time per person: two drafts cannot both take the same person.
            item.person = (
                Person.objects.select_for_update()
                .select_related("household")
                .get(pk=item.person.pk)
            )
            if item.person.household.village_id != proposal.village_id:
                raise ValidationError(f"NIK {item.person.nik} bukan penduduk {proposal.village}.")
        else:
            # Drafts of one held NIK or No. KK wait for each other on the record it meets.
            held = item.held_identity
            list(Person.objects.select_for_update().filter(nik=held["nik"]))
            list(Household.objects.select_for_update().filter(number=held["kk_number"]))
        _require_free(item)
        if item.ground == Ground.NEWBORN:
            item.mother = _village_mother(item, proposal.village_id)
        if item.ground == Ground.SKTM and item.letter is None:
            # Ground c.2 rests on the person's valid SKTM from this village's Lurah (for a held
            # person, the letter whose applicant is held with the same NIK).
            item.letter = Letter.objects.in_force_for(
                item.subject, proposal.village_id, timezone.localdate()
            )
        item.evidence = _ground_checks(item, _effective_month(proposal))
        subject = item.subject
        if item.ground in ADDITION_GROUNDS and (
            subject.relationship is None or subject.marital_status is None
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
        items = list(
            proposal.items.select_related("person__household", "mother", "letter", "proposal")
        )
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
                subject = item.subject
                problems.append(f"{subject.name} (NIK {subject.nik}): {error.messages[0]}")
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
        item = ProposalItem.objects.select_related(
            "person__household", "mother", "letter", "proposal__village"
        ).get(pk=item.pk)
        if item.decision != Decision.PENDING:
            who = item.decided_by.get_full_name() or item.decided_by.username
            raise ValidationError(
                f"{item.subject.name} sudah diputuskan ({item.get_decision_display().lower()}) "
                f"oleh {who} pada {timezone.localtime(item.decided_at):%d-%m-%Y %H:%M}."
            )
        if proposal.status != ProposalStatus.SUBMITTED:
            raise ValidationError("Usulan ini tidak sedang diverifikasi.")
        if item.person is None:
            _link_if_resident(item)
        if decision == Decision.APPROVED:
            if item.person is None:
                raise ValidationError(_HELD_APPROVAL)
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
                raise ValidationError(f"{item.subject.name}: {error.messages[0]}") from error
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
        item.person = person
        _require_free(item)
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


def _moved_in(actor: User, village: Village, identity: dict, submitter: User) -> Person:
    """The resident a village named with `identity` (person_record's arguments) while its NIK
    or No. KK was recorded in another village, accepted by the Tim Verifikasi: the family
    moved. Its KK moves to `village` with the history of each value (enrollment's
    household_move), and the resident is recorded as the village submitted it, in the
    submitter's name."""
    nik, kk_number = identity["nik"], identity["kk_number"]
    recorded = Person.objects.select_related("household").filter(nik=nik).first()
    if recorded is not None and recorded.household.number != kk_number:
        raise ValidationError(
            f"NIK {nik} tercatat dalam KK {recorded.household.number}, bukan KK {kk_number} "
            "yang diajukan desa: pindah perorangan ke KK lain dicatat dahulu oleh desa asal. "
            "Tolak dengan alasan, atau terima setelah datanya sesuai."
        )
    household = Household.objects.filter(number=kk_number).first()
    if household is not None and household.village_id != village.pk:
        ledger.household_move(
            actor=actor,
            household=household,
            village=village,
            dusun=identity["dusun"],
            rt=identity["rt"],
            rw=identity["rw"],
        )
    person = person_record(actor=submitter, village=village, **identity)
    _link_held_items(person)
    return Person.objects.get(pk=person.pk)


def held_applicant_accept(*, actor: User, form: VerificationForm) -> Person:
    """The Tim Verifikasi accepts an SKTM applicant whose NIK or No. KK is recorded in another
    village (_moved_in); the form and its letter then name the resident, and so do the
    village's Usulan items held with the same NIK."""
    with transaction.atomic():
        form = sktm_services.held_form_locked(actor, form)
        applicant = form.applicant
        identity = {
            "nik": form.nik,
            "name": form.applicant_name,
            "kk_number": form.kk_number,
            "dusun": form.dusun,
            "rt": form.rt,
            "rw": form.rw,
            "occupation": form.occupation,
            "phone": form.phone,
            "birth_place": applicant.birth_place,
            "birth_date": applicant.birth_date,
            "sex": applicant.sex,
        }
        person = _moved_in(actor, form.village, identity, form.created_by)
        sktm_services.held_applicant_link(form, person)
    return person


# An Usulan item held for the Tim Verifikasi (issue 14, finding 3): refused by an ordinary
# rejection (item_decide), accepted here, or linked when the person has come to the village.

_HELD_APPROVAL = (
    "NIK atau No. KK penduduk ini tercatat di desa lain: tolak dengan alasan, atau terima "
    "perpindahan keluarganya pada halaman Tercatat di desa lain, lalu putuskan."
)


def held_item_accept(*, actor: User, item: ProposalItem) -> Person:
    """The Tim Verifikasi accepts a held Usulan item: the family moved (_moved_in). The item
    then names the resident and is decided as any other."""
    permissions.require(permissions.can_decide(actor), _DECIDER_REFUSAL)
    with transaction.atomic():
        item = (
            ProposalItem.objects.visible_to(actor)
            .held()
            .select_for_update(of=("self",))
            .select_related("proposal__village", "added_by")
            .filter(pk=item.pk)
            .first()
        )
        if item is None:
            raise ValidationError("Penduduk ini tidak lagi menunggu keputusan.")
        return _moved_in(actor, item.proposal.village, item.held_identity, item.added_by)


def _link_held_items(person: Person) -> None:
    """The village's Usulan items held with the person's NIK now name the person, and so does
    their history; the person is recorded as each item gives them (person_record, in the
    name of who proposed it), since Lampiran D prints the Usulan's identity."""
    held = (
        ProposalItem.objects.filter(
            person__isnull=True,
            held_identity__nik=person.nik,
            proposal__village=person.household.village_id,
        )
        .select_related("proposal__village", "added_by")
        .order_by("pk")
    )
    item_ids = []
    for item in held:
        person_record(actor=item.added_by, village=item.proposal.village, **item.held_identity)
        item_ids.append(item.pk)
    ProposalItem.objects.filter(pk__in=item_ids).update(person=person, held_identity=None)
    ProposalEvent.objects.filter(item__in=item_ids).update(person=person)


def _link_if_resident(item: ProposalItem) -> None:
    """A held item names the resident of its Usulan's village with its NIK, once there is one
    (the family moved since)."""
    person = (
        Person.objects.select_related("household")
        .filter(nik=item.held_identity["nik"], household__village=item.proposal.village_id)
        .first()
    )
    if person is not None:
        _link_held_items(person)
        item.refresh_from_db()
