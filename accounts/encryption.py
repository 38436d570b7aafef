"""Secrets stored encrypted at rest: a stolen backup or a template that reaches a model does not
give away what they guard (issue 14, finding 5; docs/security.md, "Secrets at rest").

Fernet (AES-128-CBC with an HMAC-SHA256) with the keys of settings.FIELD_ENCRYPTION_KEYS: the
first encrypts, every one decrypts, so a key is rotated by putting a new one first and running
`manage.py rotate_field_key`, which re-encrypts every stored value with it.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# What a stored value begins with: a Fernet token is base64 of version byte 0x80.
TOKEN_PREFIX = "gAAAAA"


def keyring():
    try:
        return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "PBIPEMDA_FIELD_KEY harus berisi kunci Fernet (32 bita, base64 url-safe), "
            'dipisah koma; buat dengan: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from error


def encrypt(text):
    return keyring().encrypt(text.encode()).decode()


def decrypt(token):
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "Kunci rahasia tersimpan tidak dapat dibuka dengan PBIPEMDA_FIELD_KEY: kunci lama "
            "harus tetap ada di daftar sampai `manage.py rotate_field_key` selesai."
        ) from error


class EncryptedCharField(models.TextField):
    """Text that Python code reads in clear and the database holds only encrypted. A value
    cannot be looked up (each encryption differs), only read and written."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
