import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from enrollment import services
from enrollment.imports import deployment_regency
from enrollment.models import Participation, RegistryRecord, RegistrySource
from people.models import Person
from people.services import person_record
from regions.months import add_months, month_start

# operator_a's village, where the demo plants its cases.
DEMO_VILLAGE = "34.01.01.2001"
ROSE, LEFT = 2, 1
# A poor household the village recorded but never proposed: (NIK, name, SHDK, status kawin).
HOUSEHOLD = "3401010101230090"
POOR = [
    ("3401011503720901", "Paimin", 1, 2),
    ("3401016205750902", "Painem", 2, 2),
    ("3401011008050903", "Sutarno", 4, 1),
]
CANDIDATES = len(POOR)


def _row(person, desil, period):
    return {
        "sumber": RegistrySource.DTSEN,
        "id_dtks": f"DTSEN-DEMO-{person.nik[-8:]}",
        "nik": person.nik,
        "nama": person.name,
        "no_kk": person.household.number,
        "kode_desa": person.household.village.code,
        "desil": str(desil),
        "periode": f"{period:%Y-%m}",
    }


def _poor_household(operator):
    """The household's members, recorded through the village's own service."""
    return [
        person_record(
            actor=operator,
            village=operator.village,
            nik=nik,
            name=name,
            kk_number=HOUSEHOLD,
            dusun="Padukuhan I",
            rt="003",
            rw="001",
            relationship=relationship,
            marital_status=marital_status,
            domicile_since=datetime.date(2010, 1, 1),
        )
        for nik, name, relationship, marital_status in POOR
    ]


class Command(BaseCommand):
    help = (
        "Memuat dua periode DTSEN demo (4 bulan lalu dan bulan lalu) untuk penduduk desa demo, "
        f"lewat impor DTKS/DTSEN: di desa {DEMO_VILLAGE} {ROSE} peserta naik ke desil 7, "
        f"{LEFT} keluar dari DTSEN (verifikasi ulang segera), dan {CANDIDATES} penduduk bukan "
        "peserta di desil 1-3 (calon usulan). Jalankan setelah load_demo_bpjs; dilewati bila "
        "sudah ada data DTSEN."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if RegistryRecord.objects.filter(source=RegistrySource.DTSEN).exists():
            self.stdout.write("Sudah ada data DTSEN; DTSEN demo dilewati.")
            return
        admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
        operator = User.objects.filter(role=Role.OPERATOR, village__code=DEMO_VILLAGE).first()
        if admin is None or operator is None:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.")
        today = timezone.localdate()
        latest = add_months(month_start(today), -1)
        previous = add_months(latest, -3)
        active = dict(Participation.objects.active_on(today).values_list("person", "verified_on"))
        villages = Participation.objects.values("village")
        people = list(
            Person.objects.filter(household__village__in=villages)
            .select_related("household__village")
            .order_by("household__village__code", "pk")
        )
        in_demo = [p for p in people if p.household.village.code == DEMO_VILLAGE]
        # Verified before today, so the period imported today is news to them.
        participants = [p for p in in_demo if active.get(p.pk, today) < today]
        if len(participants) < ROSE + LEFT:
            raise CommandError("Peserta demo belum ada: jalankan load_demo_oversight dahulu.")
        candidates = _poor_household(operator)
        people += candidates
        rose, left = participants[:ROSE], participants[ROSE : ROSE + LEFT]
        # Everyone else: participants within the threshold, other residents above it.
        rows = {previous: [], latest: []}
        for person in people:
            if person in rose:
                rows[previous].append(_row(person, 3, previous))
                rows[latest].append(_row(person, 7, latest))
            elif person in left:
                rows[previous].append(_row(person, 4, previous))
            elif person in candidates:
                desil = candidates.index(person) + 1
                rows[previous].append(_row(person, desil, previous))
                rows[latest].append(_row(person, desil, latest))
            else:
                desil = 1 + person.pk % 5 if person.pk in active else 6 + person.pk % 5
                rows[previous].append(_row(person, desil, previous))
                rows[latest].append(_row(person, desil, latest))
        regency = deployment_regency()
        for period in (previous, latest):
            numbered = list(enumerate(rows[period], start=2))
            services.registry_import(actor=admin, rows=numbered, regency=regency)
        self.stdout.write(
            f"DTSEN demo: periode {previous:%m-%Y} ({len(rows[previous])} baris) dan "
            f"{latest:%m-%Y} ({len(rows[latest])} baris); di desa {DEMO_VILLAGE} {ROSE + LEFT} "
            f"verifikasi ulang segera dan {CANDIDATES} calon usulan."
        )
