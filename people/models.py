import datetime
import re
from typing import NoReturn, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

from accounts import scoping
from accounts.models import User
from people.names import validate_plain_text
from people.nik import mask, validate_kk, validate_nik
from regions.models import Village
from regions.months import add_months, month_start

# Plausible values (issue 14, finding 13), checked by the model so that forms, imports and
# commands obey alike. No resident alive was born before 1900.
EARLIEST_DATE = datetime.date(1900, 1, 1)
# JKN began in January 2014: no PBI month comes before it; a month more than a year ahead is a
# typing error.
FIRST_MONTH = datetime.date(2014, 1, 1)
MONTHS_AHEAD = 12
# RT and RW are one to three ASCII digits: str.isdigit() accepts "²" and \d accepts "٣".
_RT_RW = re.compile(r"[0-9]{1,3}")


def require_plausible_date(value: datetime.date, label: str, earliest=EARLIEST_DATE) -> None:
    """A date that has happened: from `earliest` (1900) to today."""
    today = timezone.localdate()
    if not earliest <= value <= today:
        raise ValidationError(
            f"{label} harus antara {earliest:%d-%m-%Y} dan hari ini ({today:%d-%m-%Y}).",
            code="implausible_date",
        )


def validate_birth_date(value: datetime.date) -> None:
    require_plausible_date(value, "Tanggal lahir")


def validate_domicile_since(value: datetime.date) -> None:
    require_plausible_date(value, "Tanggal mulai berdomisili")


def validate_past_date(value: datetime.date) -> None:
    """A date something happened on: a death, a move, a check, a validation."""
    require_plausible_date(value, "Tanggal")


def validate_month(value: datetime.date) -> None:
    last = add_months(month_start(timezone.localdate()), MONTHS_AHEAD)
    if not FIRST_MONTH <= value <= last:
        raise ValidationError(
            f"Bulan harus antara {FIRST_MONTH:%m-%Y} dan {last:%m-%Y}.", code="implausible_month"
        )


def parse_month(text: str) -> datetime.date:
    """The first day of the month written TTTT-BB, within the plausible range."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text)
    if not match or int(match[1]) == 0 or not 1 <= int(match[2]) <= 12:
        raise ValidationError("Bulan berbentuk TTTT-BB (bulan 01 sampai 12).", code="invalid")
    month = datetime.date(int(match[1]), int(match[2]), 1)
    validate_month(month)
    return month


def validate_rt(value: str) -> None:
    if not _RT_RW.fullmatch(value):
        raise ValidationError("RT berupa 1 sampai 3 angka (0-9).", code="invalid_rt")


def validate_rw(value: str) -> None:
    if not _RT_RW.fullmatch(value):
        raise ValidationError("RW berupa 1 sampai 3 angka (0-9).", code="invalid_rw")


class Relationship(models.IntegerChoices):
    """SHDK: status hubungan dalam keluarga, Dukcapil's codes."""

    HEAD = 1, "Kepala Keluarga"
    HUSBAND = 2, "Suami"
    WIFE = 3, "Istri"
    CHILD = 4, "Anak"
    CHILD_IN_LAW = 5, "Menantu"
    GRANDCHILD = 6, "Cucu"
    PARENT = 7, "Orang tua"
    PARENT_IN_LAW = 8, "Mertua"
    OTHER_RELATIVE = 9, "Famili lain"
    HOUSEHOLD_HELP = 10, "Pembantu"
    OTHER = 11, "Lainnya"


class MaritalStatus(models.IntegerChoices):
    SINGLE = 1, "Belum kawin"
    MARRIED = 2, "Kawin"
    DIVORCED = 3, "Cerai hidup"
    WIDOWED = 4, "Cerai mati"


class Sex(models.TextChoices):
    MALE = "L", "Laki-laki"
    FEMALE = "P", "Perempuan"


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "household__village")


