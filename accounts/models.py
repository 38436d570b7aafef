from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.encryption import EncryptedCharField
from regions import terminology
from regions.models import Agency, District, Regency, Village


class Role(models.TextChoices):
    OPERATOR = "operator", "Operator desa/kalurahan"
    VILLAGE_HEAD = "village_head", "Lurah/Kepala Desa"
    DISTRICT_HEAD = "district_head", "Panewu/Camat"
    VERIFIER = "verifier", "Tim Verifikasi Dinas Sosial"
    DUKCAPIL = "dukcapil", "Dukcapil"
    AGENCY_STAFF = "agency_staff", "Staf perangkat daerah"
    LEADERSHIP = "leadership", "Sekda/Bupati"
    ADMIN = "admin", "Admin"


_VILLAGE_ROLES = [Role.OPERATOR, Role.VILLAGE_HEAD]
_REGENCY_ROLES = [Role.VERIFIER, Role.DUKCAPIL, Role.LEADERSHIP]

# The one area field each role needs; every other area field must stay empty.
_AREA_FIELD = {
    **dict.fromkeys(_VILLAGE_ROLES, "village"),
    Role.DISTRICT_HEAD: "district",
    **dict.fromkeys(_REGENCY_ROLES, "regency"),
    Role.AGENCY_STAFF: "agency",
    Role.ADMIN: None,
}
_AREA_FIELDS = ["village", "district", "regency", "agency"]


def _area_matches_role():
    """The CheckConstraint condition: the role's area is set and no other area is."""
    condition = Q()
    for role, field in _AREA_FIELD.items():
        condition |= Q(role=role, **{f"{other}__isnull": other != field for other in _AREA_FIELDS})
    return condition


class AccountManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField("peran", max_length=20, choices=Role.choices)
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="desa"
    )
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kecamatan"
    )
    regency = models.ForeignKey(
        Regency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kabupaten"
    )
    agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="perangkat daerah",
    )

    objects = AccountManager()

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"
        constraints = [
            models.CheckConstraint(
                condition=_area_matches_role(),
                name="user_area_matches_role",
                violation_error_message="Wilayah atau instansi pengguna tidak sesuai perannya.",
            )
        ]

    def clean(self):
        super().clean()
        required = _AREA_FIELD.get(self.role)
        errors = {}
        for field in _AREA_FIELDS:
            is_set = getattr(self, f"{field}_id") is not None
            label = self._meta.get_field(field).verbose_name
            if field == required and not is_set:
                errors[field] = f"Peran {self.get_role_display()} wajib memiliki {label}."
            elif field != required and is_set:
                errors[field] = f"Peran {self.get_role_display()} tidak memakai {label}."
        if errors:
            raise ValidationError(errors)

    @property
    def role_label(self):
        """The role in this kabupaten's own words (Lurah vs Kepala Desa, Panewu vs Camat)."""
        terms = terminology.current()
        own_words = {
            Role.OPERATOR: f"Operator {self.village.kind if self.village else terms.village}",
            Role.VILLAGE_HEAD: self.village.head_title if self.village else terms.village_head,
            Role.DISTRICT_HEAD: terms.district_head,
        }
        return own_words.get(self.role, self.get_role_display())

    @property
    def area_kind(self):
        """ "village", "district", "regency" or "agency": the kind of area the user works for;
        None for an admin, whose area is the whole deployment."""
        return _AREA_FIELD.get(self.role)

    @property
    def area(self):
        """The village, district, regency or agency the user works for; None for an admin."""
        return getattr(self, self.area_kind) if self.area_kind else None


class AuthenticatorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238), confirmed by a first code."""

    user = models.OneToOneField(
        User, models.CASCADE, related_name="authenticator", verbose_name="pengguna"
    )
    # Encrypted at rest (accounts/encryption.py): the table and its backups hold no usable secret.
    secret = EncryptedCharField("kunci rahasia")
    confirmed_at = models.DateTimeField("dikonfirmasi", auto_now_add=True)
    # The 30-second step of the last code accepted: a code is never accepted twice.
    last_step = models.BigIntegerField("langkah terakhir", default=0)
    # Wrong codes in a row, counted per account rather than per session: a fresh login would
    # otherwise give a guesser five more tries (docs/security.md, Two-step login).
    failures = models.PositiveSmallIntegerField("kode salah berturut-turut", default=0)
    locked_until = models.DateTimeField("dikunci sampai", null=True, blank=True)

    class Meta:
        verbose_name = "aplikasi autentikator"
        verbose_name_plural = "aplikasi autentikator"

    def __str__(self):
        return f"Autentikator {self.user}"


class RecoveryCode(models.Model):
    """A one-time code for a user who lost the authenticator; only its hash is kept."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="recovery_codes", verbose_name="pengguna"
    )
    code_hash = models.CharField("sidik kode (SHA-256)", max_length=64)
    used_at = models.DateTimeField("dipakai", null=True, blank=True)

    class Meta:
        verbose_name = "kode pemulihan"
        verbose_name_plural = "kode pemulihan"
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self):
        return f"Kode pemulihan {self.user}"
