"""What BPJS Kesehatan says about each participant, kept as it was said (DESIGN.md, beyond the
regulation): the registration files the kabupaten sends to e-Dabu and the history of each
person's card, TMT, status, faskes and PISA."""

from typing import NoReturn, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from accounts import scoping
from accounts.models import User
from enrollment.models import LedgerEntry
from jobs.models import Job
from people.models import Person, Relationship
from regions.models import District, HealthFacility

CARD_DIGITS = 13


class Status(models.TextChoices):
    """A person's status at BPJS Kesehatan, in the order a registration goes through."""

    UNREGISTERED = "belum", "Belum didaftarkan"
    SENT = "didaftarkan", "Didaftarkan"
    ACTIVE = "aktif", "Aktif"
    INACTIVE = "nonaktif", "Nonaktif"


class Source(models.TextChoices):
    """Where a BPJS record came from."""

    REGISTRATION_FILE = "berkas_registrasi", "Berkas registrasi yang dikirim"
    BPJS_FILE = "data_bpjs", "Data peserta dari BPJS Kesehatan"
    TEAM = "tim_verifikasi", "Dicatat Tim Verifikasi"


class Pisa(models.IntegerChoices):
    """Pisa: a participant's place in the family as BPJS Kesehatan codes it."""

    MEMBER = 1, "1 Peserta"
    HUSBAND = 2, "2 Suami"
    WIFE = 3, "3 Istri"
    CHILD = 4, "4 Anak"
    ADDITIONAL = 5, "5 Tambahan"


# SHDK (Dukcapil) -> PISA: the head is the peserta, spouses and children keep their place,
# every other member of the KK is a tambahan.
_PISA_OF_RELATIONSHIP = {
    Relationship.HEAD: Pisa.MEMBER,
    Relationship.HUSBAND: Pisa.HUSBAND,
    Relationship.WIFE: Pisa.WIFE,
    Relationship.CHILD: Pisa.CHILD,
}


def pisa_of(relationship: int | None) -> Pisa | None:
    """The PISA a person's SHDK gives; None when the SHDK is not recorded."""
    if relationship is None:
        return None
    return _PISA_OF_RELATIONSHIP.get(relationship, Pisa.ADDITIONAL)


class Action(models.TextChoices):
    REGISTER = "daftar", "Pendaftaran"
    DEACTIVATE = "nonaktif", "Permintaan penonaktifan"


class RegistrationFileQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """A file made for a kapanewon is seen by whoever sees that kapanewon; a kabupaten-wide
        file only by those who see the whole kabupaten."""
        districts = scoping.districts_for(user)
        if user.is_authenticated and user.area_kind in ("regency", None):
            return self.filter(Q(district__isnull=True) | Q(district__in=districts))
        return self.filter(district__in=districts)


class RegistrationFile(models.Model):
    """One registration file for e-Dabu: a month's approved additions (and removals, as
    deactivation requests) of the kabupaten or of one kapanewon, made by a background job."""

    month = models.DateField("bulan")
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="kapanewon/kecamatan",
    )
    job = models.OneToOneField(
        Job, models.PROTECT, related_name="bpjs_registration", verbose_name="pekerjaan"
    )
    layout = models.CharField("tata letak kolom", max_length=100)
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dibuat oleh"
    )
    # Set once, by bpjs.services.registration_mark_sent.
    sent_on = models.DateField("tanggal dikirim", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ditandai terkirim oleh",
    )

    objects = RegistrationFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "berkas registrasi e-Dabu"
        verbose_name_plural = "berkas registrasi e-Dabu"
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="bpjs_file_month_starts_on_day_one"
            ),
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True, sent_by__isnull=True)
                | Q(sent_on__isnull=False, sent_by__isnull=False),
                name="bpjs_file_sent_says_by_whom",
            ),
        ]

    def __str__(self):
        area = self.district or "seluruh kabupaten"
        return f"Registrasi e-Dabu {self.month:%m-%Y} ({area})"

    @property
    def filename(self):
        return self.job.result_filename


class RegistrationLine(models.Model):
    """One person in a registration file, as it was written: registered or to be deactivated."""

    file = models.ForeignKey(RegistrationFile, models.CASCADE, related_name="lines")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+")
    action = models.CharField("tindakan", max_length=10, choices=Action.choices)
    ledger_entry = models.ForeignKey(
        LedgerEntry, models.PROTECT, related_name="+", verbose_name="mutasi"
    )
    # As written in the file: what "didaftarkan" records once the file is sent.
    faskes = models.ForeignKey(
        HealthFacility, models.PROTECT, null=True, blank=True, related_name="+"
    )
    pisa = models.PositiveSmallIntegerField("PISA", choices=Pisa.choices, null=True, blank=True)
    tmt = models.DateField("TMT")

    class Meta:
        ordering = ["file", "pk"]
        verbose_name = "baris berkas registrasi"
        verbose_name_plural = "baris berkas registrasi"
        constraints = [
            models.UniqueConstraint(fields=["file", "person"], name="bpjs_line_person_once"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.person_id}"


class RecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "person__household__village")

    def update(self, **kwargs: object) -> NoReturn:
        raise TypeError("Riwayat BPJS hanya dapat ditambah; koreksi dicatat sebagai baris baru.")

    def delete(self) -> NoReturn:
        raise TypeError("Riwayat BPJS hanya dapat ditambah; koreksi dicatat sebagai baris baru.")


