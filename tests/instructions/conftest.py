"""Karanganyar personas for the Instruksi: two kecamatan, villages in each, agencies and the
Sekda. Attachments go to a temporary MEDIA_ROOT."""

import pytest

from accounts.models import Role
from instructions import services
from instructions.models import Instruction
from tests.builders import JATIPURO, JATIPURWO, JATISAWIT, JATIYOSO, KARANGANYAR, NGEPUNGSARI, Q1
from tests.factories import UserFactory, agency, district, regency, village


@pytest.fixture(autouse=True)
def karanganyar(settings, tmp_path):
    settings.REGION_PROFILE = "karanganyar"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def instruction(db):
    return Instruction.objects.get(regency__code=KARANGANYAR, number="440/3 Tahun 2022")


def user(username, role, **area):
    return UserFactory(username=username, role=role, **area)


@pytest.fixture
def dinsos(db):
    return user("dinsos_k", Role.AGENCY_STAFF, agency=agency("Dinsos"))


@pytest.fixture
def bkd(db):
    return user("bkd_k", Role.AGENCY_STAFF, agency=agency("BKD"))


@pytest.fixture
def camat(db):
    return user("camat_jatipuro", Role.DISTRICT_HEAD, district=district(JATIPURO))


@pytest.fixture
def camat_other(db):
    return user("camat_jatiyoso", Role.DISTRICT_HEAD, district=district(JATIYOSO))


@pytest.fixture
def kades(db):
    return user("kades_ngepungsari", Role.VILLAGE_HEAD, village=village(NGEPUNGSARI))


@pytest.fixture
def operator_desa(db):
    return user("operator_ngepungsari", Role.OPERATOR, village=village(NGEPUNGSARI))


@pytest.fixture
def kades_same_district(db):
    return user("kades_jatipurwo", Role.VILLAGE_HEAD, village=village(JATIPURWO))


@pytest.fixture
def kades_other(db):
    return user("kades_jatisawit", Role.VILLAGE_HEAD, village=village(JATISAWIT))


@pytest.fixture
def sekda(db):
    return user("sekda_k", Role.LEADERSHIP, regency=regency(KARANGANYAR))


@pytest.fixture
def village_report(kades, instruction):
    return services.report_open(actor=kades, instruction=instruction, period_start=Q1)


@pytest.fixture
def agency_report(dinsos, instruction):
    return services.report_open(actor=dinsos, instruction=instruction, period_start=Q1)
