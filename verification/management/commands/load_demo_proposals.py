import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enrollment.models import Ground, Kind
from people.services import person_record
from regions.months import month_start
from verification import services
from verification.models import Proposal, ProposalItem

# Synthetic residents for trying the flow out: the NIK's date part (a woman's day + 40), name,
# sex and SHDK code.
RESIDENTS = [
    ("440590", "Tumini", "P", 3),
    ("050588", "Sugeng Riyadi", "L", 1),
    ("520775", "Painem", "P", 4),
]


class Command(BaseCommand):
    help = (
        "Membuat usulan demo bulan ini: satu usulan terkirim dari desa operator_a/lurah_a "
        "(tiga penduduk, dasar DTSEN) menunggu Tim Verifikasi. Dilewati bila sudah ada usulan."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if Proposal.objects.exists():
            self.stdout.write("Sudah ada usulan; usulan demo dilewati.")
            return
        try:
            operator = User.objects.get(username="operator_a")
            lurah = User.objects.get(username="lurah_a")
        except User.DoesNotExist:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.") from None
        village = operator.village
        proposal = services.proposal_open(actor=operator, month=month_start(timezone.localdate()))
        prefix = village.code[:8].replace(".", "")
        faskes = village.district.health_facilities.first()
        for serial, (birth, name, sex, relationship) in enumerate(RESIDENTS, start=1):
            day, month, year = int(birth[:2]) % 40, int(birth[2:4]), 1900 + int(birth[4:])
            person = person_record(
                actor=operator,
                village=village,
                nik=f"{prefix}{birth}{serial:04d}",
                name=name,
                kk_number=f"{prefix}0101{serial:06d}",
                dusun="Dusun I",
                rt="001",
                rw="001",
                occupation="Buruh tani",
                birth_place=village.district.regency.name.removeprefix("Kabupaten "),
                birth_date=datetime.date(year, month, day),
                sex=sex,
                relationship=relationship,
                marital_status=2,
                domicile_since=datetime.date(2015, 1, 1),
            )
            services.item_add(
                actor=operator,
                proposal=proposal,
                item=ProposalItem(
                    person=person,
                    kind=Kind.ADDITION,
                    ground=Ground.DTKS,
                    faskes=faskes,
                    evidence={
                        "source": "DTSEN",
                        "dtks_id": f"DTSEN-DEMO-{serial:04d}",
                        "desil": 1,
                        "data_period": "2025-Q4",
                        "checked_on": timezone.localdate().isoformat(),
                        "domicile_document": "KTP dan KK",
                        "has_other_cover": False,
                    },
                ),
            )
        services.proposal_submit(actor=lurah, proposal=proposal, place=village.name)
        self.stdout.write(f"Usulan demo {proposal} dikirim dengan {len(RESIDENTS)} penduduk.")
