"""The demo's BPJS data: histories of a few participants, last month's BPJS list with a few
people in each category of the reconciliation, and this month's list (as BPJS would send it
once the discrepancies are worked) written as a file to import by hand (docs/bpjs.md, Demo)."""

import csv
import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bpjs import billing, layout, services
from bpjs.models import Record, Status
from enrollment.models import Ground, Kind, LedgerEntry, Participation
from people.models import Person
from people.services import person_record
from regions.months import add_months, month_start

# Synthetic card numbers: a demo prefix no real card carries, then a serial.
DEMO_CARD = "99990000{:05d}"
PEMDA = "PBPU Pemda"
# NIKs no resident of the demo kabupaten holds: one billed who is no participant, and one a
# participant is billed under (same name and birth date).
OUTSIDER = ("3401015505700009", "Contoh Bukan Peserta")
MISMATCH_NIK = "3401010101800003"
MISMATCH_BIRTH = datetime.date(1980, 1, 1)
MATCHED, SENT = 4, 3
HEADER = ["No Kartu", "NIK", "Nama", "Tgl Lahir", "TMT", "Status", "Segmen"]


def _row(card, person=None, *, nik="", name="", tmt, status="AKTIF", segment=PEMDA, birth=None):
    return [
        card,
        nik or person.nik,
        name or person.name,
        f"{birth:%d/%m/%Y}" if birth else "",
        f"{tmt:%d/%m/%Y}",
        status,
        segment,
    ]


def _csv(rows) -> bytes:
    content = io.StringIO()
    writer = csv.writer(content, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return content.getvalue().encode()


def _removed(month: datetime.date, grounds: list[str]) -> list[Person]:
    """One person for each ground whose spell ended by a removal on it, in force in `month`."""
    people = []
    for ground in grounds:
        entry = (
            LedgerEntry.objects.filter(
                kind=Kind.REMOVAL,
                ground=ground,
                effective_month__lte=month,
                person__participation__until__isnull=False,
            )
            .select_related("person")
            .order_by("person_id")
            .first()
        )
        if entry:
            people.append(entry.person)
    return people


class Command(BaseCommand):
    help = (
        "Membuat data BPJS demo: riwayat BPJS beberapa peserta demo, data peserta dari BPJS "
        "bulan lalu dengan beberapa orang di setiap kategori rekonsiliasi, dan berkas data "
        "BPJS bulan ini untuk dicoba diimpor. Jalankan setelah load_demo_oversight; dilewati "
        "bila sudah ada riwayat BPJS."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if Record.objects.exists():
            self.stdout.write("Sudah ada riwayat BPJS; data BPJS demo dilewati.")
            return
        try:
            verifier = User.objects.get(username="verifikator")
            operator = User.objects.get(username="operator_a")
        except User.DoesNotExist:
            raise CommandError("Login demo belum dibuat: jalankan load_demo_data dahulu.") from None
        today = timezone.localdate()
        this_month = month_start(today)
        month = add_months(this_month, -1)
        spells = list(
            Participation.objects.filter(until__isnull=True, since__lte=month)
            .select_related("person__household__village__district")
            .order_by("person_id")
        )
        # A participant of the operator's village is the one billed under another NIK: its
        # birth date is recorded by the village, as the name-and-birth-date match needs.
        mismatch = next((s for s in spells if s.village_id == operator.village_id), None)
        spells = [spell for spell in spells if spell is not mismatch]
        if mismatch is None or len(spells) < MATCHED + 6 + SENT:
            raise CommandError("Peserta demo belum ada: jalankan load_demo_oversight dahulu.")
        matched = spells[:MATCHED]
        other_segment, owner, twin, other_card, inactive = spells[MATCHED : MATCHED + 5]
        sent = spells[MATCHED + 5 : MATCHED + 5 + SENT]
        cards = iter(range(1, 100))

        def active(spell):
            person = spell.person
            return services.bpjs_record(
                actor=verifier,
                person=person,
                status=Status.ACTIVE,
                source_date=today,
                card_number=DEMO_CARD.format(next(cards)),
                tmt=add_months(spell.since, 1),
                faskes=person.household.village.district.health_facilities.first(),
                note="Data demo",
            )

        # `last`: last month's list; `now`: this month's, once the discrepancies are worked.
        last, now = [], []
        for spell in matched:
            record = active(spell)
            row = _row(record.card_number, spell.person, tmt=record.tmt)
            last.append(row)
            now.append(row)
        # Registered by the kabupaten, yet billed in PBI APBN: a removal on ayat (2) c.
        record = active(other_segment)
        last.append(
            _row(record.card_number, other_segment.person, tmt=record.tmt, segment="PBI APBN")
        )
        # Another resident billed on the owner's card: the twin's removal on ayat (2) b.
        record = active(owner)
        row = _row(record.card_number, owner.person, tmt=record.tmt)
        last += [row, _row(record.card_number, twin.person, tmt=record.tmt)]
        now.append(row)
        record = active(inactive)
        last.append(_row(record.card_number, inactive.person, tmt=record.tmt, status="NONAKTIF"))
        now.append(_row(record.card_number, inactive.person, tmt=record.tmt))
        # BPJS holds a second card of this participant.
        record = active(other_card)
        last.append(_row(DEMO_CARD.format(next(cards)), other_card.person, tmt=record.tmt))
        now.append(_row(record.card_number, other_card.person, tmt=record.tmt))
        for spell in sent:
            services.bpjs_record(
                actor=verifier,
                person=spell.person,
                status=Status.SENT,
                source_date=today,
                tmt=add_months(this_month, 1),
                faskes=spell.person.household.village.district.health_facilities.first(),
                note="Data demo",
            )
        household = mismatch.person.household
        person = person_record(
            actor=operator,
            village=household.village,
            nik=mismatch.person.nik,
            name=mismatch.person.name,
            kk_number=household.number,
            dusun=household.dusun,
            rt=household.rt,
            rw=household.rw,
            birth_date=MISMATCH_BIRTH,
        )
        card = DEMO_CARD.format(next(cards))
        last.append(_row(card, nik=MISMATCH_NIK, name=person.name, tmt=month, birth=MISMATCH_BIRTH))
        now.append(_row(card, person, tmt=month, birth=MISMATCH_BIRTH))
        # Billed, yet no participant: removed (the bill continues), dead or moved out, never
        # in the ledger (a resident proposed this month), of another kabupaten.
        gone = _removed(month, [Ground.SEGMENT, Ground.DIED, Ground.MOVED_OUT])
        never = Person.objects.exclude(pk__in=LedgerEntry.objects.values("person_id"))
        for stranger in [*gone, *never.order_by("pk")[:1]]:
            last.append(_row(DEMO_CARD.format(next(cards)), stranger, tmt=add_months(month, -3)))
        nik, name = OUTSIDER
        last.append(_row(DEMO_CARD.format(99), nik=nik, name=name, tmt=datetime.date(2025, 1, 1)))

        billing_layout = layout.billing_layout()
        content = _csv(last)
        plan = billing.plan(io.BytesIO(content), "demo-bpjs.csv", billing_layout, month)
        saved = services.billing_import(
            actor=verifier, plan=plan, filename="demo-bpjs.csv", layout_name=billing_layout.name
        )
        name = default_storage.save(
            f"demo/data-bpjs-{this_month:%Y-%m}.csv", ContentFile(_csv(now))
        )
        self.stdout.write(
            f"Data BPJS demo: {saved} ({saved.rows} baris) dengan beberapa orang di setiap "
            f"kategori rekonsiliasi. Data BPJS bulan ini untuk dicoba diimpor: "
            f"{default_storage.path(name)}"
        )