class Record(models.Model):
    """One thing BPJS Kesehatan says (or was told) about a person: card, TMT, status, faskes,
    PISA, with its source and date. Append-only like the ledger: the database refuses UPDATE,
    DELETE and TRUNCATE (migration 0002), and so does the model; the latest row is the person's
    BPJS record now."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="bpjs_records")
    card_number = models.CharField("No. Kartu JKN", max_length=CARD_DIGITS, blank=True)
    tmt = models.DateField("TMT", null=True, blank=True)
    status = models.CharField("status di BPJS", max_length=12, choices=Status.choices)
    source = models.CharField("sumber", max_length=20, choices=Source.choices)
    source_date = models.DateField("tanggal sumber")
    faskes = models.ForeignKey(
        HealthFacility,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="faskes terdaftar",
    )
    pisa = models.PositiveSmallIntegerField("PISA", choices=Pisa.choices, null=True, blank=True)
    # PISA is derived from the SHDK unless the Tim Verifikasi set it otherwise.
    is_pisa_override = models.BooleanField("PISA ditetapkan manual", default=False)
    registration_file = models.ForeignKey(
        RegistrationFile,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name="berkas registrasi",
    )
    note = models.TextField("catatan", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dicatat oleh"
    )
    recorded_at = models.DateTimeField("dicatat", auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "-pk"]
        verbose_name = "riwayat BPJS"
        verbose_name_plural = "riwayat BPJS"
        indexes = [models.Index(fields=["person", "-id"], name="bpjs_record_person_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(card_number="") | Exact(Length("card_number"), CARD_DIGITS),
                name="bpjs_card_13_digits",
                violation_error_message="No. Kartu JKN harus 13 digit angka.",
            ),
            models.CheckConstraint(
                condition=Q(pisa__isnull=True) | Q(pisa__gte=1, pisa__lte=5),
                name="bpjs_pisa_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(source=Source.REGISTRATION_FILE) | Q(registration_file__isnull=False),
                name="bpjs_registration_names_its_file",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACTIVE) | (~Q(card_number="") & Q(tmt__isnull=False)),
                name="bpjs_active_has_card_and_tmt",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.get_status_display()} ({self.source_date:%d-%m-%Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Riwayat BPJS tidak dapat diubah; catat baris baru.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Riwayat BPJS tidak dapat dihapus; catat baris baru.")


class BillingQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> NoReturn:
        raise TypeError("Data BPJS yang diimpor hanya dapat ditambah; impor versi baru.")

    def delete(self) -> NoReturn:
        raise TypeError("Data BPJS yang diimpor hanya dapat ditambah; impor versi baru.")


class BillingFile(models.Model):
    """One version of BPJS's list of PBPU/BP Pemda participants billed for a month, imported
    whole. A second file for the same month is a new version; the earlier stays. Append-only
    (migration 0004)."""

    month = models.DateField("bulan tagihan")
    version = models.PositiveSmallIntegerField("versi")
    filename = models.CharField("nama berkas", max_length=255)
    # SHA-256 of the rows as read (not of the bytes): the same list saved again is the same.
    digest = models.CharField("sidik isi", max_length=64)
    rows = models.PositiveIntegerField("jumlah baris")
    layout = models.CharField("tata letak kolom", max_length=100)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diimpor oleh"
    )
    imported_at = models.DateTimeField("diimpor", auto_now_add=True)

    objects = BillingQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-version"]
        verbose_name = "data peserta dari BPJS"
        verbose_name_plural = "data peserta dari BPJS"
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="bpjs_billing_version"),
            models.UniqueConstraint(fields=["month", "digest"], name="bpjs_billing_same_once"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="bpjs_billing_month_starts_on_day_one"
            ),
        ]

    def __str__(self):
        return f"Data BPJS {self.month:%m-%Y} versi {self.version}"


class BillingRowQuerySet(BillingQuerySet):
    def visible_to(self, user: User) -> Self:
        """Rows matched to a resident follow the resident's village; an unmatched row names no
        one the user's area holds, and is seen kabupaten-wide only."""
        matched = scoping.scope_by_village(self, user, "person__household__village")
        if user.is_authenticated and user.area_kind in ("regency", None):
            return matched | self.filter(person__isnull=True)
        return matched


class BillingRow(models.Model):
    """One participant on a BPJS list, as BPJS wrote it; `person` is the resident of that NIK
    when there is one, `faskes` the faskes of that BPJS code."""

    file = models.ForeignKey(BillingFile, models.PROTECT, related_name="lines")
    row_number = models.PositiveIntegerField("baris")
    card_number = models.CharField("No. Kartu JKN", max_length=CARD_DIGITS)
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField("nama", max_length=150)
    birth_date = models.DateField("tanggal lahir", null=True, blank=True)
    household_number = models.CharField("No. KK", max_length=16, blank=True)
    tmt = models.DateField("TMT")
    status = models.CharField("status di BPJS", max_length=12, choices=Status.choices)
    status_text = models.CharField("status seperti tertulis", max_length=50)
    faskes_code = models.CharField("kode faskes", max_length=20, blank=True)
    faskes_name = models.CharField("nama faskes", max_length=150, blank=True)
    segment = models.CharField("segmen", max_length=100, blank=True)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="penduduk"
    )
    faskes = models.ForeignKey(
        HealthFacility, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = BillingRowQuerySet.as_manager()

    class Meta:
        ordering = ["file", "row_number"]
        verbose_name = "baris data BPJS"
        verbose_name_plural = "baris data BPJS"
        constraints = [
            models.UniqueConstraint(fields=["file", "nik"], name="bpjs_billing_nik_once"),
            models.CheckConstraint(
                condition=Exact(Length("card_number"), CARD_DIGITS),
                name="bpjs_billing_card_13_digits",
            ),
        ]

    def __str__(self):
        return f"{self.card_number} {self.name}"
