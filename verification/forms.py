from django import forms

from enrollment.models import ADDITION_GROUNDS, Ground, Kind, Segment
from people.models import (
    MaritalStatus,
    Person,
    Relationship,
    Sex,
    parse_month,
    validate_birth_date,
    validate_domicile_since,
    validate_past_date,
)
from people.names import validate_no_controls, validate_plain_text
from people.nik import validate_kk, validate_nik
from regions import terminology
from regions.models import HealthFacility
from sktm.forms import DATE_INPUT, RT_RW, MonthField
from verification.models import PROPOSAL_GROUNDS, Decision, ProposalStatus, RejectReason

_DATE = DATE_INPUT
IDENTITY_FIELDS = [
    "name",
    "kk_number",
    "birth_place",
    "birth_date",
    "sex",
    "relationship",
    "marital_status",
    "occupation",
    "dusun",
    "rt",
    "rw",
]
# The evidence each ground asks for, as form fields; shown only for that ground.
GROUND_FIELDS = {
    Ground.NEWBORN: ["mother_nik", "birth_certificate"],
    Ground.FAMILY: ["no_other_cover"],
    Ground.DTKS: [
        "domicile_since",
        "domicile_document",
        "no_other_cover",
        "dtks_source",
        "dtks_id",
        "desil",
        "data_period",
        "checked_on",
    ],
    Ground.SKTM: ["domicile_since", "domicile_document", "no_other_cover"],
    Ground.DIED: ["death_date", "death_certificate"],
    Ground.DUPLICATE: ["duplicate_nik"],
    Ground.SEGMENT: ["segment", "segment_since"],
    Ground.MOVED_OUT: ["destination", "moved_on"],
}


# Form fields that name a record rather than hold evidence, and the ledger's names for others.
_NOT_EVIDENCE = {"mother_nik", "duplicate_nik", "domicile_since"}
_LEDGER_NAMES = {"dtks_source": "source", "segment_since": "since"}


def ground_evidence(ground, data):
    """The ledger's evidence for `ground` from a form's cleaned data: the ground's fields under
    the ledger's names, dates in ISO form."""
    evidence = {}
    for name in GROUND_FIELDS[ground]:
        value = data.get(name)
        if name in _NOT_EVIDENCE or value in (None, ""):
            continue
        if name == "no_other_cover":
            evidence["has_other_cover"] = not value
        else:
            value = value.isoformat() if hasattr(value, "isoformat") else value
            evidence[_LEDGER_NAMES.get(name, name)] = value
    return evidence


class RemovalEvidenceFields(forms.Form):
    """The evidence of the Pasal 5 ayat (2) grounds, shared by every form that proposes a
    removal."""

    death_date = forms.DateField(
        label="Tanggal meninggal", required=False, widget=_DATE, validators=[validate_past_date]
    )
    death_certificate = forms.CharField(label="No. akta kematian", max_length=50, required=False)
    duplicate_nik = forms.CharField(label="NIK data pasangannya", max_length=16, required=False)
    segment = forms.ChoiceField(
        label="Pindah ke segmen", choices=[("", "—"), *Segment.choices], required=False
    )
    segment_since = forms.DateField(
        label="Sejak", required=False, widget=_DATE, validators=[validate_past_date]
    )
    destination = forms.CharField(label="Daerah tujuan", max_length=150, required=False)
    moved_on = forms.DateField(
        label="Tanggal pindah", required=False, widget=_DATE, validators=[validate_past_date]
    )


