import io

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bpjs import billing, layout, services
from bpjs.models import Record, Status
from enrollment.models import Participation
from regions.months import add_months, month_start

# Synthetic card numbers: a demo prefix no real card carries, then a serial.
DEMO_CARD = "99990000{:05d}"
ACTIVE, SENT = 6, 3


class Command(BaseCommand):
    help = (
        "Membuat data BPJS demo: beberapa peserta demo tercatat aktif di BPJS (No. Kartu dan "
        "TMT), beberapa didaftarkan, dan data peserta dari BPJS bulan lalu yang memuat peserta "
        "aktif itu ditambah satu NIK yang bukan peserta. Jalankan setelah load_demo_oversight; "
        "dilewati bila sudah ada riwayat BPJS."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if Record.objects.exists():
            self.stdout.write("Sudah ada riwayat BPJS; data BPJS demo dilewati.")
            return
        try:
            verifier = User.objects.get(username="verifikator")
        except User.DoesNotExist:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.") from None
        today = timezone.localdate()
        participants = list(
            Participation.objects.filter(until__isnull=True, since__lt=month_start(today))
            .select_related("person__household__village__district")
            .order_by("person_id")[: ACTIVE + SENT]
        )
        if len(participants) < ACTIVE + SENT:
            raise CommandError("Peserta demo belum ada: jalankan load_demo_oversight dahulu.")
        lines = []
        for serial, participation in enumerate(participants, start=1):
            person = participation.person
            faskes = person.household.village.district.health_facilities.first()
            if serial <= ACTIVE:
                tmt = add_months(participation.since, 1)
                card = DEMO_CARD.format(serial)
                services.bpjs_record(
                    actor=verifier,
                    person=person,
                    status=Status.ACTIVE,
                    source_date=today,
                    card_number=card,
                    tmt=tmt,
                    faskes=faskes,
                    note="Data demo",
                )
                lines.append(f"{card},{person.nik},{person.name},{tmt:%d/%m/%Y},AKTIF")
            else:
                services.bpjs_record(
                    actor=verifier,
                    person=person,
                    status=Status.SENT,
                    source_date=today,
                    tmt=month_start(add_months(today, 1)),
                    faskes=faskes,
                    note="Data demo",
                )
        # Billed, yet no participant: a NIK the demo kabupaten does not hold.
        lines.append(
            f"{DEMO_CARD.format(99)},3401015505700009,Contoh Bukan Peserta,01/01/2025,AKTIF"
        )
        month = add_months(month_start(today), -1)
        content = "\n".join(["No Kartu,NIK,Nama,TMT,Status", *lines]).encode()
        billing_layout = layout.billing_layout()
        plan = billing.plan(io.BytesIO(content), "demo-bpjs.csv", billing_layout, month)
        saved = services.billing_import(
            actor=verifier, plan=plan, filename="demo-bpjs.csv", layout_name=billing_layout.name
        )
        self.stdout.write(
            f"Data BPJS demo: {ACTIVE} peserta aktif, {SENT} didaftarkan; {saved} ({saved.rows} "
            "baris)."
        )
