import datetime
import secrets
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import scoping
from accounts.models import User
from people.models import Person
from regions.models import Village
from sktm import scoring


class FormStatus(models.TextChoices):
    SUBMITTED = "submitted", "Menunggu diketahui"
    RETURNED = "returned", "Dikembalikan"
    ACKNOWLEDGED = "acknowledged", "Diketahui, menunggu surat"
    INELIGIBLE = "ineligible", "Tidak memenuhi"
    ISSUED = "issued", "SKTM terbit"


_OPEN_STATUSES = [FormStatus.SUBMITTED, FormStatus.RETURNED, FormStatus.ACKNOWLEDGED]


def _option_field(indicator):
    return models.PositiveSmallIntegerField(
        f"{indicator.number}. {indicator.label}",
        choices=[(score, f"{score}. {label}") for score, label in indicator.options],
    )


INDICATOR = {indicator.field: indicator for indicator in scoring.INDICATORS}


class VerificationFormQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")

    def open(self) -> Self:
        return self.filter(status__in=_OPEN_STATUSES)

    def held(self) -> Self:
        """Forms whose applicant waits for the Tim Verifikasi (`person` is None): those the
        village is working on or whose letter stands; a returned form or a revoked letter
        has had its answer."""
        return self.filter(person__isnull=True).filter(
            Q(status__in=[FormStatus.SUBMITTED, FormStatus.ACKNOWLEDGED])
            | Q(status=FormStatus.ISSUED, letter__revoked_at__isnull=True)
        )


class VerificationForm(models.Model):
    """Lampiran A: Formulir Verifikasi Permohonan Surat Keterangan Tidak Mampu."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    # None while the form's NIK or No. KK is recorded in another village: the Tim Verifikasi
    # decides who the applicant is, and the village sees the form as it would a new resident's
    # (issue 14, finding 3).
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sktm_forms",
        verbose_name="penduduk",
    )
    # What the form holds of the applicant beyond its own fields while `person` is None
    # (birth place, birth date, sex), as submitted; never shown to the village.
    held_identity = models.JSONField("identitas menunggu Tim Verifikasi", null=True, blank=True)
    # The applicant as declared on the form: the printed Lampiran A keeps these even if the
    # person's record changes later.
    applicant_name = models.CharField("nama pemohon", max_length=150)
    nik = models.CharField("NIK", max_length=16)
    kk_number = models.CharField("No. KK", max_length=16)
    dusun = models.CharField("dusun", max_length=100)
    rt = models.CharField("RT", max_length=3)
    rw = models.CharField("RW", max_length=3)
    occupation = models.CharField("pekerjaan", max_length=100)
    phone = models.CharField("No. Hp", max_length=20, blank=True)

    dependants_count = models.PositiveSmallIntegerField("jumlah tanggungan (jiwa)")
    dependants = _option_field(INDICATOR["dependants"])
    ownership = _option_field(INDICATOR["ownership"])
    wall = _option_field(INDICATOR["wall"])
    floor = _option_field(INDICATOR["floor"])
    lighting = _option_field(INDICATOR["lighting"])
    monthly_income = models.DecimalField(
        "pendapatan per bulan (Rp)", max_digits=12, decimal_places=0
    )
    minimum_wage = models.DecimalField("UMK pembanding (Rp)", max_digits=12, decimal_places=2)
    income = _option_field(INDICATOR["income"])
    total_score = models.PositiveSmallIntegerField(
        "jumlah skor", validators=[MinValueValidator(6), MaxValueValidator(15)]
    )

    status = models.CharField(
        "status", max_length=20, choices=FormStatus.choices, default=FormStatus.SUBMITTED
    )
    return_note = models.TextField("catatan pengembalian", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="dibuat oleh"
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    updated_at = models.DateTimeField("diubah", auto_now=True)

    objects = VerificationFormQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "formulir verifikasi SKTM"
        verbose_name_plural = "formulir verifikasi SKTM"
        constraints = [
            models.CheckConstraint(
                condition=Q(total_score__gte=6, total_score__lte=15), name="sktm_score_range"
            ),
            # Lampiran B: only a total of 10 or more can yield a letter.
            models.CheckConstraint(
                condition=~Q(status__in=[FormStatus.ACKNOWLEDGED, FormStatus.ISSUED])
                | Q(total_score__gte=scoring.THRESHOLD),
                name="sktm_letter_needs_passing_score",
            ),
            # One application at a time: parallel submissions cannot open a second form.
            models.UniqueConstraint(
                fields=["village", "nik"],
                condition=Q(status__in=_OPEN_STATUSES),
                name="sktm_one_open_form_per_nik_and_village",
                violation_error_message="Pemohon dengan NIK ini masih memiliki formulir yang "
                "sedang diproses.",
            ),
        ]

    def __str__(self):
        return f"Formulir SKTM {self.applicant_name} ({self.created_at:%d-%m-%Y})"

    @property
    def is_poor(self):
        return scoring.is_poor(self.total_score)

    @property
    def category(self):
        return scoring.category(self.total_score)

    def answers(self):
        """(indicator, chosen score) pairs in the regulation's order."""
        return [(indicator, getattr(self, indicator.field)) for indicator in scoring.INDICATORS]

    @property
    def applicant(self) -> Person:
        """The applicant's record, or while it is held, an unsaved one made of what the
        form says: the village's pages and letters print the same either way."""
        if self.person is not None:
            return self.person
        held = self.held_identity or {}
        birth_date = held.get("birth_date")
        return Person(
            nik=self.nik,
            name=self.applicant_name,
            occupation=self.occupation,
            phone=self.phone,
            birth_place=held.get("birth_place", ""),
            birth_date=datetime.date.fromisoformat(birth_date) if birth_date else None,
            sex=held.get("sex", ""),
        )


