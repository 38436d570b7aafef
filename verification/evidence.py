"""How a ledger entry's or a proposed person's evidence reads to a person: each key the services
record under its Indonesian label, each value as a letter writes it (ya/tidak, 23 November 2026,
the segment's name). One table for the Usulan, the validation queue, Lampiran D and the person's
page, so the same fact reads the same everywhere (issue 15 §6)."""

import datetime
import re
from collections.abc import Iterator

from enrollment.models import Ground, Segment
from regions.months import MONTH_NAMES, long_date

# Every key the services write, in the order a reader expects them.
LABELS = {
    "birth_certificate": "No. akta kelahiran",
    "birth_date": "Tanggal lahir",
    "has_other_cover": "Memiliki jaminan kesehatan lain",
    "domicile_document": "Bukti domisili",
    "source": "Sumber data",
    "dtks_id": "ID DTKS/DTSEN",
    "desil": "Desil",
    "data_period": "Periode data",
    "checked_on": "Tanggal dicek",
    "death_date": "Tanggal meninggal",
    "death_certificate": "No. akta kematian",
    "segment": "Pindah ke segmen",
    "since": "Sejak",
    "destination": "Daerah tujuan",
    "moved_on": "Tanggal pindah",
    # A removal proposed from the BPJS reconciliation (bpjs/reconciliation.py).
    "bpjs_file": "Data BPJS",
    "bpjs_month": "Bulan tagihan BPJS",
    "card_number": "No. Kartu JKN",
    "bpjs_segment": "Segmen menurut BPJS",
    "bpjs_reason": "Temuan rekonsiliasi",
}
# Kept for the record, not shown: the imported DTKS/DTSEN row's number, which says nothing to a
# reader beside the source and ID it was taken from.
HIDDEN = {"registry_record"}
DATES = {"birth_date", "checked_on", "death_date", "since", "moved_on"}
# A key recorded before this table knew it still shows its value, under a plain word.
UNKNOWN_LABEL = "Keterangan lain"

_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-\d{2})?")


def _as_long_date(value: object) -> object:
    try:
        return long_date(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return value


def _as_period(value: object) -> object:
    """A data period written as 2026-11 (or a date in it) reads November 2026; a period
    written otherwise (2025-Q4, 2026) reads as written."""
    match = _YEAR_MONTH.fullmatch(str(value))
    if match and 1 <= int(match[2]) <= 12:
        return f"{MONTH_NAMES[int(match[2]) - 1]} {match[1]}"
    return value


def value_text(key: str, value: object) -> object:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if key in DATES:
        return _as_long_date(value)
    if key in ("data_period", "bpjs_month"):
        return _as_period(value)
    if key == "segment":
        return dict(Segment.choices).get(value, value)
    return value


def evidence_items(evidence: dict | None) -> Iterator[tuple[str, object]]:
    """The evidence as (label, value) pairs, in Indonesian, known keys in the table's order."""
    evidence = evidence or {}
    for key in LABELS:
        if key in evidence:
            yield LABELS[key], value_text(key, evidence[key])
    for key, value in evidence.items():
        if key not in LABELS and key not in HIDDEN:
            yield UNKNOWN_LABEL, value


def ground_heading(ground: str) -> str:
    """The heading over a ground's evidence fields: "Bukti untuk ayat (4) c.2: memiliki SKTM
    dari Lurah setempat", not the ground's code."""
    label = str(Ground(ground).label)
    return f"Bukti untuk {label[0].lower()}{label[1:]}"
