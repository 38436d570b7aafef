import itertools
from decimal import Decimal

import pytest

from sktm import scoring


def all_answers():
    options = [[score for score, _ in ind.options] for ind in scoring.INDICATORS]
    for combination in itertools.product(*options):
        yield dict(zip(scoring.INDICATOR_FIELDS, combination, strict=True))


def test_every_one_of_the_216_combinations_scores_its_sum_and_category():
    combinations = list(all_answers())
    assert len(combinations) == 216
    totals = set()
    for answers in combinations:
        total = scoring.total_score(answers)
        assert total == sum(answers.values())
        expected = scoring.POOR if total >= 10 else scoring.NOT_POOR
        assert scoring.category(total) == expected
        totals.add(total)
    assert min(totals) == 6 and max(totals) == 15


@pytest.mark.parametrize(
    ("total", "is_poor", "category"),
    [
        (9, False, "TIDAK TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU"),
        (10, True, "TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU"),
    ],
)
def test_the_passing_grade_is_ten(total, is_poor, category):
    assert scoring.is_poor(total) is is_poor
    assert scoring.category(total) == category


def test_labels_are_the_regulations():
    assert [ind.label for ind in scoring.INDICATORS] == [
        "Jumlah jiwa yang menjadi tanggungan Kepala Keluarga",
        "Status kepemilikan bangunan",
        "Sebagian besar dinding (>50%)",
        "Sebagian besar lantai rumah (>50%)",
        "Sumber Penerangan",
        "Pendapatan perbulan",
    ]


@pytest.mark.parametrize(("count", "option"), [(0, 1), (3, 1), (4, 2), (6, 2), (7, 3), (12, 3)])
def test_dependants_count_picks_the_option(count, option):
    assert scoring.dependants_option(count) == option


@pytest.mark.parametrize(
    ("income", "option"),
    [("2504521", 1), ("2504520", 2), ("2504519", 2), ("0", 2), ("5000000", 1)],
)
def test_income_equal_to_the_umk_is_not_above_it(income, option):
    assert scoring.income_option(Decimal(income), Decimal("2504520")) == option


def test_a_missing_or_unknown_answer_is_refused():
    answers = dict(next(all_answers()))
    answers["floor"] = 4
    with pytest.raises(ValueError, match="Indikator 4"):
        scoring.total_score(answers)
    del answers["floor"]
    with pytest.raises(ValueError):
        scoring.total_score(answers)
