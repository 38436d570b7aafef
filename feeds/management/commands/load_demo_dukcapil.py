import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enrollment.models import Participation
from feeds import events, services
from people.models import Person, PopulationExtract
from regions.months import month_start

DEMO = Path(settings.BASE_DIR) / "fixtures" / "feeds" / "demo-peristiwa.csv"
NEEDED = 4


class Command(BaseCommand):
    help = (
        "Mengimpor ekstrak peristiwa Dukcapil demo (fixtures/feeds/demo-peristiwa.csv) atas nama "
        "login dukcapil: kematian dan pindah keluar dua peserta desa operator_a, pindah satu "
        "keluarga ke desa operator_b, perubahan NIK, dan satu NIK yang tidak tercatat. NIK dan "
        "tanggal diisi dari peserta demo dan hari ini. Jalankan setelah load_demo_oversight; "
        "dilewati bila sudah ada ekstrak Dukcapil."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if PopulationExtract.objects.exists():
            self.stdout.write("Sudah ada ekstrak Dukcapil; ekstrak demo dilewati.")
            return
        try:
            dukcapil = User.objects.get(username="dukcapil")
            village_a = User.objects.get(username="operator_a").village
            village_b = User.objects.get(username="operator_b").village
        except User.DoesNotExist:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.") from None
        # Participants of village A in no Usulan, so the Tim Verifikasi can decide them at once.
        people = list(
            Participation.objects.filter(until__isnull=True, village=village_a)
            .exclude(person__proposal_items__isnull=False)
            .order_by("person_id")
            .values_list("person__nik", flat=True)[:NEEDED]
        )
        if len(people) < NEEDED:
            raise CommandError("Peserta demo belum ada: jalankan load_demo_oversight dahulu.")
        today = timezone.localdate()
        new_nik = next(
            f"{people[3][:12]}{serial:04d}"
            for serial in range(9999, 0, -1)
            if not Person.objects.filter(nik=f"{people[3][:12]}{serial:04d}").exists()
        )
        content = DEMO.read_text(encoding="utf-8").format(
            meninggal=people[0],
            pindah_keluar=people[1],
            pindah_dalam=people[2],
            ganti_nik=people[3],
            nik_baru=new_nik,
            desa_tujuan=village_b.code,
            tanggal=f"{today:%d/%m/%Y}",
        )
        layout = events.event_layout()
        plan = events.plan(
            io.BytesIO(content.encode()), DEMO.name, layout, month_start(today), today
        )
        try:
            saved = services.extract_import(
                actor=dukcapil, plan=plan, filename=DEMO.name, layout_name=layout.name
            )
        except ValidationError as error:
            raise CommandError(f"Ekstrak demo ditolak: {' '.join(error.messages)}") from error
        self.stdout.write(f"{saved} diimpor: {saved.rows} peristiwa.")
