"""Lampiran B of Perbup Kulon Progo 10/2022: indicators, scores and the passing grade.

Pure functions: answers in, score and category out. Each answer is the option's number, which
is also its score.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Indicator:
    field: str
    number: int
    label: str
    options: tuple  # (score, label) pairs, in the regulation's order


INDICATORS = (
    Indicator(
        "dependants",
        1,
        "Jumlah jiwa yang menjadi tanggungan Kepala Keluarga",
        ((1, "≤3 orang"), (2, "4-6 orang"), (3, "≥7 orang")),
    ),
    Indicator(
        "ownership",
        2,
        "Status kepemilikan bangunan",
        ((1, "Milik sendiri"), (2, "Kontrak/belum memiliki rumah")),
    ),
    Indicator("wall", 3, "Sebagian besar dinding (>50%)", ((1, "Tembok"), (2, "Bukan tembok"))),
    Indicator(
        "floor",
        4,
        "Sebagian besar lantai rumah (>50%)",
        ((1, "Keramik"), (2, "Semen"), (3, "Tanah")),
    ),
    Indicator(
        "lighting",
        5,
        "Sumber Penerangan",
        ((1, "≥1300 KWH"), (2, "900 KWH"), (3, "450 KWH")),
    ),
    Indicator("income", 6, "Pendapatan perbulan", ((1, ">UMK"), (2, "< UMK"))),
)
INDICATOR_FIELDS = tuple(indicator.field for indicator in INDICATORS)

# Lampiran B, KETERANGAN: the passing grade.
THRESHOLD = 10
POOR = "TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU"
NOT_POOR = "TIDAK TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU"


def total_score(answers):
    """The sum of the six answers; raises ValueError for a missing or unknown option."""
    total = 0
    for indicator in INDICATORS:
        answer = answers.get(indicator.field)
        if answer not in {score for score, _ in indicator.options}:
            raise ValueError(f"Indikator {indicator.number} ({indicator.label}) belum dipilih.")
        total += answer
    return total


def is_poor(total):
    return total >= THRESHOLD


def category(total):
    return POOR if is_poor(total) else NOT_POOR


def dependants_option(count):
    """Indicator 1 from the number of dependants: ≤3, 4-6, ≥7."""
    if count <= 3:
        return 1
    return 2 if count <= 6 else 3


def income_option(monthly_income, minimum_wage):
    """Indicator 6: above the UMK scores 1; at or below it scores 2 (equal is not above)."""
    return 1 if Decimal(monthly_income) > Decimal(minimum_wage) else 2
