from django.conf import settings
from django.db import models

import audit


class Action(models.TextChoices):
    VIEW = audit.VIEW, "Melihat data lengkap"
    EXPORT = audit.EXPORT, "Mengunduh/ekspor"
    LOCKOUT = audit.LOCKOUT, "Langkah kedua dikunci"
    UNLOCK = audit.UNLOCK, "Kunci langkah kedua dibuka"


class AccessLog(models.Model):
    """One view of a person's full record, or one export: who, when, what, how many rows."""

    at = models.DateTimeField("waktu", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name="pengguna",
    )
    role = models.CharField("peran", max_length=20)
    action = models.CharField("tindakan", max_length=10, choices=Action.choices)
    what = models.CharField("data", max_length=255)
    object_type = models.CharField("jenis objek", max_length=100, blank=True)
    object_id = models.CharField("ID objek", max_length=64, blank=True)
    rows = models.PositiveIntegerField("jumlah baris", null=True, blank=True)
    path = models.CharField("alamat", max_length=500)
    ip_address = models.GenericIPAddressField("alamat IP", null=True, blank=True)

    class Meta:
        verbose_name = "log akses"
        verbose_name_plural = "log akses"
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.what}"
