import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from PIL import Image

from regions import terminology

# Kemendagri codes, the scheme NIK prefixes follow: 34.01 / 34.01.01 / 34.01.01.2001.
REGENCY_CODE = re.compile(r"\d{2}\.\d{2}")
DISTRICT_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
VILLAGE_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def _code_validator(pattern, example):
    return RegexValidator(f"^{pattern.pattern}$", f"Kode harus berbentuk {example}.")


class Regency(models.Model):
    code = models.CharField(
        "kode", max_length=5, unique=True, validators=[_code_validator(REGENCY_CODE, "34.01")]
    )
    name = models.CharField("nama", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "kabupaten"
        verbose_name_plural = "kabupaten"

    def __str__(self):
        return self.name


class District(models.Model):
    regency = models.ForeignKey(
        Regency, models.PROTECT, related_name="districts", verbose_name="kabupaten"
    )
    code = models.CharField(
        "kode",
        max_length=8,
        unique=True,
        validators=[_code_validator(DISTRICT_CODE, "34.01.01")],
    )
    name = models.CharField("nama", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "kapanewon/kecamatan"
        verbose_name_plural = "kapanewon/kecamatan"

    def __str__(self):
        return f"{terminology.current().district} {self.name}"


# A logo is printed on every letter and stored inside each PDF: small, and a real image.
LOGO_MAX_BYTES = 512 * 1024
LOGO_FORMATS = {"PNG", "JPEG"}


def validate_logo(file):
    """A PNG or JPEG of at most LOGO_MAX_BYTES, judged by its content, not by its name."""
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            f"Logo paling besar {LOGO_MAX_BYTES // 1024} KB; berkas ini {file.size // 1024} KB."
        )
    file.seek(0)
    try:
        with Image.open(file, formats=sorted(LOGO_FORMATS)) as image:
            image.verify()
        is_image = True
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        is_image = False
    finally:
        file.seek(0)
    if not is_image:
        raise ValidationError("Logo harus berupa gambar PNG atau JPEG.")


class Village(models.Model):
    district = models.ForeignKey(
        District, models.PROTECT, related_name="villages", verbose_name="kapanewon/kecamatan"
    )
    code = models.CharField(
        "kode",
        max_length=13,
        unique=True,
        validators=[_code_validator(VILLAGE_CODE, "34.01.01.2001")],
    )
    name = models.CharField("nama", max_length=100)
    # Printed on the letterhead of the village's letters (SKTM).
    address = models.CharField("alamat kantor", max_length=255, blank=True)
    logo = models.FileField(
        "logo",
        upload_to="regions/logo/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"]), validate_logo],
        help_text="PNG atau JPEG, paling besar 512 KB; dicetak di kop SKTM.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "kalurahan/desa"
        verbose_name_plural = "kalurahan/desa"

    def __str__(self):
        return f"{self.kind} {self.name}"

    @property
    def is_kelurahan(self):
        # The 4th segment of a village code: 1xxx is a kelurahan, 2xxx a desa/kalurahan.
        return self.code.rsplit(".", 1)[1].startswith("1")

    @property
    def kind(self):
        terms = terminology.current()
        return terms.kelurahan if self.is_kelurahan else terms.village

    @property
    def head_title(self):
        terms = terminology.current()
        return terms.kelurahan_head if self.is_kelurahan else terms.village_head


class HealthFacility(models.Model):
    """A primary health facility (faskes) where participants are registered."""

    district = models.ForeignKey(
        District, models.PROTECT, related_name="health_facilities", verbose_name="kapanewon"
    )
    name = models.CharField("nama", max_length=150)
    # Filled by an admin from BPJS Kesehatan's own list; never guessed.
    bpjs_code = models.CharField("kode faskes BPJS", max_length=20, blank=True)
    address = models.CharField("alamat", max_length=255, blank=True)
    source_note = models.CharField("catatan sumber data", max_length=255, blank=True)
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["district__code", "name"]
        verbose_name = "faskes"
        verbose_name_plural = "faskes"
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="faskes_unique_name"),
            models.UniqueConstraint(
                fields=["bpjs_code"], condition=~Q(bpjs_code=""), name="faskes_unique_bpjs_code"
            ),
        ]

    def __str__(self):
        return self.name