class FormEvent(models.Model):
    """One status change of a form: who, when, from, to, note."""

    form = models.ForeignKey(
        VerificationForm, models.CASCADE, related_name="events", verbose_name="formulir"
    )
    from_status = models.CharField("dari", max_length=20, choices=FormStatus.choices, blank=True)
    to_status = models.CharField("menjadi", max_length=20, choices=FormStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="oleh"
    )
    at = models.DateTimeField("waktu", default=timezone.now)
    note = models.TextField("catatan", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "riwayat formulir SKTM"
        verbose_name_plural = "riwayat formulir SKTM"

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        return scoping.scope_by_village(self, user, "village")

    def valid_on(self, date: datetime.date) -> Self:
        """Letters in force on a date: issued, not expired, not revoked. Proposals and the
        ledger use this one query to accept a letter."""
        return self.filter(revoked_at__isnull=True, issued_on__lte=date, valid_until__gte=date)

    def held_by(self, person: Person) -> Self:
        """The person's letters; for a resident not recorded yet (an applicant held for the
        Tim Verifikasi, an unsaved Person), the letters issued on forms with their NIK."""
        if person.pk is None:
            return self.filter(person__isnull=True, form__nik=person.nik)
        return self.filter(person=person)

    def in_force_for(self, person: Person, village: Village | int, date: datetime.date):
        """The letter a ground c.2 proposal of `person` rests on: the newest in force on `date`
        from `village`'s Lurah, or None."""
        return (
            self.valid_on(date)
            .held_by(person)
            .filter(village=village)
            .order_by("-issued_on")
            .first()
        )


class Letter(models.Model):
    """Lampiran C: the Surat Keterangan Tidak Mampu issued on a form with a passing score."""

    form = models.OneToOneField(
        VerificationForm, models.PROTECT, related_name="letter", verbose_name="formulir verifikasi"
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name="kalurahan/desa"
    )
    # None while its form's applicant is held for the Tim Verifikasi (VerificationForm.person).
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sktm_letters",
        verbose_name="penduduk",
    )
    year = models.PositiveSmallIntegerField("tahun")
    sequence = models.PositiveIntegerField("nomor urut")
    number = models.CharField("nomor surat", max_length=100, unique=True)
    issued_on = models.DateField("tanggal surat")
    valid_until = models.DateField("berlaku sampai")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="diterbitkan oleh"
    )
    issued_at = models.DateTimeField("diterbitkan", auto_now_add=True)
    # Frozen at issue: a later change of Lurah does not change a signed letter.
    signer_name = models.CharField("nama penandatangan", max_length=150)
    signer_title = models.CharField("jabatan penandatangan", max_length=150)
    # The public verification URL's key: random, so it cannot be guessed from the number.
    token = models.CharField(
        "token", max_length=64, unique=True, default=secrets.token_urlsafe, editable=False
    )
    revoked_at = models.DateTimeField("dicabut pada", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dicabut oleh",
    )
    revoke_reason = models.TextField("alasan pencabutan", blank=True)
    # The person's newest letter from this village; cleared when a newer one is issued, which
    # the issuer does only once this one is expired or revoked. One current letter per person
    # and village (a constraint) therefore means at most one valid letter, even when two
    # issuers race (issue 14, finding 4).
    is_current = models.BooleanField("surat terbaru", default=True, editable=False)
    # The PDF as first rendered, kept in storage: a letter's content is frozen at issue, and
    # serving stored bytes costs no rendering (issue 16, section 7).
    pdf_file = models.FileField("berkas PDF", upload_to="sktm/", blank=True, editable=False)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = "SKTM"
        verbose_name_plural = "SKTM"
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "sequence"], name="sktm_number_per_village_year"
            ),
            models.UniqueConstraint(
                fields=["person", "village"],
                condition=Q(is_current=True),
                name="sktm_one_current_letter_per_person_and_village",
                violation_error_message="Pemohon dengan NIK ini sudah memiliki SKTM yang masih "
                "berlaku.",
            ),
        ]

    def __str__(self):
        return self.number

    def status_on(self, date):
        if self.revoked_at:
            return "dicabut"
        return "kedaluwarsa" if date > self.valid_until else "berlaku"

    @property
    def status(self):
        return self.status_on(timezone.localdate())


