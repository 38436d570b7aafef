"""The cases the outside feeds found for people to decide (issue 18): a removal Dukcapil's
data proposes, a move between villages waiting to be recorded, a death the village must know
of. What the sources said is kept, append-only, in people.models (PopulationEvent)."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts import scoping
from accounts.models import User
from enrollment.models import REMOVAL_GROUNDS, Ground
from people.models import Person, PopulationEvent
from regions.models import Village
from verification.models import ProposalItem


class FindingKind(models.TextChoices):
    REMOVAL = "pengurangan", "Usul pengurangan peserta"
    MOVE = "pindah", "Pindah antar-desa"
    FLAG = "perhatian", "Perlu perhatian desa"


class FindingStatus(models.TextChoices):
    OPEN = "terbuka", "Menunggu"
    APPROVED = "disetujui", "Disetujui, tercatat di buku mutasi"
    REJECTED = "ditolak", "Ditolak"
    DONE = "selesai", "Selesai"


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")


class Finding(models.Model):
    """One case an event of Dukcapil's extract found, shown to `village` in `month` (the month
    it was found). A removal carries its Pasal 5 ayat (2) ground, its evidence and the ayat (3)
    validation the import recorded; the Tim Verifikasi approves or rejects it."""

    event = models.ForeignKey(
        PopulationEvent, models.PROTECT, related_name="+", verbose_name="peristiwa"
    )
    kind = models.CharField("jenis temuan", max_length=12, choices=FindingKind.choices)
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name="penduduk")
    month = models.DateField("bulan temuan")
    note = models.CharField("keterangan", max_length=255)
    ground = models.CharField(
        "dasar pengurangan",
        max_length=10,
        choices=[(ground.value, ground.label) for ground in REMOVAL_GROUNDS],
        blank=True,
    )
    evidence = models.JSONField("bukti", default=dict, blank=True)
    # Pasal 5 ayat (3): who validated the population data, when, and against what.
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="divalidasi oleh",
    )
    validated_on = models.DateField("tanggal validasi", null=True, blank=True)
    validated_against = models.CharField("data pembanding", max_length=255, blank=True)
    status = models.CharField(
        "status", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diputuskan oleh",
    )
    decided_at = models.DateTimeField("diputuskan", null=True, blank=True)
    reason_text = models.TextField("alasan", blank=True)
    proposal_item = models.OneToOneField(
        ProposalItem,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pengurangan di usulan",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "village", "pk"]
        verbose_name = "temuan data kependudukan"
        verbose_name_plural = "temuan data kependudukan"
        indexes = [models.Index(fields=["month", "kind", "status"], name="feeds_finding_month")]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="feeds_finding_month_day_one"),
            models.CheckConstraint(
                condition=~Q(kind=FindingKind.REMOVAL)
                | (
                    Q(ground__in=[Ground.DIED, Ground.MOVED_OUT])
                    & Q(validated_by__isnull=False, validated_on__isnull=False)
                    & ~Q(validated_against="")
                ),
                name="feeds_removal_is_validated",
                violation_error_message="Usul pengurangan dari Dukcapil membawa validasinya.",
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.APPROVED) | Q(proposal_item__isnull=False),
                name="feeds_approved_names_its_item",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.person} ({self.month:%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN
