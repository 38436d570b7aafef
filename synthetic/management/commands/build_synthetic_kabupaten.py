from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from people.models import Person
from regions import terminology
from regions.models import Regency
from synthetic.builder import PASSWORD, Builder


class Command(BaseCommand):
    help = (
        "Membangun kabupaten sintetis untuk uji skala: semua desa nyata, penduduk dengan nama "
        "sintetis dan NIK berbentuk sah, peserta dengan buku mutasi dua tahun, usulan dan SKTM. "
        "Hanya untuk basis data uji yang masih kosong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=1_000_000)
        parser.add_argument("--participants", type=int, default=200_000)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--bpjs-file",
            type=Path,
            help="tulis data peserta BPJS bulan ini (.xlsx atau .csv) dengan jumlah tiap "
            "kategori rekonsiliasi yang diketahui, disimpan juga di <berkas>.json",
        )
        parser.add_argument(
            "--bpjs-rows", type=int, help="jumlah baris data BPJS (bawaan: jumlah peserta)"
        )
        parser.add_argument(
            "--dukcapil-file",
            type=Path,
            help="tulis ekstrak peristiwa Dukcapil bulan ini (.xlsx atau .csv) dengan jumlah "
            "tiap kasus yang diketahui, disimpan juga di <berkas>.json",
        )
        parser.add_argument(
            "--dukcapil-events", type=int, default=20_000, help="jumlah peristiwa ekstrak Dukcapil"
        )
        parser.add_argument(
            "--dtsen-file",
            type=Path,
            help="tulis data DTSEN periode bulan ini (.csv), di atas periode tiga bulan lalu yang "
            "sudah tercatat, dengan jumlah tiap kasus yang diketahui, disimpan juga di "
            "<berkas>.json",
        )
        parser.add_argument(
            "--dtsen-rows", type=int, default=300_000, help="jumlah baris DTSEN periode bulan ini"
        )

    def handle(self, *args, residents, participants, months, seed, bpjs_file, bpjs_rows, **options):
        dukcapil_file, dtsen_file = options["dukcapil_file"], options["dtsen_file"]
        if Person.objects.exists():
            raise CommandError("Basis data sudah berisi penduduk; gunakan basis data uji kosong.")
        regency = Regency.objects.filter(code=terminology.current().regency_code).first()
        if regency is None:
            raise CommandError("Wilayah belum dimuat: jalankan load_reference_data dahulu.")
        if months < 2 or participants > residents:
            raise CommandError("Perlu paling sedikit 2 bulan dan peserta tidak melebihi penduduk.")
        if bpjs_file and bpjs_file.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("Berkas data BPJS harus berakhiran .xlsx atau .csv.")
        if dukcapil_file and dukcapil_file.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("Berkas ekstrak Dukcapil harus berakhiran .xlsx atau .csv.")
        if dtsen_file and dtsen_file.suffix.lower() != ".csv":
            raise CommandError("Berkas data DTSEN harus berakhiran .csv.")
        builder = Builder(
            regency,
            residents=residents,
            participants=participants,
            months=months,
            today=timezone.localdate(),
            seed=seed,
            log=self.stdout.write,
            billing_file=bpjs_file,
            billing_rows=participants if bpjs_rows is None else bpjs_rows,
            events_file=dukcapil_file,
            events=options["dukcapil_events"],
            dtsen_file=dtsen_file,
            dtsen_rows=options["dtsen_rows"],
        )
        try:
            with transaction.atomic():
                builder.run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if builder.planted:
            planted = builder.planted
            self.stdout.write(f"Data BPJS {planted.month:%m-%Y}: {bpjs_file}, {planted.rows} baris")
            for category, count in sorted(planted.categories.items()):
                self.stdout.write(f"  {category:<18} {count:>8}")
        for label, path, planted in (
            ("Ekstrak Dukcapil", dukcapil_file, builder.planted_events),
            ("Data DTSEN", dtsen_file, builder.planted_dtsen),
        ):
            if planted:
                self.stdout.write(f"{label} {planted.period:%m-%Y}: {path}, {planted.rows} baris")
                for outcome, count in sorted(planted.as_dict()["outcomes"].items()):
                    self.stdout.write(f"  {outcome:<18} {count:>8}")
        self.stdout.write(f"Login sintetis (mis. verifikator, op<kode desa>): sandi {PASSWORD}")