class LetterSequence(models.Model):
    """The last number given in a village's year; locked while a letter is issued."""

    village = models.ForeignKey(
        Village, models.CASCADE, related_name="+", verbose_name="kalurahan/desa"
    )
    year = models.PositiveSmallIntegerField("tahun")
    last = models.PositiveIntegerField("nomor terakhir", default=0)

    class Meta:
        verbose_name = "nomor urut SKTM"
        verbose_name_plural = "nomor urut SKTM"
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="sktm_sequence_per_year")
        ]

    def __str__(self):
        return f"{self.village_id}/{self.year}: {self.last}"


class LetterTemplate(models.Model):
    """The letter's body as a Django template, editable by an admin; the newest one is used."""

    name = models.CharField("nama", max_length=100)
    body = models.TextField(
        "isi templat",
        help_text="HTML dengan variabel Django: letter, form, person, village, terms, members, "
        "qr_svg, verify_url.",
    )
    updated_at = models.DateTimeField("diubah", auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "templat SKTM"
        verbose_name_plural = "templat SKTM"

    def __str__(self):
        return self.name


class LetterCheck(models.Model):
    """One opening of a letter's public verification page."""

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="checks", verbose_name="SKTM")
    at = models.DateTimeField("waktu", default=timezone.now)
    ip_address = models.GenericIPAddressField("alamat IP", null=True, blank=True)
    user_agent = models.CharField("peramban", max_length=255, blank=True)

    class Meta:
        verbose_name = "pemeriksaan SKTM"
        verbose_name_plural = "pemeriksaan SKTM"

    def __str__(self):
        return f"{self.letter_id} @ {self.at:%Y-%m-%d %H:%M}"