class ItemForm(RemovalEvidenceFields):
    """One person for the month's Usulan: who, on which Pasal 5 ground, with its evidence. A
    resident not yet recorded in the village is entered here with the Lampiran D columns."""

    ground = forms.ChoiceField(
        label="Dasar (Pasal 5)", choices=[(g.value, g.label) for g in PROPOSAL_GROUNDS]
    )
    nik = forms.CharField(label="NIK", min_length=16, max_length=16, validators=[validate_nik])

    name = forms.CharField(
        label="Nama", max_length=150, required=False, validators=[validate_plain_text]
    )
    kk_number = forms.CharField(
        label="No. KK", min_length=16, max_length=16, required=False, validators=[validate_kk]
    )
    birth_place = forms.CharField(
        label="Tempat lahir", max_length=100, required=False, validators=[validate_plain_text]
    )
    birth_date = forms.DateField(
        label="Tanggal lahir", required=False, widget=_DATE, validators=[validate_birth_date]
    )
    sex = forms.ChoiceField(
        label="Jenis kelamin", choices=[("", "—"), *Sex.choices], required=False
    )
    relationship = forms.TypedChoiceField(
        label="Hubungan keluarga",
        choices=[("", "—"), *Relationship.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    marital_status = forms.TypedChoiceField(
        label="Status perkawinan",
        choices=[("", "—"), *MaritalStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    occupation = forms.CharField(
        label="Pekerjaan", max_length=100, required=False, validators=[validate_plain_text]
    )
    dusun = forms.CharField(
        label="Dusun", max_length=100, required=False, validators=[validate_plain_text]
    )
    rt = forms.RegexField(
        label="RT",
        regex=RT_RW,
        required=False,
        error_messages={"invalid": "RT berupa 1 sampai 3 angka (0-9)."},
    )
    rw = forms.RegexField(
        label="RW",
        regex=RT_RW,
        required=False,
        error_messages={"invalid": "RW berupa 1 sampai 3 angka (0-9)."},
    )

    faskes = forms.ModelChoiceField(
        label="Faskes tingkat pertama",
        queryset=HealthFacility.objects.none(),
        required=False,
        help_text="Wajib untuk penambahan.",
    )
    domicile_since = forms.DateField(
        label="Berdomisili di kabupaten sejak",
        required=False,
        widget=_DATE,
        validators=[validate_domicile_since],
    )
    domicile_document = forms.ChoiceField(
        label="Bukti domisili",
        choices=[("", "—"), ("KTP", "KTP"), ("KK", "KK"), ("KTP dan KK", "KTP dan KK")],
        required=False,
    )
    no_other_cover = forms.BooleanField(
        label="Tidak memiliki jaminan kesehatan lain", required=False
    )
    mother_nik = forms.CharField(
        label="NIK ibu (peserta PBI Pemda)",
        max_length=16,
        required=False,
        validators=[validate_nik],
        help_text="Ibu yang tercatat di desa lain diperiksa oleh Tim Verifikasi.",
    )
    birth_certificate = forms.CharField(
        label="No. akta kelahiran (jika ada)", max_length=50, required=False
    )
    dtks_source = forms.ChoiceField(
        label="Sumber data",
        choices=[("", "—"), ("DTKS", "DTKS"), ("DTSEN", "DTSEN")],
        required=False,
    )
    dtks_id = forms.CharField(label="ID DTKS/DTSEN", max_length=50, required=False)
    desil = forms.IntegerField(label="Desil (DTSEN)", min_value=1, max_value=10, required=False)
    data_period = forms.CharField(label="Periode data", max_length=20, required=False)
    checked_on = forms.DateField(
        label="Tanggal dicek", required=False, widget=_DATE, validators=[validate_past_date]
    )

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["faskes"].queryset = HealthFacility.objects.filter(
            district__regency=village.district.regency_id, is_active=True
        ).select_related("district")
        self.fields["faskes"].initial = (
            HealthFacility.objects.filter(district=village.district_id, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )

    def required_nik(self, field, label):
        nik = self.cleaned_data.get(field, "")
        if not nik:
            self.add_error(field, f"{label} wajib diisi untuk dasar ini.")
        return nik

    def village_resident(self, field, label):
        """The resident of this village with the NIK in `field`. Residents of other villages
        are not looked up: whether a NIK exists elsewhere is none of the village's business."""
        nik = self.required_nik(field, label)
        if not nik:
            return None
        person = Person.objects.filter(nik=nik, household__village=self.village).first()
        if person is None:
            self.add_error(field, f"{label} {nik} tidak terdaftar sebagai penduduk desa ini.")
        return person

    def clean(self):
        data = super().clean()
        ground = data.get("ground")
        if not ground:
            return data
        # Looked up in the village only: a NIK recorded elsewhere asks for the same identity
        # fields as an unknown one.
        self.person = (
            Person.objects.select_related("household")
            .filter(nik=data.get("nik"), household__village=self.village)
            .first()
        )
        if self.person is None:
            missing = [field for field in IDENTITY_FIELDS if data.get(field) in (None, "")]
            for field in missing:
                self.add_error(field, "Wajib diisi untuk penduduk yang belum terdata.")
        if ground in ADDITION_GROUNDS and not data.get("faskes"):
            self.add_error("faskes", "Pilih faskes tingkat pertama peserta.")
        if ground in (Ground.FAMILY, Ground.DTKS, Ground.SKTM) and not data.get("no_other_cover"):
            self.add_error(
                "no_other_cover",
                "Centang pernyataan bahwa penduduk tidak memiliki jaminan kesehatan lain: "
                "dasar ini hanya untuk penduduk tanpa jaminan lain.",
            )
        if ground in (Ground.DTKS, Ground.SKTM) and not data.get("domicile_document"):
            self.add_error("domicile_document", "Pilih bukti domisili (KTP dan/atau KK).")
        # Ground a: the mother may live in another village; the Usulan's services find her.
        self.mother_nik = (
            self.required_nik("mother_nik", "NIK ibu") if ground == Ground.NEWBORN else ""
        )
        self.duplicate_of = (
            self.village_resident("duplicate_nik", "NIK pasangan data ganda")
            if ground == Ground.DUPLICATE
            else None
        )
        return data

    def person_data(self):
        """person_record's arguments: the form's identity fields, falling back to what is
        recorded for a known resident."""
        data = self.cleaned_data
        known = self.person
        fallback = {
            "name": known.name if known else "",
            "kk_number": known.household.number if known else "",
            "dusun": known.household.dusun if known else "",
            "rt": known.household.rt if known else "",
            "rw": known.household.rw if known else "",
        }
        values = {field: data.get(field) for field in [*IDENTITY_FIELDS, "domicile_since"]}
        return {
            field: value if value not in (None, "") else fallback.get(field, value)
            for field, value in values.items()
        }

    def item_fields(self):
        """The ProposalItem's ground, evidence and linked records."""
        data = self.cleaned_data
        ground = Ground(data["ground"])
        return {
            "kind": Kind.ADDITION if ground in ADDITION_GROUNDS else Kind.REMOVAL,
            "ground": ground,
            "evidence": ground_evidence(ground, data),
            "mother_nik": self.mother_nik,
            "duplicate_of": self.duplicate_of,
            "faskes": data.get("faskes") if ground in ADDITION_GROUNDS else None,
        }


class SubmitForm(forms.Form):
    place = forms.CharField(
        label="Tempat penandatanganan",
        max_length=100,
        error_messages={"required": "Tempat penandatanganan wajib diisi."},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Catatan untuk desa",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_no_controls],
        error_messages={"required": "Tuliskan catatan untuk desa: apa yang harus diperbaiki."},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Decision.APPROVED, "Setujui"), (Decision.REJECTED, "Tolak")]
    )
    reason = forms.ChoiceField(
        label="Alasan penolakan", choices=[("", "—"), *RejectReason.choices], required=False
    )
    reason_text = forms.CharField(
        label="Keterangan untuk desa",
        max_length=2000,
        required=False,
        widget=forms.TextInput,
        validators=[validate_no_controls],
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.REJECTED and not data.get("reason"):
            self.add_error("reason", "Pilih alasan penolakan.")
        return data


class ValidationForm(forms.Form):
    validated_on = forms.DateField(
        label="Tanggal validasi", widget=_DATE, validators=[validate_past_date]
    )
    validated_against = forms.CharField(
        label="Data pembanding",
        max_length=255,
        help_text="Mis. data SIAK Disdukcapil per tanggal, akta kematian, surat pindah.",
    )


class HeldDecisionForm(forms.Form):
    """The Tim Verifikasi's answer on an SKTM applicant recorded in another village."""

    decision = forms.ChoiceField(
        choices=[("accept", "Terima: keluarga pindah ke desa pemohon"), ("refuse", "Tolak")]
    )
    reason = forms.CharField(
        label="Alasan untuk desa",
        max_length=2000,
        required=False,
        widget=forms.TextInput,
        validators=[validate_no_controls],
    )


class QueueFilter(forms.Form):
    district = forms.ModelChoiceField(label="Kapanewon", queryset=None, required=False)
    village = forms.CharField(label="Desa", max_length=100, required=False)
    month = MonthField(label="Bulan", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Semua"), *[c for c in ProposalStatus.choices if c[0] != "draft"]],
    )
    waiting_days = forms.IntegerField(
        label="Menunggu paling sedikit (hari)", min_value=0, max_value=3650, required=False
    )

    def __init__(self, *args, districts, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["district"].label = terms.district
        self.fields["village"].label = f"{terms.village} (nama)"


class ExportForm(forms.Form):
    month = MonthField(label="Bulan")
    district = forms.ModelChoiceField(
        label="Wilayah", queryset=None, required=False, empty_label="Seluruh kabupaten"
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("xlsx", "Excel (.xlsx), siap cetak"), ("csv", "CSV")],
        required=False,
        initial="xlsx",
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["district"].label = terminology.current().district

    def clean_month(self):
        return parse_month(self.cleaned_data["month"])
