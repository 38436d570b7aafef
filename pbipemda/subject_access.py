"""Everything the product holds about one person, for the data subject's right of access
(UU 27/2022 Pasal 7): their resident and household records with the history of each change,
ledger entries and participation, Usulan items and their decisions, SKTM forms and letters,
re-verifications, what outside sources said of them (DTKS/DTSEN listings, BPJS), and who viewed or
exported any of it (the access log).

It reads every app, so it lives at the top. `subject_data(nik)` returns plain values only (the
PDF and JSON are made from them, no template reaches a model): one query per table, the rows of
each section as dicts keyed by the field's own label.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from audit.models import AccessLog
from bpjs.models import BillingRow, Record, RegistrationLine
from enrollment.models import LedgerEntry, Participation, RegistryRecord
from feeds.models import Finding
from oversight.models import Reverification
from people.models import Household, HouseholdChange, Person, PersonChange, PopulationEvent
from sktm.models import FormEvent, Letter, LetterCheck, VerificationForm
from verification.models import Proposal, ProposalEvent, ProposalItem


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[dict]


def subject_data(nik: str) -> dict:
    """What the product holds about the person with this NIK: `{"nik", "produced_at",
    "sections": [Section]}`; every section is there, empty when nothing is held."""
    people = list(Person.objects.filter(nik=nik).select_related("household__village__district"))
    person_ids = [person.pk for person in people]
    household_ids = [person.household_id for person in people]
    households = list(
        Household.objects.filter(pk__in=household_ids).select_related("village__district")
    )
    of_person = Q(person__in=person_ids)
    forms = list(VerificationForm.objects.filter(Q(nik=nik) | of_person).select_related("village"))
    form_ids = [form.pk for form in forms]
    letters = list(
        Letter.objects.filter(of_person | Q(form__in=form_ids)).select_related(
            "village", "issued_by", "revoked_by"
        )
    )
    letter_ids = [letter.pk for letter in letters]
    named = of_person | Q(mother__in=person_ids) | Q(duplicate_of__in=person_ids)
    items = list(
        ProposalItem.objects.filter(named | Q(held_identity__nik=nik)).select_related(
            "proposal__village", "faskes", "added_by", "decided_by", "person"
        )
    )
    proposal_ids = {item.proposal_id for item in items}
    sections = [
        Section("Data penduduk", [_row(person, PERSON) for person in people]),
        Section(
            "Riwayat perubahan data penduduk",
            _rows(PersonChange.objects.filter(of_person).select_related("changed_by"), CHANGE),
        ),
        Section("Data keluarga (Kartu Keluarga)", [_row(h, HOUSEHOLD) for h in households]),
        Section(
            "Riwayat perubahan data keluarga",
            _rows(
                HouseholdChange.objects.filter(household__in=household_ids).select_related(
                    "changed_by"
                ),
                CHANGE,
            ),
        ),
        Section(
            "Buku besar kepesertaan (Pasal 5)",
            _rows(
                LedgerEntry.objects.filter(named)
                .select_related("person", "recorded_by", "letter")
                .order_by("sequence"),
                LEDGER,
            ),
        ),
        Section(
            "Kepesertaan PBI Pemda",
            _rows(Participation.objects.filter(of_person).select_related("village"), PARTICIPATION),
        ),
        Section("Usulan dan keputusan Tim Verifikasi", [_row(item, ITEM) for item in items]),
        Section(
            "Riwayat usulan",
            _rows(
                ProposalEvent.objects.filter(of_person | Q(item__in=[i.pk for i in items]))
                .select_related("proposal__village", "actor")
                .order_by("at", "pk"),
                PROPOSAL_EVENT,
            ),
        ),
        Section("Formulir verifikasi SKTM (Lampiran A)", [_row(form, FORM) for form in forms]),
        Section(
            "Riwayat formulir SKTM",
            _rows(
                FormEvent.objects.filter(form__in=form_ids)
                .select_related("form", "actor")
                .order_by("at", "pk"),
                FORM_EVENT,
            ),
        ),
        Section("Surat Keterangan Tidak Mampu", [_row(letter, LETTER) for letter in letters]),
        Section(
            "Pemeriksaan keaslian surat (kode QR)",
            _rows(
                LetterCheck.objects.filter(letter__in=letter_ids)
                .select_related("letter")
                .order_by("at"),
                LETTER_CHECK,
            ),
        ),
        Section(
            "Verifikasi ulang",
            _rows(
                Reverification.objects.filter(of_person)
                .select_related("village", "recorded_by")
                .order_by("checked_on", "pk"),
                REVERIFICATION,
            ),
        ),
        Section(
            "Data DTKS/DTSEN",
            _rows(
                RegistryRecord.objects.filter(nik=nik).select_related("village").order_by("pk"),
                REGISTRY,
            ),
        ),
        *(build(nik, person_ids) for build in OUTSIDE_SOURCES),
        Section(
            "Log akses: siapa melihat atau mengunduh data ini",
            _rows(
                AccessLog.objects.filter(
                    _about(Person, person_ids)
                    | _about(VerificationForm, form_ids)
                    | _about(Letter, letter_ids)
                    | _about(Proposal, proposal_ids)
                    | Q(what__contains=nik)
                )
                .select_related("actor")
                .order_by("at", "pk"),
                ACCESS,
            ),
        ),
    ]
    return {"nik": nik, "produced_at": timezone.now(), "sections": sections}


def _bpjs_history(nik: str, person_ids: list[int]) -> Section:
    return Section(
        "Riwayat BPJS Kesehatan",
        _rows(
            Record.objects.filter(person__in=person_ids)
            .select_related("person", "faskes", "registration_file__district", "recorded_by")
            .order_by("pk"),
            BPJS_RECORD,
        ),
    )


def _bpjs_billing(nik: str, person_ids: list[int]) -> Section:
    """Rows of BPJS's billed lists naming this NIK, or matched to the person."""
    return Section(
        "Data peserta dari BPJS Kesehatan (tagihan)",
        _rows(
            BillingRow.objects.filter(Q(nik=nik) | Q(person__in=person_ids))
            .select_related("file")
            .order_by("file__month", "file__version", "row_number"),
            BILLING_ROW,
        ),
    )


