from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from regions import services
from regions.terminology import PROFILES

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Memuat data induk yang dikirim bersama aplikasi: wilayah kabupaten REGION_PROFILE, "
        "faskes, UMK, tarif iuran JKN dan perangkat daerah. Aman dijalankan berulang: "
        "data yang sudah diubah admin tidak ditimpa."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all-regencies",
            action="store_true",
            help="Muat semua kabupaten yang dikenal, bukan hanya REGION_PROFILE.",
        )

    @transaction.atomic
    def handle(self, *args, all_regencies, **options):
        profiles = sorted(PROFILES) if all_regencies else [settings.REGION_PROFILE]
        for profile in profiles:
            with open(FIXTURES / "regions" / f"{profile}.csv", "rb") as file:
                counts = services.regions_load_csv(file=file)
            self.stdout.write(
                f"{PROFILES[profile].regency}: {counts['kecamatan']} kapanewon/kecamatan, "
                f"{counts['desa']} kalurahan/desa/kelurahan."
            )
        regency_codes = {PROFILES[profile].regency_code for profile in profiles}
        with open(FIXTURES / "faskes.csv", "rb") as file:
            created = services.health_facilities_load_csv(file=file, regency_codes=regency_codes)
        self.stdout.write(f"Faskes baru: {created}.")
        with open(FIXTURES / "umk.csv", "rb") as file:
            self.stdout.write(f"UMK baru: {services.minimum_wages_load_csv(file=file)}.")
        with open(FIXTURES / "premium.csv", "rb") as file:
            self.stdout.write(f"Tarif iuran baru: {services.premium_rates_load_csv(file=file)}.")
        with open(FIXTURES / "agencies.csv", "rb") as file:
            self.stdout.write(f"Perangkat daerah baru: {services.agencies_load_csv(file=file)}.")
        # The Instruksi (fixtures/instructions/) of each kabupaten loaded: the top loads what
        # several apps ship, so regions need not know the instructions app.
        call_command("load_instruction", stdout=self.stdout)
