import datetime
from typing import NoReturn, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact

from accounts import scoping
from accounts.models import User
from people.models import Person
from regions.models import Village
from sktm.models import Letter


class Kind(models.TextChoices):
    ADDITION = "addition", "Penambahan"
    REMOVAL = "removal", "Pengurangan"


class Ground(models.TextChoices):
    """Pasal 5 Perbup Kulon Progo 10/2022, by the Pasal's own letters."""

    NEWBORN = "add_a", "Ayat (4) a: bayi baru lahir dari ibu peserta PBI Pemda"
    FAMILY = "add_b", "Ayat (4) b: anggota keluarga peserta PBI Pemda"
    DTKS = "add_c1", "Ayat (4) c.1: terdaftar dalam DTKS/DTSEN"
    SKTM = "add_c2", "Ayat (4) c.2: memiliki SKTM dari Lurah setempat"
    OPENING = "opening", "Saldo awal: peserta yang sudah terdaftar (bukan dasar Pasal 5)"
    DIED = "rem_a", "Ayat (2) a: meninggal dunia"
    DUPLICATE = "rem_b", "Ayat (2) b: duplikasi"
    SEGMENT = "rem_c", "Ayat (2) c: pindah segmen kepesertaan"
    MOVED_OUT = "rem_d", "Ayat (2) d: pindah penduduk dari wilayah Daerah"
    # Not a Pasal 5 ground: the reversal of an entry recorded by mistake (entry_correct).
    CORRECTION = "correction", "Koreksi: pembatalan mutasi yang salah dicatat"


ADDITION_GROUNDS = [Ground.NEWBORN, Ground.FAMILY, Ground.DTKS, Ground.SKTM, Ground.OPENING]
REMOVAL_GROUNDS = [Ground.DIED, Ground.DUPLICATE, Ground.SEGMENT, Ground.MOVED_OUT]


class Segment(models.TextChoices):
    PPU = "ppu", "PPU (pekerja penerima upah)"
    PBPU = "pbpu", "PBPU/BP mandiri"
    PBI_APBN = "pbi_apbn", "PBI APBN"
    OTHER = "other", "Lainnya"


class Validator(models.TextChoices):
    DUKCAPIL = "dukcapil", "Dinas Kependudukan dan Pencatatan Sipil"
    DINSOS = "dinsos", "Dinas Sosial"


class AppendOnlyQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "person__household__village")

    def update(self, **kwargs: object) -> NoReturn:
        raise TypeError("Buku mutasi hanya dapat ditambah; koreksi dicatat sebagai entri baru.")

    def delete(self) -> NoReturn:
        raise TypeError("Buku mutasi hanya dapat ditambah; koreksi dicatat sebagai entri baru.")


