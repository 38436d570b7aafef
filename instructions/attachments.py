"""Checking uploaded evidence: PDF, JPEG or PNG, by content as well as by name, and small."""

from pathlib import PurePath

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
# The file's first bytes decide its type; the name's extension must agree.
_TYPES = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
]
ACCEPT = ".pdf,.jpg,.jpeg,.png"


def checked_type(upload):
    """The content type of an upload, or ValidationError with a message in Bahasa Indonesia."""
    name = upload.name
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"Lampiran '{name}' lebih dari {MAX_BYTES // (1024 * 1024)} MB; perkecil dahulu."
        )
    if upload.size == 0:
        raise ValidationError(f"Lampiran '{name}' kosong.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    suffix = PurePath(name).suffix.lower()
    for magic, content_type, suffixes in _TYPES:
        if head.startswith(magic) and suffix in suffixes:
            return content_type
    raise ValidationError(
        f"Lampiran '{name}' ditolak: hanya PDF, JPEG atau PNG yang diterima "
        "(isi berkas harus sesuai jenisnya)."
    )
