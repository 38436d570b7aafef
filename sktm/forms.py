from django import forms

from people.models import Sex, parse_month, validate_birth_date
from people.names import validate_plain_text
from people.nik import nik_warnings, validate_kk, validate_nik
from regions import terminology
from sktm.models import INDICATOR, FormStatus

# A date input shows only an ISO value: "01-12-2026" would leave it blank.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
RT_RW = r"^[0-9]{1,3}$"


class MonthField(forms.CharField):
    """A month written TTTT-BB within the plausible range; the cleaned value stays the text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(max_length=7, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            parse_month(value)
        return value


def _indicator_field(name):
    indicator = INDICATOR[name]
    return forms.TypedChoiceField(
        label=f"{indicator.number}. {indicator.label}",
        choices=[(score, f"{score}. {label}") for score, label in indicator.options],
        coerce=int,
        widget=forms.RadioSelect,
    )


class VerificationFormInput(forms.Form):
    """Lampiran A as the operator fills it; indicators 1 and 6 come from the raw numbers."""

    applicant_name = forms.CharField(
        label="Nama Pemohon", max_length=150, validators=[validate_plain_text]
    )
    nik = forms.CharField(label="NIK", max_length=16, min_length=16, validators=[validate_nik])
    kk_number = forms.CharField(
        label="No. KK", max_length=16, min_length=16, validators=[validate_kk]
    )
    birth_place = forms.CharField(
        label="Tempat lahir", max_length=100, required=False, validators=[validate_plain_text]
    )
    birth_date = forms.DateField(
        label="Tanggal lahir", required=False, widget=DATE_INPUT, validators=[validate_birth_date]
    )
    sex = forms.ChoiceField(
        label="Jenis kelamin", choices=[("", "—"), *Sex.choices], required=False
    )
    dusun = forms.CharField(label="Dusun", max_length=100, validators=[validate_plain_text])
    rt = forms.RegexField(
        label="RT", regex=RT_RW, error_messages={"invalid": "RT berupa 1 sampai 3 angka (0-9)."}
    )
    rw = forms.RegexField(
        label="RW", regex=RT_RW, error_messages={"invalid": "RW berupa 1 sampai 3 angka (0-9)."}
    )
    occupation = forms.CharField(
        label="Pekerjaan", max_length=100, validators=[validate_plain_text]
    )
    phone = forms.RegexField(
        label="No. Hp",
        regex=r"^\+?\d{8,15}$",
        required=False,
        error_messages={"invalid": "No. Hp berupa 8-15 angka."},
    )
    dependants_count = forms.IntegerField(
        label="Jumlah jiwa yang menjadi tanggungan Kepala Keluarga",
        min_value=1,
        max_value=99,
        help_text="Isi jumlah orangnya; pilihan indikator 1 ditentukan otomatis.",
    )
    ownership = _indicator_field("ownership")
    wall = _indicator_field("wall")
    floor = _indicator_field("floor")
    lighting = _indicator_field("lighting")
    monthly_income = forms.DecimalField(
        label="Pendapatan per bulan (Rp)",
        min_value=0,
        max_digits=12,
        decimal_places=0,
        help_text="Isi jumlah rupiahnya; pilihan indikator 6 dibandingkan dengan UMK otomatis.",
    )

    confirm_warnings = forms.BooleanField(
        label="Saya sudah memeriksa peringatan NIK di atas dan data ini benar.", required=False
    )

    def clean_applicant_name(self):
        return " ".join(self.cleaned_data["applicant_name"].split())

    def clean(self):
        data = super().clean()
        # A NIK is issued once for life: a foreign prefix or a date or sex that disagrees is a
        # warning the operator confirms, never a refusal.
        self.warnings = []
        if "nik" in data:
            self.warnings = nik_warnings(
                data["nik"],
                regency_code=terminology.current().regency_code,
                birth_date=data.get("birth_date"),
                sex=data.get("sex", ""),
            )
        if self.warnings and not data.get("confirm_warnings"):
            self.add_error(
                "confirm_warnings", "Periksa peringatan NIK, lalu centang konfirmasi ini."
            )
        return data


# A typed NIK looked up among the residents of the user's own village (issue 15 section 5). A NIK
# recorded in another village gets this same answer: whether a NIK exists elsewhere, and where,
# is personal data the village has no business with.
NOT_REGISTERED = "Belum terdaftar di desa ini: isi datanya."


class NikLookupForm(forms.Form):
    nik = forms.CharField(min_length=16, max_length=16, validators=[validate_nik])

    def error_message(self):
        return " ".join(self.errors.get("nik", ["NIK harus 16 digit angka."]))


def resident_values(person):
    """What is recorded of a resident, under the identity fields' names of the SKTM and Usulan
    forms and as their inputs take it (dates in ISO form, choices by code); empty ones left out."""
    household = person.household
    values = {
        "name": person.name,
        "kk_number": household.number,
        "birth_place": person.birth_place,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "sex": person.sex,
        "relationship": person.relationship,
        "marital_status": person.marital_status,
        "occupation": person.occupation,
        "phone": person.phone,
        "dusun": household.dusun,
        "rt": household.rt,
        "rw": household.rw,
        "domicile_since": person.domicile_since.isoformat() if person.domicile_since else "",
    }
    return {field: str(value) for field, value in values.items() if value not in (None, "")}


class NoteForm(forms.Form):
    """The note a decision carries; `label` names it after its action, `auto_id` keeps the
    ids of two such forms on one page apart."""

    note = forms.CharField(
        label="Catatan", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, label="Catatan", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label


class FormFilter(forms.Form):
    q = forms.CharField(
        label="Cari NIK atau nama",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Semua"), *FormStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = MonthField(
        label="Bulan",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )
    category = forms.ChoiceField(
        label="Kategori",
        required=False,
        choices=[("", "Semua"), ("poor", "Skor ≥ 10"), ("not_poor", "Skor < 10")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