class Household(models.Model):
    """A family card (Kartu Keluarga) and where it lives."""

    number = models.CharField("No. KK", max_length=16, unique=True, validators=[validate_kk])
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="households", verbose_name="kalurahan/desa"
    )
    # Names and places reach rosters, Lampiran D and spreadsheets: plain text only, whoever
    # writes them (a form, an import, a command).
    dusun = models.CharField("padukuhan/dusun", max_length=100, validators=[validate_plain_text])
    rt = models.CharField("RT", max_length=3, validators=[validate_rt])
    rw = models.CharField("RW", max_length=3, validators=[validate_rw])
    address = models.CharField(
        "alamat", max_length=255, blank=True, validators=[validate_plain_text]
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "keluarga"
        verbose_name_plural = "keluarga"
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("number"), 16),
                name="household_number_16_chars",
                violation_error_message="No. KK harus 16 digit angka.",
            )
        ]

    def __str__(self):
        return f"KK {self.number}"


class Person(models.Model):
    nik = models.CharField("NIK", max_length=16, unique=True, validators=[validate_nik])
    name = models.CharField("nama", max_length=150, validators=[validate_plain_text])
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="members", verbose_name="keluarga"
    )
    relationship = models.PositiveSmallIntegerField(
        "hubungan dalam keluarga", choices=Relationship.choices, null=True, blank=True
    )
    marital_status = models.PositiveSmallIntegerField(
        "status perkawinan", choices=MaritalStatus.choices, null=True, blank=True
    )
    birth_place = models.CharField(
        "tempat lahir", max_length=100, blank=True, validators=[validate_plain_text]
    )
    birth_date = models.DateField(
        "tanggal lahir", null=True, blank=True, validators=[validate_birth_date]
    )
    sex = models.CharField("jenis kelamin", max_length=1, choices=Sex.choices, blank=True)
    occupation = models.CharField(
        "pekerjaan", max_length=100, blank=True, validators=[validate_plain_text]
    )
    phone = models.CharField("nomor telepon", max_length=20, blank=True)
    domicile_since = models.DateField(
        "berdomisili sejak", null=True, blank=True, validators=[validate_domicile_since]
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    updated_at = models.DateTimeField("diubah", auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "penduduk"
        verbose_name_plural = "penduduk"
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("nik"), 16),
                name="person_nik_16_chars",
                violation_error_message="NIK harus 16 digit angka.",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.masked_nik})"

    def clean(self):
        if self.birth_date and self.domicile_since and self.domicile_since < self.birth_date:
            raise ValidationError(
                {"domicile_since": "Tanggal mulai berdomisili tidak boleh sebelum tanggal lahir."}
            )

    @property
    def village(self):
        return self.household.village

    @property
    def masked_nik(self):
        return mask(self.nik)

    @property
    def masked_name(self):
        return " ".join(f"{word[0]}***" for word in self.name.split())


class FieldChange(models.Model):
    """One field of a record changed by a service: its old and new value, who and when. The
    record is the model's foreign key named by RECORD."""

    RECORD = ""

    field = models.CharField("kolom", max_length=50)
    old_value = models.TextField("nilai lama", blank=True)
    new_value = models.TextField("nilai baru", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diubah oleh"
    )
    changed_at = models.DateTimeField("waktu perubahan", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.field_label}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self):
        record = self._meta.get_field(self.RECORD).related_model
        return record._meta.get_field(self.field).verbose_name


class PersonChange(FieldChange):
    """One field of a resident changed by one call to people.services.person_record."""

    RECORD = "person"

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="changes", verbose_name="penduduk"
    )

    class Meta(FieldChange.Meta):
        verbose_name = "riwayat perubahan penduduk"
        verbose_name_plural = "riwayat perubahan penduduk"


class HouseholdChange(FieldChange):
    """One field of a household changed: its dusun, RT, RW or address by
    people.services.person_record, its village by enrollment.services.household_move."""

    RECORD = "household"

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="changes", verbose_name="keluarga"
    )

    class Meta(FieldChange.Meta):
        verbose_name = "riwayat perubahan keluarga"
        verbose_name_plural = "riwayat perubahan keluarga"


