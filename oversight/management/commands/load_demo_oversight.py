import csv
import datetime
import io
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from enrollment import services as ledger
from enrollment.imports import deployment_regency, read_rows
from enrollment.models import Ground, Participation
from oversight import services
from oversight.models import Reverification
from people.models import Household, Person
from regions.months import add_months, month_start
from sktm import services as sktm

NAMES = ["Sumarni", "Paijo", "Wagiyem", "Suparman", "Tukiyem", "Ngatijo", "Sukinem", "Parjiyo"]
# Lampiran A answers of a few applicants in the demo village: (dependants, ownership, wall,
# floor, lighting, monthly income) scoring 8 to 15.
APPLICANTS = [
    (7, 2, 2, 3, 3, 900_000),
    (5, 2, 2, 2, 3, 1_200_000),
    (4, 1, 2, 2, 2, 1_500_000),
    (2, 1, 1, 2, 2, 1_800_000),
    (3, 1, 1, 1, 1, 3_000_000),
    (6, 2, 2, 3, 2, 800_000),
]


class Command(BaseCommand):
    help = (
        "Membuat riwayat demo untuk dasbor: peserta di 12 desa sejak 20 bulan lalu, beberapa "
        "penambahan dan pengurangan, verifikasi ulang (sebagian jatuh tempo dan lewat), dan "
        "formulir SKTM. Dilewati bila sudah ada verifikasi ulang."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if Reverification.objects.exists():
            self.stdout.write("Sudah ada verifikasi ulang; data demo pemantauan dilewati.")
            return
        try:
            admin = User.objects.get(username="admin")
            verifier = User.objects.get(username="verifikator")
            operator = User.objects.get(username="operator_a")
        except User.DoesNotExist:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.") from None
        rng = random.Random(7)
        today = timezone.localdate()
        this_month = month_start(today)
        regency = deployment_regency()
        villages = [operator.village]
        for district in regency.districts.order_by("code"):
            village = district.villages.exclude(pk=operator.village_id).order_by("code").first()
            if village and len(villages) < 12:
                villages.append(village)
        rows, serial = [], 0
        for village in villages:
            prefix = village.code[:8].replace(".", "")
            for _ in range(rng.randint(15, 40)):
                serial += 1
                start = add_months(this_month, -rng.randint(3, 20))
                rows.append(
                    {
                        "nik": f"{prefix}0101{60 + serial // 9000:02d}{serial % 9000 + 1:04d}",
                        "no_kk": f"{prefix}9{serial:09d}",
                        "nama": f"{rng.choice(NAMES)} {serial}",
                        "jenis_kelamin": "L",
                        "dusun": f"Dusun {serial % 5 + 1}",
                        "rt": "001",
                        "rw": "002",
                        "kode_desa": village.code,
                        "bulan_mulai": f"{start:%Y-%m}",
                        "berdomisili_sejak": "2010-01-01",
                    }
                )
        content = io.StringIO()
        writer = csv.DictWriter(content, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        ledger.participants_import(
            actor=admin,
            rows=read_rows(io.BytesIO(content.getvalue().encode()), "demo.csv"),
            regency=regency,
            source="demo",
        )
        # Additions of the last ten months on ground c.1, through the ledger's own service.
        for back in range(10, 0, -1):
            month = add_months(this_month, -back)
            for _ in range(rng.randint(1, 4)):
                serial += 1
                village = rng.choice(villages)
                prefix = village.code[:8].replace(".", "")
                household = Household.objects.create(
                    number=f"{prefix}7{serial:09d}",
                    village=village,
                    dusun="Dusun 1",
                    rt="1",
                    rw="1",
                )
                person = Person.objects.create(
                    nik=f"{prefix}0101{60 + serial // 9000:02d}{serial % 9000 + 1:04d}",
                    name=f"{rng.choice(NAMES)} {serial}",
                    household=household,
                    domicile_since=datetime.date(2010, 1, 1),
                )
                ledger.participant_add(
                    actor=verifier,
                    person=person,
                    ground=Ground.DTKS,
                    effective_month=month,
                    evidence={
                        "has_other_cover": False,
                        "domicile_document": "KTP dan KK",
                        "source": "DTSEN",
                        "dtks_id": f"DTSEN-DEMO-{serial:05d}",
                        "desil": rng.randint(1, 3),
                        "data_period": "2025-Q4",
                        "checked_on": f"{month:%Y-%m}-01",
                    },
                    faskes=village.district.health_facilities.filter(is_active=True).first(),
                )
        spells = list(Participation.objects.select_related("person", "village").order_by("pk"))
        for spell in rng.sample(spells, len(spells) // 12):
            ledger.participant_remove(
                actor=verifier,
                person=spell.person,
                ground=rng.choice([Ground.DIED, Ground.MOVED_OUT, Ground.SEGMENT]),
                effective_month=add_months(spell.since, rng.randint(1, 2)),
                evidence={
                    "death_date": "2026-01-10",
                    "death_certificate": "AK-DEMO",
                    "destination": "Kabupaten Sleman",
                    "moved_on": "2026-01-05",
                    "segment": "ppu",
                    "since": "2026-01-01",
                },
                validated_by="dukcapil",
                validated_on=today,
                validated_against="Data SIAK (demo)",
            )
        # Re-verifications: each village's list checked on one day, some long ago.
        for village in villages:
            people = list(
                Participation.objects.active_on(today)
                .filter(village=village)
                .values_list("person_id", flat=True)
            )
            checked = today - datetime.timedelta(days=rng.choice([10, 40, 75, 85, 100, 130]))
            chosen = [pk for pk in people if rng.random() < 0.7]
            if chosen:
                services.village_reverify(
                    actor=verifier, village=village, people=chosen, checked_on=checked
                )
        for n, answers in enumerate(APPLICANTS, start=1):
            dependants, ownership, wall, floor, lighting, income = answers
            prefix = operator.village.code[:8].replace(".", "")
            form = sktm.sktm_form_submit(
                actor=operator,
                data={
                    "applicant_name": f"{NAMES[n]} Pemohon",
                    "nik": f"{prefix}050575{n + 8000:04d}",
                    "kk_number": f"{prefix}8{n:09d}",
                    "birth_place": "",
                    "birth_date": None,
                    "sex": "L",
                    "dusun": "Dusun 1",
                    "rt": "1",
                    "rw": "1",
                    "occupation": "Buruh tani",
                    "phone": "",
                    "dependants_count": dependants,
                    "ownership": ownership,
                    "wall": wall,
                    "floor": floor,
                    "lighting": lighting,
                    "monthly_income": income,
                },
            )
            if n % 2:
                lurah = User.objects.filter(role=Role.VILLAGE_HEAD, village=operator.village)
                sktm.sktm_form_acknowledge(actor=lurah.first(), form=form)
        self.stdout.write(
            f"Data demo pemantauan: {len(rows)} peserta di {len(villages)} desa, "
            f"{Reverification.objects.count()} verifikasi ulang."
        )
