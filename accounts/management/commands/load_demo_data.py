from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from regions import terminology
from regions.models import Agency, District, Regency

# For trying the app out only: every demo login shares this password.
DEMO_PASSWORD = "pbi-demo-2026"


class Command(BaseCommand):
    help = (
        "Membuat satu login demo untuk setiap peran: operator dan kepala desa di dua desa "
        "dari dua kecamatan berbeda, camat, verifikator, Dukcapil, staf dua perangkat daerah, "
        "Sekda dan admin. Aman dijalankan berulang. Bagian dari load_demo."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        terms = terminology.current()
        regency = Regency.objects.filter(code=terms.regency_code).first()
        if regency is None:
            raise CommandError("Wilayah belum dimuat: jalankan load_reference_data dahulu.")
        # The first desa/kalurahan (not a kelurahan) of the first two districts.
        district_a, district_b = District.objects.filter(regency=regency)[:2]
        village_a, village_b = (
            next(v for v in district.villages.order_by("code") if not v.is_kelurahan)
            for district in (district_a, district_b)
        )
        dinsos = Agency.objects.get(short_name="Dinsos")
        finance = Agency.objects.get(short_name="BKD")
        people = [
            ("operator_a", "Sari Operator", Role.OPERATOR, {"village": village_a}),
            ("lurah_a", "Budi Lurah", Role.VILLAGE_HEAD, {"village": village_a}),
            ("operator_b", "Dewi Operator", Role.OPERATOR, {"village": village_b}),
            ("lurah_b", "Agus Lurah", Role.VILLAGE_HEAD, {"village": village_b}),
            ("panewu_a", "Hadi Panewu", Role.DISTRICT_HEAD, {"district": district_a}),
            ("verifikator", "Rina Verifikator", Role.VERIFIER, {"regency": regency}),
            ("dukcapil", "Joko Dukcapil", Role.DUKCAPIL, {"regency": regency}),
            ("dinsos", "Wulan Dinsos", Role.AGENCY_STAFF, {"agency": dinsos}),
            ("bkd", "Tono Keuangan", Role.AGENCY_STAFF, {"agency": finance}),
            ("sekda", "Sekretaris Daerah", Role.LEADERSHIP, {"regency": regency}),
            ("admin", "Admin Kabupaten", Role.ADMIN, {}),
        ]
        for username, name, role, area in people:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": name,
                    "role": role,
                    "village": None,
                    "district": None,
                    "regency": None,
                    "agency": None,
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                    **area,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            self.stdout.write(f"{username:<12} {user.role_label:<28} {user.area or regency}")
        self.stdout.write(f"Sandi semua login demo: {DEMO_PASSWORD}")
        if not settings.DEBUG:
            self.stderr.write("Peringatan: login demo dibuat pada instalasi tanpa DEBUG.")
