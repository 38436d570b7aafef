"""The monthly Usulan of a village to Dinas Sosial (Pasal 5 ayat 9) and the Tim Verifikasi's
decision on each proposed person (ayat 5)."""

import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import scoping
from accounts.models import User
from enrollment.models import (
    ADDITION_GROUNDS,
    REMOVAL_GROUNDS,
    Ground,
    Kind,
    LedgerEntry,
)
from people.models import Household, Person
from regions.models import HealthFacility, Village
from sktm.models import Letter
from verification import evidence as evidence_display

# What a village may propose: the Pasal 5 grounds (not the opening balance or a correction).
PROPOSAL_GROUNDS = [
    ground for ground in Ground if ground not in (Ground.OPENING, Ground.CORRECTION)
]


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draf"
    SUBMITTED = "submitted", "Dikirim ke Dinas Sosial"
    RETURNED = "returned", "Dikembalikan ke desa"
    CLOSED = "closed", "Selesai diverifikasi"


class ProposalSource(models.TextChoices):
    VILLAGE = "village", "Usulan desa"
    # Removals the Tim Verifikasi itself finds (re-verification, Instruksi KELIMA b): recorded
    # closed, each approved and waiting for the validation of population data like any other.
    DINSOS = "dinsos", "Temuan Dinas Sosial"


# The village may change its Usulan only in these states.
EDITABLE = [ProposalStatus.DRAFT, ProposalStatus.RETURNED]
# An item is "open" while its Usulan is being worked on: a person is in at most one of these.
OPEN_STATUSES = [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED]


class Decision(models.TextChoices):
    PENDING = "pending", "Menunggu keputusan"
    APPROVED = "approved", "Disetujui"
    REJECTED = "rejected", "Ditolak"


class RejectReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Tidak memenuhi kriteria dasar yang diusulkan"
    EVIDENCE = "evidence", "Bukti tidak lengkap atau tidak sah"
    POPULATION_DATA = "population_data", "Data kependudukan tidak sesuai (NIK/KK)"
    OTHER_COVER = "other_cover", "Sudah memiliki jaminan kesehatan lain"
    ALREADY_PARTICIPANT = "already_participant", "Sudah terdaftar sebagai peserta JKN"
    OTHER = "other", "Alasan lain"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")

    def waiting(self) -> Self:
        return self.filter(status=ProposalStatus.SUBMITTED)


