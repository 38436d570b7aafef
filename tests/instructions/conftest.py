"""Karanganyar personas for the Instruksi: two kecamatan, villages in each, agencies and the
Sekda. Attachments go to a temporary MEDIA_ROOT."""

import datetime

import pytest

from accounts.models import Role
from instructions import services
from instructions.models import Instruction
from tests.factories import UserFactory, agency, district, regency, village

KARANGANYAR = "33.13"
JATIPURO = "33.13.01"
JATIYOSO = "33.13.02"
NGEPUNGSARI = "33.13.01.2001"  # Desa Ngepungsari, Kecamatan Jatipuro
JATIPURWO = "33.13.01.2002"  # also Jatipuro
JATISAWIT = "33.13.02.2001"  # Kecamatan Jatiyoso
Q1 = datetime.date(2026, 1, 1)
Q2 = datetime.date(2026, 4, 1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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


def line_input(report, **values):
    """What the edit form would pass to report_update: every line unchanged but `values`."""
    return {
        line.pk: {
            "status": line.status,
            "narrative": line.narrative,
            "figure": line.figure,
            "figure_unit": line.figure_unit,
            "upload": None,
            **values,
        }
        for line in report.lines.all()
    }