def _bpjs_registration(nik: str, person_ids: list[int]) -> Section:
    return Section(
        "Berkas registrasi e-Dabu yang memuat data ini",
        _rows(
            RegistrationLine.objects.filter(person__in=person_ids)
            .select_related("person", "file__district", "file__sent_by", "faskes")
            .order_by("file__month", "pk"),
            REGISTRATION_LINE,
        ),
    )


def _population_events(nik: str, person_ids: list[int]) -> Section:
    """Dukcapil's events naming this NIK (as the old or the new NIK), or matched to the person."""
    return Section(
        "Peristiwa kependudukan dari Dukcapil",
        _rows(
            PopulationEvent.objects.filter(Q(nik=nik) | Q(new_nik=nik) | Q(person__in=person_ids))
            .select_related("extract")
            .order_by("extract__period", "pk"),
            POPULATION_EVENT,
        ),
    )


def _findings(nik: str, person_ids: list[int]) -> Section:
    return Section(
        "Temuan dari data Dukcapil",
        _rows(
            Finding.objects.filter(person__in=person_ids)
            .select_related("village", "validated_by", "decided_by")
            .order_by("month", "pk"),
            FINDING,
        ),
    )


# What each outside source said of the person, one section builder `(nik, person_ids)` each;
# every source the product records goes here. DTSEN's listings are `RegistryRecord` above.
OUTSIDE_SOURCES = [
    _bpjs_history,
    _bpjs_billing,
    _bpjs_registration,
    _population_events,
    _findings,
]


def row_count(data: dict) -> int:
    return sum(len(section.rows) for section in data["sections"])


def as_json(data: dict) -> dict:
    """The same data as JSON-ready values (dates in ISO 8601)."""
    return {
        "nik": data["nik"],
        "dibuat": data["produced_at"].isoformat(),
        "bagian": [
            {
                "judul": section.title,
                "baris": [
                    {key: _json(value) for key, value in row.items()} for row in section.rows
                ],
            }
            for section in data["sections"]
        ],
    }


def _json(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _about(model, ids):
    """Access-log rows about these objects of `model`."""
    return Q(object_type=model._meta.label, object_id__in=[str(pk) for pk in ids])


def _rows(queryset, fields):
    return [_row(obj, fields) for obj in queryset]


def _row(obj, fields):
    return {label: _value(obj, path) for label, path in fields}


def _value(obj, path):
    """The value at a dotted path, a choice as its label, a related object as its text."""
    *hops, name = path.split(".")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value)
    if value is None or isinstance(value, str | int | float | bool | datetime.date | dict | list):
        return value
    return str(value)