class LedgerEntry(models.Model):
    """One addition or removal of a PBI Pemda participant (a *mutasi*). Append-only: the
    database refuses UPDATE and DELETE (triggers in migration 0002), and so does the model."""

    # Indexed by ledger_person_sequence, which leads with it.
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        related_name="ledger_entries",
        verbose_name="penduduk",
        db_index=False,
    )
    # The person's village when the entry was written, never updated: figures group by it
    # without joining residents and households (a later household move is followed through
    # Participation.has_moved_village).
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    # The person's n-th entry. Unique per person, and additions and removals alternate
    # (odd = addition, even = removal): two writers racing to add the same person collide
    # on (person, sequence), so one person never has two active participations.
    sequence = models.PositiveIntegerField("urutan")
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices)
    ground = models.CharField("dasar", max_length=10, choices=Ground.choices)
    effective_month = models.DateField("berlaku bulan")
    # Ground-specific evidence (birth certificate, DTKS ID and desil, death certificate, …).
    evidence = models.JSONField("bukti", default=dict, blank=True)
    # The four references below are empty on nearly every entry: each has a partial index of
    # the entries that fill it (Meta.indexes), which answers the same lookups and costs an
    # import nothing.
    mother = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ibu",
        db_index=False,
    )
    duplicate_of = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="data ganda dari",
        db_index=False,
    )
    letter = models.ForeignKey(
        Letter,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="SKTM",
        db_index=False,
    )
    # Pasal 5 ayat (3): a removal takes effect only after the population data is validated.
    validated_by = models.CharField(
        "divalidasi oleh", max_length=10, choices=Validator.choices, blank=True
    )
    validated_on = models.DateField("tanggal validasi", null=True, blank=True)
    validated_against = models.CharField("validasi terhadap", max_length=255, blank=True)
    corrects = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="mengoreksi entri",
        db_index=False,
    )
    note = models.TextField("catatan", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dicatat oleh"
    )
    recorded_at = models.DateTimeField("dicatat", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "sequence"]
        verbose_name = "mutasi peserta"
        verbose_name_plural = "buku mutasi peserta"
        indexes = [
            models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)
            for field, name in [
                ("mother", "ledger_mother"),
                ("duplicate_of", "ledger_duplicate_of"),
                ("letter", "ledger_letter"),
                ("corrects", "ledger_corrects"),
            ]
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "sequence"], name="ledger_person_sequence"),
            models.CheckConstraint(
                condition=Q(kind=Kind.ADDITION, ground__in=ADDITION_GROUNDS)
                | Q(kind=Kind.REMOVAL, ground__in=REMOVAL_GROUNDS)
                | Q(ground=Ground.CORRECTION),
                name="ledger_ground_matches_kind",
            ),
            # A correction names the entry it reverses, and only a correction does.
            models.CheckConstraint(
                condition=Q(ground=Ground.CORRECTION, corrects__isnull=False)
                | (~Q(ground=Ground.CORRECTION) & Q(corrects__isnull=True)),
                name="ledger_correction_names_its_entry",
            ),
            models.CheckConstraint(
                condition=Q(Exact(Mod("sequence", 2), 1), kind=Kind.ADDITION)
                | Q(Exact(Mod("sequence", 2), 0), kind=Kind.REMOVAL),
                name="ledger_additions_and_removals_alternate",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.ADDITION)
                | Q(ground=Ground.CORRECTION)
                | (~Q(validated_by="") & Q(validated_on__isnull=False)),
                name="ledger_removal_is_validated",
            ),
            models.CheckConstraint(
                condition=Q(effective_month__day=1), name="ledger_month_starts_on_day_one"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person} ({self.effective_month:%m-%Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Entri buku mutasi tidak dapat diubah; catat entri koreksi.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Entri buku mutasi tidak dapat dihapus; catat entri koreksi.")


class ParticipationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")

    def active_on(self, on: datetime.date) -> Self:
        return self.filter(Q(until__isnull=True) | Q(until__gt=on), since__lte=on)


class Participation(models.Model):
    """Each person's latest participation spell, kept in step with the ledger: written only by
    participation.project_people, in the same transaction as every ledger entry (one appended,
    or an import's batch) and as every household move. The roster, counts and exports read it;
    the ledger stays the record (participation.active_people answers for any date)."""

    person = models.OneToOneField(
        Person,
        models.CASCADE,
        primary_key=True,
        related_name="participation",
        verbose_name="penduduk",
    )
    since = models.DateField("peserta sejak")  # month of the spell's addition
    until = models.DateField("berakhir", null=True, blank=True)  # month its removal takes effect
    ground = models.CharField("dasar", max_length=10, choices=Ground.choices)
    # Never looked up by: the ledger it points into refuses DELETE, so no index.
    last_entry = models.ForeignKey(
        LedgerEntry,
        models.PROTECT,
        related_name="+",
        verbose_name="mutasi terakhir",
        db_index=False,
    )
    # The person's village now (services.household_move projects the members again), so that
    # scoped lists and counts need not join people and households. Indexed by
    # participation_village_due, which leads with it.
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa", db_index=False
    )
    # Some entry of the person was written in another village than this one (the household
    # moved since): figures then count those entries here, as they count the person's others.
    has_moved_village = models.BooleanField("pindah desa sejak mutasi", default=False)
    # Instruksi KELIMA b: the latest re-verification of the person (kept across spells), and
    # the base of the schedule, the later of joining and that date, so that who is due is a
    # range scan of an index (oversight.schedule).
    reverified_on = models.DateField("verifikasi ulang terakhir", null=True, blank=True)
    verified_on = models.DateField("terakhir diverifikasi")

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "kepesertaan"
        verbose_name_plural = "kepesertaan"
        indexes = [
            models.Index(
                fields=["village", "verified_on", "person"], name="participation_village_due"
            ),
            models.Index(fields=["verified_on", "village", "person"], name="participation_due"),
            models.Index(
                fields=["person"],
                condition=Q(has_moved_village=True),
                name="participation_moved",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.since:%m-%Y}-{self.until or ''}"


class RegistrySource(models.TextChoices):
    DTKS = "DTKS", "DTKS (Data Terpadu Kesejahteraan Sosial)"
    DTSEN = "DTSEN", "DTSEN (Data Tunggal Sosial dan Ekonomi Nasional)"


class RegistryRecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")


class RegistryRecord(models.Model):
    """One person's listing in an imported extract of DTKS or DTSEN: the evidence of Pasal 5
    ayat (4) c.1. Written only by the extract import."""

    source = models.CharField("sumber", max_length=5, choices=RegistrySource.choices)
    registry_id = models.CharField("ID DTKS/DTSEN", max_length=50)
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField("nama", max_length=150)
    household_number = models.CharField("No. KK", max_length=16)
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    # DTSEN ranks households by welfare decile, 1 (poorest) to 10; DTKS has none.
    desil = models.PositiveSmallIntegerField("desil", null=True, blank=True)
    data_period = models.DateField("periode data")
    imported_at = models.DateTimeField("diimpor", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diimpor oleh"
    )

    objects = RegistryRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-data_period", "nik"]
        verbose_name = "data DTKS/DTSEN"
        verbose_name_plural = "data DTKS/DTSEN"
        constraints = [
            models.UniqueConstraint(
                fields=["nik", "source", "data_period"], name="registry_one_listing_per_period"
            ),
            models.CheckConstraint(
                condition=Q(desil__isnull=True) | Q(desil__gte=1, desil__lte=10),
                name="registry_desil_1_to_10",
            ),
            models.CheckConstraint(
                condition=~Q(source=RegistrySource.DTSEN) | Q(desil__isnull=False),
                name="registry_dtsen_has_desil",
            ),
            models.CheckConstraint(
                condition=Q(data_period__day=1), name="registry_period_starts_on_day_one"
            ),
        ]
        # DTSEN's ranking reads one period's listings by desil (feeds/dtsen.py).
        indexes = [
            models.Index(fields=["source", "data_period", "desil"], name="registry_period_desil")
        ]

    def __str__(self):
        return f"{self.source} {self.registry_id} ({self.data_period:%m-%Y})"

    def as_evidence(self, checked_on):
        """The evidence of ground c.1 this listing gives."""
        evidence = {
            "source": self.source,
            "dtks_id": self.registry_id,
            "data_period": f"{self.data_period:%Y-%m}",
            "checked_on": checked_on.isoformat(),
            "registry_record": self.pk,
        }
        if self.desil is not None:
            evidence["desil"] = self.desil
        return evidence
