from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regions.services import regions_load_csv


class Command(BaseCommand):
    help = (
        "Memuat kabupaten, kapanewon/kecamatan dan kalurahan/desa dari CSV berkolom "
        "kode,nama,level,parent_kode (kode Kemendagri). Satu baris salah: tidak ada yang disimpan."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path")

    def handle(self, *args, csv_path, **options):
        try:
            with open(csv_path, "rb") as file:
                counts = regions_load_csv(file=file)
        except OSError as error:
            raise CommandError(f"Berkas tidak dapat dibuka: {error}") from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(
            f"Dimuat: {counts['kabupaten']} kabupaten, {counts['kecamatan']} kecamatan, "
            f"{counts['desa']} desa/kelurahan."
        )
