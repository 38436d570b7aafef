from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts import scoping
from accounts.models import User
from enrollment.models import REMOVAL_GROUNDS, Participation
from people.models import Person
from regions.models import Village


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", "Masih memenuhi syarat"
    INELIGIBLE = "ineligible", "Tidak memenuhi syarat lagi"


class ReverificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")


class Reverification(models.Model):
    """One periodic re-verification of a participant (Instruksi KELIMA b: "verifikasi dan
    validasi … secara berkala minimal 3 (tiga) bulan sekali"). Kept as history: never edited.
    A participant found no longer eligible gets a removal on its Pasal 5 ayat (2) ground."""

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="reverifications", verbose_name="penduduk"
    )
    # The person's village when checked, so that scoped lists and counts need no joins.
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    checked_on = models.DateField("tanggal verifikasi ulang")
    outcome = models.CharField("hasil", max_length=10, choices=Outcome.choices)
    ground = models.CharField(
        "dasar pengurangan",
        max_length=10,
        blank=True,
        choices=[(ground.value, ground.label) for ground in REMOVAL_GROUNDS],
    )
    note = models.TextField("catatan", blank=True)
    # The removal it opened: in the village's Usulan, or approved by Dinas Sosial.
    removal = models.OneToOneField(
        "verification.ProposalItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reverification",
        verbose_name="usulan pengurangan",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dicatat oleh"
    )
    recorded_at = models.DateTimeField("dicatat", auto_now_add=True)

    objects = ReverificationQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = "verifikasi ulang"
        verbose_name_plural = "verifikasi ulang"
        indexes = [models.Index(fields=["recorded_at"], name="reverification_recorded")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=Outcome.ELIGIBLE, ground="")
                | Q(outcome=Outcome.INELIGIBLE, ground__in=REMOVAL_GROUNDS),
                name="reverification_ground_matches_outcome",
            ),
            # A person is re-verified once on a date: a form sent twice (two tabs, a double
            # click) records one check, and the recap counts checks as people.
            models.UniqueConstraint(
                fields=["person", "checked_on"], name="reverification_one_per_person_and_date"
            ),
        ]

    def __str__(self):
        return f"Verifikasi ulang {self.person} ({self.checked_on:%d-%m-%Y})"


class LatestReverification(models.Model):
    """The latest re-verification date of each participation (keyed, like it, by person),
    written with every Reverification by oversight.services only: lists and counts of who is
    due join it straight onto the projection. A new spell keeps the row (the projection is
    updated in place): its schedule starts from the later of joining and this date."""

    person = models.OneToOneField(
        Participation,
        models.CASCADE,
        primary_key=True,
        related_name="latest_reverification",
        verbose_name="kepesertaan",
    )
    checked_on = models.DateField("tanggal verifikasi ulang terakhir")

    class Meta:
        verbose_name = "verifikasi ulang terakhir"
        verbose_name_plural = "verifikasi ulang terakhir"

    def __str__(self):
        return f"{self.person_id}: {self.checked_on:%d-%m-%Y}"
