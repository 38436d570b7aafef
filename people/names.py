"""What a name, a place or an occupation may hold: plain text a spreadsheet and a page show
as typed. A leading =, +, - or @ would run as a formula when a roster or Lampiran D is opened
in a spreadsheet; markup and control characters have no place in a name."""

from django.core.exceptions import ValidationError

_FORMULA_STARTS = ("=", "+", "-", "@")
_FORBIDDEN = set("<>{}\\")


def is_plain_text(value: str) -> bool:
    return not (
        value.lstrip().startswith(_FORMULA_STARTS)
        or any(char in _FORBIDDEN or ord(char) < 32 for char in value)
    )


def validate_plain_text(value):
    if not is_plain_text(value):
        raise ValidationError(
            "Hanya teks biasa: tidak diawali =, +, - atau @ dan tanpa tanda < > { } \\.",
            code="not_plain_text",
        )
