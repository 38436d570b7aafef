"""What a name, a place, an occupation or a note may hold: text a spreadsheet and a page show
as typed. A leading =, +, - or @ would run as a formula when a roster or Lampiran D is opened
in a spreadsheet; markup has no place in a name. Control characters (a terminal's `\\x1b[31m`)
and bidirectional overrides (U+202E shows "fdp.exe" as "exe.pdf") have no place in any text:
they make what is stored differ from what a reader sees."""

import re

from django.core.exceptions import ValidationError

_FORMULA_STARTS = ("=", "+", "-", "@")
# Unicode's explicit embeddings, overrides and isolates (UAX #9, 2.1-2.4).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# A note may run over several lines.
_LINE_BREAKS = set("\t\n\r")
FREE_TEXT_MAX = 2000


def _is_control(char: str) -> bool:
    """C0, DEL and C1 control characters, and the bidirectional controls."""
    code = ord(char)
    return code < 32 or 0x7F <= code <= 0x9F or char in _BIDI_CONTROLS


# What plain text may not hold, in one expression: an import checks every name and ID with it.
_NOT_PLAIN = re.compile(r"[<>{}\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_plain_text(value: str) -> bool:
    return not (value.lstrip().startswith(_FORMULA_STARTS) or _NOT_PLAIN.search(value))


def validate_plain_text(value):
    if not is_plain_text(value):
        raise ValidationError(
            "Hanya teks biasa: tidak diawali =, +, - atau @, tanpa tanda < > { } \\ dan "
            "tanpa karakter kontrol.",
            code="not_plain_text",
        )


def validate_no_controls(value):
    """Free text may run over several lines; control and bidirectional characters are refused."""
    if any(_is_control(char) and char not in _LINE_BREAKS for char in value):
        raise ValidationError(
            "Teks berisi karakter kontrol atau penanda arah teks (mis. U+202E); "
            "hapus karakter tersebut.",
            code="control_character",
        )


def validate_free_text(value):
    """A note or a reason given to a service: refused, never cut, when longer than
    FREE_TEXT_MAX characters or holding control characters."""
    if len(value) > FREE_TEXT_MAX:
        raise ValidationError(
            f"Paling banyak {FREE_TEXT_MAX} karakter (sekarang {len(value)}): teks tidak dipotong.",
            code="too_long",
        )
    validate_no_controls(value)