class MinimumWage(models.Model):
    """UMK: the kabupaten's minimum monthly wage for a year (Lampiran A, indikator penghasilan)."""

    regency = models.ForeignKey(Regency, models.PROTECT, verbose_name="kabupaten")
    year = models.PositiveSmallIntegerField("tahun", validators=[MinValueValidator(2000)])
    amount = models.DecimalField(
        "UMK (Rp)", max_digits=12, decimal_places=2, validators=[MinValueValidator(1)]
    )
    basis = models.CharField("dasar penetapan", max_length=255, blank=True)
    source = models.CharField("sumber", max_length=255, blank=True)
    note = models.CharField("catatan", max_length=255, blank=True)

    class Meta:
        ordering = ["regency__code", "-year"]
        verbose_name = "UMK"
        verbose_name_plural = "UMK"
        constraints = [
            models.UniqueConstraint(fields=["regency", "year"], name="umk_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="umk_positive"),
        ]

    def __str__(self):
        return f"UMK {self.regency} {self.year}"


class PremiumRateQuerySet(models.QuerySet):
    def in_force(self, on_date: datetime.date) -> "PremiumRate | None":
        """The rate valid on a date: the latest one starting on or before it, or None."""
        return self.filter(valid_from__lte=on_date).order_by("-valid_from").first()


class PremiumRate(models.Model):
    """The monthly JKN premium per person (PBPU/BP kelas III) the kabupaten pays from a date."""

    valid_from = models.DateField("berlaku mulai", unique=True)
    amount = models.DecimalField(
        "iuran per orang per bulan (Rp)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(1)],
    )
    basis = models.CharField("dasar hukum", max_length=255, blank=True)

    objects = PremiumRateQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "tarif iuran JKN"
        verbose_name_plural = "tarif iuran JKN"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="premium_positive")]

    def __str__(self):
        return f"Rp {self.amount:,.0f} sejak {self.valid_from:%d-%m-%Y}"


class DesilThresholdQuerySet(models.QuerySet):
    def in_force(self, on_date: datetime.date) -> "DesilThreshold | None":
        """The threshold valid on a date: the latest one starting on or before it, or None."""
        return self.filter(valid_from__lte=on_date).order_by("-valid_from").first()


class DesilThreshold(models.Model):
    """The highest DTSEN welfare decile the kabupaten counts as poor from a date: listed
    households at or below it are proposed (Instruksi KELIMA c and e), participants whose
    household rises above it are re-verified at once (Permensos 3/2026: PBI follows DTSEN)."""

    valid_from = models.DateField("berlaku mulai", unique=True)
    desil = models.PositiveSmallIntegerField(
        "desil tertinggi", validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    basis = models.CharField("dasar penetapan", max_length=255, blank=True)

    objects = DesilThresholdQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "ambang desil DTSEN"
        verbose_name_plural = "ambang desil DTSEN"
        constraints = [
            models.CheckConstraint(
                condition=Q(desil__gte=1, desil__lte=10), name="desil_threshold_1_to_10"
            )
        ]

    def __str__(self):
        return f"Desil ≤ {self.desil} sejak {self.valid_from:%d-%m-%Y}"


class Agency(models.Model):
    """A Perangkat Daerah (agency) of the kabupaten, e.g. Dinas Sosial."""

    name = models.CharField("nama", max_length=150, unique=True)
    short_name = models.CharField("singkatan", max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "perangkat daerah"
        verbose_name_plural = "perangkat daerah"

    def __str__(self):
        return self.name
