import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from regions.models import (
    Agency,
    District,
    HealthFacility,
    MinimumWage,
    PremiumRate,
    Regency,
    Village,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name", "districts", "villages"),
    [
        ("34.01", "Kabupaten Kulon Progo", 12, 88),
        ("33.13", "Kabupaten Karanganyar", 17, 177),
    ],
)
def test_shipped_regions_have_every_district_and_village(code, name, districts, villages):
    regency = Regency.objects.get(code=code)
    assert regency.name == name
    assert District.objects.filter(regency=regency).count() == districts
    assert Village.objects.filter(district__regency=regency).count() == villages


def test_village_kind_follows_the_code_and_the_kabupaten_terms(settings):
    wates = Village.objects.get(name="Wates", district__code="34.01.02")
    jangkaran = Village.objects.get(code="34.01.01.2001")
    assert (wates.is_kelurahan, wates.kind) == (True, "Kelurahan")
    assert (jangkaran.kind, jangkaran.head_title) == ("Kalurahan", "Lurah")
    assert str(jangkaran.district) == "Kapanewon Temon"
    settings.REGION_PROFILE = "karanganyar"
    desa = Village.objects.get(code="33.13.01.2001")
    assert (desa.kind, desa.head_title, str(desa.district)) == (
        "Desa",
        "Kepala Desa",
        "Kecamatan Jatipuro",
    )


def test_faskes_umk_premium_and_agencies_are_loaded():
    assert HealthFacility.objects.filter(district__regency__code="34.01").count() == 21
    assert HealthFacility.objects.filter(district__regency__code="33.13").count() == 21
    # BPJS provider codes are unknown until an admin fills them.
    assert not HealthFacility.objects.exclude(bpjs_code="").exists()
    assert MinimumWage.objects.get(regency__code="34.01", year=2026).amount == Decimal("2504520")
    assert MinimumWage.objects.count() == 10
    assert Agency.objects.filter(short_name__in=["Dinsos", "BKD"]).count() == 2


def test_premium_in_force_is_the_latest_period_started_on_the_date():
    PremiumRate.objects.create(valid_from=datetime.date(2027, 1, 1), amount=Decimal("45000"))
    assert PremiumRate.objects.in_force(datetime.date(2020, 12, 31)) is None
    assert PremiumRate.objects.in_force(datetime.date(2021, 1, 1)).amount == 42000
    assert PremiumRate.objects.in_force(datetime.date(2026, 12, 31)).amount == 42000
    assert PremiumRate.objects.in_force(datetime.date(2027, 1, 1)).amount == 45000


def test_reloading_reference_data_keeps_what_an_admin_edited():
    facility = HealthFacility.objects.get(name="Puskesmas Wates")
    facility.bpjs_code = "0123R001"
    facility.save()
    wage = MinimumWage.objects.get(regency__code="34.01", year=2025)
    wage.amount = Decimal("2351240")
    wage.save()

    call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())

    assert HealthFacility.objects.get(pk=facility.pk).bpjs_code == "0123R001"
    assert MinimumWage.objects.get(pk=wage.pk).amount == Decimal("2351240")
    assert Village.objects.count() == 88 + 177
    assert HealthFacility.objects.count() == 42
