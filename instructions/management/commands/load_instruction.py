from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from instructions.loader import instruction_load, parse
from regions.models import Regency

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "instructions"


class Command(BaseCommand):
    help = (
        "Memuat Instruksi Bupati dari berkas TOML (format: fixtures/instructions/). Tanpa "
        "FILE: setiap instruksi yang dikirim bersama aplikasi untuk kabupaten yang sudah "
        "dimuat. Aman dijalankan berulang; berkas yang salah tidak menulis apa pun."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--regency",
            help="Kode kabupaten penerima instruksi, bila lain dari yang tertulis di berkas.",
        )

    def handle(self, *args, file, regency, **options):
        if file is not None:
            self.load(file, regency)
            return
        loaded = set(Regency.objects.values_list("code", flat=True))
        for path in sorted(SHIPPED.glob("*.toml")):
            if (regency or parse(path.read_bytes()).get("regency")) in loaded:
                self.load(path, regency)

    def load(self, path, regency):
        try:
            instruction, counts = instruction_load(content=path.read_bytes(), regency_code=regency)
        except OSError as error:
            raise CommandError(f"Berkas tidak dapat dibaca: {error}") from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(
            f"{instruction} ({instruction.regency}): {counts['diktum']} diktum, "
            f"{counts['butir']} butir."
        )
