from django.core.management import call_command
from django.core.management.base import BaseCommand

from instructions.models import Instruction
from regions import terminology


class Command(BaseCommand):
    help = (
        "Memuat data demo untuk mencoba aplikasi: login setiap peran, Instruksi contoh bila "
        "kabupaten belum punya, usulan bulan ini dan riwayat untuk dasbor. Jalankan setelah "
        "load_reference_data; aman dijalankan berulang."
    )

    def handle(self, *args, **options):
        # Each app's own loader, bottom to top: each needs what the one before it made and
        # knows nothing of the apps above it.
        call_command("load_demo_data", stdout=self.stdout, stderr=self.stderr)
        # For trying the Instruksi out in a kabupaten that has not loaded its own: the shipped
        # instruction's text, addressed to this kabupaten's Camat/Panewu and villages.
        regency_code = terminology.current().regency_code
        if not Instruction.objects.filter(regency__code=regency_code).exists():
            call_command("load_instruction", regency=regency_code, stdout=self.stdout)
        call_command("load_demo_proposals", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_oversight", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_bpjs", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_dukcapil", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_dtsen", stdout=self.stdout, stderr=self.stderr)
