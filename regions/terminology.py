"""The words each kabupaten uses for its own government, in one place.

Kulon Progo (DIY) says Kapanewon/Panewu and Kalurahan/Lurah; Karanganyar (Jawa Tengah) says
Kecamatan/Camat and Desa/Kepala Desa. Templates read these through the `terms` context
variable; code reads them through `current()`.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Terms:
    regency_code: str
    regency: str  # "Kabupaten Kulon Progo"
    capital: str  # the seat of government, the place named on letters
    district: str  # Kapanewon / Kecamatan
    district_head: str  # Panewu / Camat
    village: str  # Kalurahan / Desa (village code 2xxx)
    village_head: str  # Lurah / Kepala Desa
    kelurahan: str  # Kelurahan (village code 1xxx)
    kelurahan_head: str
    social_agency: str  # the Dinas Sosial's full name in this kabupaten

    @property
    def village_or_kelurahan(self):
        """Header used by Lampiran D and lists that mix both kinds of village."""
        return f"{self.village}/{self.kelurahan}"


PROFILES = {
    "kulonprogo": Terms(
        regency_code="34.01",
        regency="Kabupaten Kulon Progo",
        capital="Wates",
        district="Kapanewon",
        district_head="Panewu",
        village="Kalurahan",
        village_head="Lurah",
        kelurahan="Kelurahan",
        kelurahan_head="Lurah",
        social_agency="Dinas Sosial Pemberdayaan Perempuan dan Perlindungan Anak",
    ),
    "karanganyar": Terms(
        regency_code="33.13",
        regency="Kabupaten Karanganyar",
        capital="Karanganyar",
        district="Kecamatan",
        district_head="Camat",
        village="Desa",
        village_head="Kepala Desa",
        kelurahan="Kelurahan",
        kelurahan_head="Lurah",
        social_agency="Dinas Sosial",
    ),
}


def current():
    return PROFILES[settings.REGION_PROFILE]
