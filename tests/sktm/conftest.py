import pytest

from sktm import services

# Scores: dependants 7 → 3, contract → 2, not brick → 2, earth floor → 3, 450 KWH → 3,
# income under UMK → 2: total 15. POOR_9 scores 9.
POOR_15 = {
    "applicant_name": "Sri Wahyuni",
    "nik": "3401015201850003",
    "kk_number": "3401010101100001",
    "birth_place": "Kulon Progo",
    "birth_date": None,
    "sex": "P",
    "dusun": "Kepek",
    "rt": "2",
    "rw": "1",
    "occupation": "Buruh tani",
    "phone": "081234567890",
    "dependants_count": 7,
    "ownership": 2,
    "wall": 2,
    "floor": 3,
    "lighting": 3,
    "monthly_income": 900000,
}
NOT_POOR_9 = {
    **POOR_15,
    "applicant_name": "Bambang",
    "nik": "3401011203800004",
    "sex": "L",
    "dependants_count": 3,
    "ownership": 1,
    "wall": 1,
    "floor": 2,
    "lighting": 2,
    "monthly_income": 1000000,
}


def post_data(data):
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.fixture
def submitted_form(operator_a):
    return services.sktm_form_submit(actor=operator_a, data=POOR_15)


@pytest.fixture
def acknowledged_form(submitted_form, lurah_a):
    return services.sktm_form_acknowledge(actor=lurah_a, form=submitted_form)


@pytest.fixture
def letter(acknowledged_form, lurah_a):
    return services.letter_issue(actor=lurah_a, form=acknowledged_form)