# What Dukcapil said (issue 18 §1): its extracts of population events, kept as it said them.
# Here, beside the residents they name, so that every app above (BPJS's reconciliation as well
# as the feeds) may cite a death or a move as its ground.


class EventKind(models.TextChoices):
    DIED = "meninggal", "Meninggal dunia"
    MOVED_OUT = "pindah_keluar", "Pindah ke luar kabupaten"
    MOVED_WITHIN = "pindah_dalam", "Pindah antar-desa dalam kabupaten"
    IDENTITY_CHANGED = "ganti_nik", "Perubahan NIK/No. KK"


_APPEND_ONLY = "Data Dukcapil yang diimpor hanya dapat ditambah; impor ekstrak baru."


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> NoReturn:
        raise TypeError(_APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise TypeError(_APPEND_ONLY)


class AppendOnly(models.Model):
    """A row refused any change once saved; the database refuses it too (migration 0006)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(_APPEND_ONLY)


class PopulationExtract(AppendOnly):
    """One extract of Dukcapil's population events for a period, imported whole. The same
    rows imported again are the same extract: it is saved once (`digest`)."""

    period = models.DateField("periode", validators=[validate_month])
    filename = models.CharField("nama berkas", max_length=255)
    # SHA-256 of the rows as read (not of the bytes): the same events saved again are the same.
    digest = models.CharField("sidik isi", max_length=64, unique=True)
    rows = models.PositiveIntegerField("jumlah peristiwa")
    layout = models.CharField("tata letak kolom", max_length=100)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diimpor oleh"
    )
    imported_at = models.DateTimeField("diimpor", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "ekstrak peristiwa Dukcapil"
        verbose_name_plural = "ekstrak peristiwa Dukcapil"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="population_extract_period_day_one"
            )
        ]

    def __str__(self):
        return f"Ekstrak Dukcapil {self.filename} (periode {self.period:%m-%Y})"


class PopulationEventQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: User) -> Self:
        """An event matched to a resident follows the resident's village; an unmatched NIK
        names no one the user's area holds, and is seen kabupaten-wide only."""
        matched = scoping.scope_by_village(self, user, "person__household__village")
        if user.is_authenticated and user.area_kind in ("regency", None):
            return matched | self.filter(person__isnull=True)
        return matched


class PopulationEvent(AppendOnly):
    """One event of an extract as Dukcapil wrote it; `person` is the resident the NIK named
    when it was imported (None: a NIK the kabupaten's records do not hold)."""

    extract = models.ForeignKey(
        PopulationExtract, models.PROTECT, related_name="events", verbose_name="ekstrak"
    )
    row_number = models.PositiveIntegerField("baris")
    kind = models.CharField("peristiwa", max_length=16, choices=EventKind.choices)
    nik = models.CharField("NIK", max_length=16)
    occurred_on = models.DateField("tanggal peristiwa")
    death_certificate = models.CharField("No. akta kematian", max_length=50, blank=True)
    destination = models.CharField("tujuan pindah", max_length=255, blank=True)
    village_code = models.CharField("kode desa tujuan", max_length=13, blank=True)
    dusun = models.CharField("padukuhan/dusun tujuan", max_length=100, blank=True)
    rt = models.CharField("RT tujuan", max_length=3, blank=True)
    rw = models.CharField("RW tujuan", max_length=3, blank=True)
    new_nik = models.CharField("NIK baru", max_length=16, blank=True)
    new_kk_number = models.CharField("No. KK baru", max_length=16, blank=True)
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="population_events",
        verbose_name="penduduk",
    )

    objects = PopulationEventQuerySet.as_manager()

    class Meta:
        ordering = ["extract", "row_number"]
        verbose_name = "peristiwa kependudukan"
        verbose_name_plural = "peristiwa kependudukan"
        constraints = [
            models.UniqueConstraint(
                fields=["extract", "kind", "nik"], name="population_event_once_per_extract"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} NIK {mask(self.nik)} ({self.occurred_on:%d-%m-%Y})"