class Proposal(models.Model):
    """A village's Usulan for one month: the people it proposes to add and to remove."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="proposals", verbose_name="kalurahan/desa"
    )
    month = models.DateField("bulan")
    source = models.CharField(
        "asal", max_length=10, choices=ProposalSource.choices, default=ProposalSource.VILLAGE
    )
    status = models.CharField(
        "status", max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dibuat oleh"
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    submitted_at = models.DateTimeField("dikirim", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dikirim oleh",
    )
    # Place and date of the Lampiran D signature block, fixed when the Lurah submits.
    signed_place = models.CharField("tempat", max_length=100, blank=True)
    signer_name = models.CharField("nama penandatangan", max_length=150, blank=True)
    closed_at = models.DateTimeField("selesai", null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "village__code"]
        verbose_name = "usulan"
        verbose_name_plural = "usulan"
        constraints = [
            models.UniqueConstraint(
                fields=["village", "month", "source"], name="proposal_village_month_source"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="proposal_month_starts_on_day_one"
            ),
        ]

    def __str__(self):
        if self.source == ProposalSource.DINSOS:
            return f"Temuan Dinas Sosial {self.village} {self.month:%m-%Y}"
        return f"Usulan {self.village} {self.month:%m-%Y}"

    @property
    def is_editable(self):
        return self.status in EDITABLE


class ItemQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "proposal__village")

    def awaiting_validation(self) -> Self:
        """Approved removals waiting for the population-data validation (Pasal 5 ayat 3)."""
        return self.filter(
            kind=Kind.REMOVAL,
            decision=Decision.APPROVED,
            ledger_entry__isnull=True,
            proposal__status=ProposalStatus.CLOSED,
        )

    def held(self) -> Self:
        """Items whose person waits for the Tim Verifikasi (`person` is None), undecided."""
        return self.filter(person__isnull=True, decision=Decision.PENDING)


class ProposalItem(models.Model):
    """One person proposed for addition or removal, with the ground's evidence and the Tim
    Verifikasi's decision. An approved item points at the ledger entry it produced."""

    proposal = models.ForeignKey(
        Proposal, models.CASCADE, related_name="items", verbose_name="usulan"
    )
    # None while the NIK or No. KK given is recorded in another village: the Tim Verifikasi
    # decides who the person is, and the village sees the item as it would a new resident's
    # (issue 14, finding 3). `held_identity` keeps the identity as submitted until then.
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_items",
        verbose_name="penduduk",
    )
    held_identity = models.JSONField("identitas menunggu Tim Verifikasi", null=True, blank=True)
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices)
    ground = models.CharField(
        "dasar", max_length=10, choices=[(g.value, g.label) for g in PROPOSAL_GROUNDS]
    )
    evidence = models.JSONField("bukti", default=dict, blank=True)
    mother = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="ibu"
    )
    # Ground a: the mother's NIK as the village named it. A mother outside the village is
    # found and checked by the Tim Verifikasi when deciding, so that the village learns
    # nothing about residents of other villages (issue 14, finding 3).
    mother_nik = models.CharField("NIK ibu", max_length=16, blank=True)
    letter = models.ForeignKey(
        Letter, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="SKTM"
    )
    duplicate_of = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="data ganda dari",
    )
    faskes = models.ForeignKey(
        HealthFacility,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="faskes tingkat pertama",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diusulkan oleh"
    )
    added_at = models.DateTimeField("diusulkan", auto_now_add=True)

    decision = models.CharField(
        "keputusan", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.CharField(
        "alasan penolakan", max_length=20, choices=RejectReason.choices, blank=True
    )
    reason_text = models.TextField("keterangan", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diputuskan oleh",
    )
    decided_at = models.DateTimeField("diputuskan", null=True, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_item",
        verbose_name="mutasi yang dicatat",
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "kind", "pk"]
        verbose_name = "penduduk yang diusulkan"
        verbose_name_plural = "penduduk yang diusulkan"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="item_person_once"),
            models.CheckConstraint(
                condition=Q(person__isnull=False, held_identity__isnull=True)
                | Q(person__isnull=True, held_identity__isnull=False),
                name="item_person_or_held_identity",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.ADDITION, ground__in=ADDITION_GROUNDS)
                | Q(kind=Kind.REMOVAL, ground__in=REMOVAL_GROUNDS),
                name="item_ground_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.REJECTED) | ~Q(reason=""),
                name="item_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def subject(self) -> Person:
        """The person proposed, or while held, an unsaved one made of the identity submitted,
        in the Usulan's village: the village's pages and Lampiran D print the same either
        way."""
        if self.person is not None:
            return self.person
        held = dict(self.held_identity)
        household = Household(
            number=held.pop("kk_number"),
            village=self.proposal.village,
            dusun=held.pop("dusun"),
            rt=held.pop("rt"),
            rw=held.pop("rw"),
        )
        for field in ("birth_date", "domicile_since"):
            held[field] = datetime.date.fromisoformat(held[field]) if held.get(field) else None
        return Person(household=household, **held)

    @property
    def evidence_items(self):
        """The evidence as (label, value) pairs, in Indonesian."""
        return evidence_display.evidence_items(self.evidence)

    @property
    def awaits_validation(self):
        return (
            self.kind == Kind.REMOVAL
            and self.decision == Decision.APPROVED
            and self.ledger_entry_id is None
        )


class ProposalEvent(models.Model):
    """One status change of an Usulan or of a person in it: who, when, from, to, note."""

    proposal = models.ForeignKey(
        Proposal, models.CASCADE, related_name="events", verbose_name="usulan"
    )
    item = models.ForeignKey(
        ProposalItem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="penduduk yang diusulkan",
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="penduduk"
    )
    # The name of a held item's person (ProposalItem.held_identity), which the history keeps
    # after the item is withdrawn, as it keeps `person`.
    held_name = models.CharField("nama yang diusulkan", max_length=150, blank=True)
    from_status = models.CharField("dari", max_length=20, blank=True)
    to_status = models.CharField("menjadi", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="oleh"
    )
    at = models.DateTimeField("waktu", default=timezone.now)
    note = models.TextField("catatan", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "riwayat usulan"
        verbose_name_plural = "riwayat usulan"

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"