PERSON = [
    ("NIK", "nik"),
    ("Nama", "name"),
    ("No. KK", "household.number"),
    ("Hubungan dalam keluarga", "relationship"),
    ("Status perkawinan", "marital_status"),
    ("Tempat lahir", "birth_place"),
    ("Tanggal lahir", "birth_date"),
    ("Jenis kelamin", "sex"),
    ("Pekerjaan", "occupation"),
    ("Nomor telepon", "phone"),
    ("Berdomisili sejak", "domicile_since"),
    ("Kalurahan/desa", "household.village.name"),
    ("Dicatat", "created_at"),
    ("Terakhir diubah", "updated_at"),
]
HOUSEHOLD = [
    ("No. KK", "number"),
    ("Kalurahan/desa", "village.name"),
    ("Kapanewon/kecamatan", "village.district.name"),
    ("Dusun", "dusun"),
    ("RT", "rt"),
    ("RW", "rw"),
    ("Alamat", "address"),
]
CHANGE = [
    ("Waktu", "changed_at"),
    ("Data", "field"),
    ("Semula", "old_value"),
    ("Menjadi", "new_value"),
    ("Oleh", "changed_by.username"),
]
LEDGER = [
    ("Nomor", "sequence"),
    ("NIK", "person.nik"),
    ("Jenis", "kind"),
    ("Dasar", "ground"),
    ("Berlaku bulan", "effective_month"),
    ("Bukti", "evidence"),
    ("Divalidasi oleh", "validated_by"),
    ("Tanggal validasi", "validated_on"),
    ("Validasi terhadap", "validated_against"),
    ("Surat SKTM", "letter.number"),
    ("Catatan", "note"),
    ("Dicatat", "recorded_at"),
    ("Oleh", "recorded_by.username"),
]
PARTICIPATION = [
    ("Sejak", "since"),
    ("Sampai", "until"),
    ("Dasar", "ground"),
    ("Kalurahan/desa", "village.name"),
]
ITEM = [
    ("Usulan bulan", "proposal.month"),
    ("Kalurahan/desa", "proposal.village.name"),
    ("NIK diusulkan", "subject.nik"),
    ("Identitas menunggu Tim Verifikasi", "held_identity"),
    ("Jenis", "kind"),
    ("Dasar", "ground"),
    ("Bukti", "evidence"),
    ("Faskes", "faskes.name"),
    ("Ditambahkan", "added_at"),
    ("Oleh", "added_by.username"),
    ("Keputusan", "decision"),
    ("Alasan", "reason"),
    ("Keterangan alasan", "reason_text"),
    ("Diputuskan", "decided_at"),
    ("Diputuskan oleh", "decided_by.username"),
]
PROPOSAL_EVENT = [
    ("Waktu", "at"),
    ("Usulan", "proposal"),
    ("Dari", "from_status"),
    ("Menjadi", "to_status"),
    ("Catatan", "note"),
    ("Oleh", "actor.username"),
]
FORM = [
    ("NIK", "nik"),
    ("Nama pemohon", "applicant_name"),
    ("No. KK", "kk_number"),
    ("Kalurahan/desa", "village.name"),
    ("Dusun", "dusun"),
    ("RT", "rt"),
    ("RW", "rw"),
    ("Pekerjaan", "occupation"),
    ("Nomor telepon", "phone"),
    ("Jumlah tanggungan", "dependants_count"),
    ("Tanggungan", "dependants"),
    ("Kepemilikan rumah", "ownership"),
    ("Dinding", "wall"),
    ("Lantai", "floor"),
    ("Penerangan", "lighting"),
    ("Penghasilan per bulan", "monthly_income"),
    ("Skor", "total_score"),
    ("Status", "status"),
    ("Catatan pengembalian", "return_note"),
    ("Identitas menunggu Tim Verifikasi", "held_identity"),
    ("Dibuat", "created_at"),
    ("Diubah", "updated_at"),
]
FORM_EVENT = [
    ("Waktu", "at"),
    ("Formulir", "form.pk"),
    ("Dari", "from_status"),
    ("Menjadi", "to_status"),
    ("Catatan", "note"),
    ("Oleh", "actor.username"),
]
LETTER = [
    ("Nomor", "number"),
    ("Kalurahan/desa", "village.name"),
    ("Tanggal", "issued_on"),
    ("Berlaku sampai", "valid_until"),
    ("Penanda tangan", "signer_name"),
    ("Jabatan", "signer_title"),
    ("Diterbitkan oleh", "issued_by.username"),
    ("Dicabut", "revoked_at"),
    ("Alasan pencabutan", "revoke_reason"),
    ("Dicabut oleh", "revoked_by.username"),
]
# The checker's own address stays out: it is someone else's personal data.
LETTER_CHECK = [("Waktu", "at"), ("Surat", "letter.number")]
REVERIFICATION = [
    ("Tanggal", "checked_on"),
    ("Kalurahan/desa", "village.name"),
    ("Hasil", "outcome"),
    ("Dasar", "ground"),
    ("Catatan", "note"),
    ("Dicatat", "recorded_at"),
    ("Oleh", "recorded_by.username"),
]
REGISTRY = [
    ("Sumber", "source"),
    ("ID data", "registry_id"),
    ("NIK", "nik"),
    ("Nama", "name"),
    ("No. KK", "household_number"),
    ("Desil", "desil"),
    ("Periode data", "data_period"),
    ("Kalurahan/desa", "village.name"),
    ("Diimpor", "imported_at"),
]
BPJS_RECORD = [
    ("NIK", "person.nik"),
    ("Status di BPJS", "status"),
    ("No. Kartu JKN", "card_number"),
    ("TMT", "tmt"),
    ("Faskes", "faskes.name"),
    ("PISA", "pisa"),
    ("Sumber", "source"),
    ("Tanggal sumber", "source_date"),
    ("Berkas registrasi", "registration_file"),
    ("Catatan", "note"),
    ("Dicatat", "recorded_at"),
    ("Oleh", "recorded_by.username"),
]
BILLING_ROW = [
    ("Bulan tagihan", "file.month"),
    ("Versi", "file.version"),
    ("Nama berkas", "file.filename"),
    ("Baris", "row_number"),
    ("No. Kartu JKN", "card_number"),
    ("NIK", "nik"),
    ("Nama", "name"),
    ("Tanggal lahir", "birth_date"),
    ("No. KK", "household_number"),
    ("TMT", "tmt"),
    ("Status seperti tertulis", "status_text"),
    ("Kode faskes", "faskes_code"),
    ("Nama faskes", "faskes_name"),
    ("Segmen", "segment"),
]
REGISTRATION_LINE = [
    ("Berkas", "file"),
    ("Bulan", "file.month"),
    ("NIK", "person.nik"),
    ("Tindakan", "action"),
    ("TMT", "tmt"),
    ("Faskes", "faskes.name"),
    ("PISA", "pisa"),
    ("Dibuat", "file.created_at"),
    ("Dikirim", "file.sent_on"),
    ("Ditandai terkirim oleh", "file.sent_by.username"),
]
POPULATION_EVENT = [
    ("Ekstrak", "extract"),
    ("Baris", "row_number"),
    ("Peristiwa", "kind"),
    ("NIK", "nik"),
    ("Tanggal peristiwa", "occurred_on"),
    ("No. akta kematian", "death_certificate"),
    ("Tujuan pindah", "destination"),
    ("Kode desa tujuan", "village_code"),
    ("NIK baru", "new_nik"),
    ("No. KK baru", "new_kk_number"),
]
FINDING = [
    ("Bulan", "month"),
    ("Jenis", "kind"),
    ("Kalurahan/desa", "village"),
    ("Keterangan", "note"),
    ("Dasar pengurangan", "ground"),
    ("Divalidasi oleh", "validated_by.username"),
    ("Tanggal validasi", "validated_on"),
    ("Data pembanding", "validated_against"),
    ("Status", "status"),
    ("Diputuskan oleh", "decided_by.username"),
    ("Diputuskan", "decided_at"),
    ("Alasan", "reason_text"),
]
ACCESS = [
    ("Waktu", "at"),
    ("Pengguna", "actor.username"),
    ("Peran", "role"),
    ("Tindakan", "action"),
    ("Data", "what"),
    ("Jumlah baris", "rows"),
]
