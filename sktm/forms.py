from django import forms

from people.models import Sex
from people.names import validate_plain_text
from people.nik import nik_warnings, validate_kk, validate_nik
from regions import terminology
from sktm.models import INDICATOR, FormStatus


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
        label="Tanggal lahir", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(
        label="Jenis kelamin", choices=[("", "—"), *Sex.choices], required=False
    )
    dusun = forms.CharField(label="Dusun", max_length=100, validators=[validate_plain_text])
    rt = forms.RegexField(
        label="RT", regex=r"^\d{1,3}$", error_messages={"invalid": "RT berupa angka."}
    )
    rw = forms.RegexField(
        label="RW", regex=r"^\d{1,3}$", error_messages={"invalid": "RW berupa angka."}
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


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Catatan", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class FormFilter(forms.Form):
    q = forms.CharField(label="Cari NIK atau nama", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Semua"), *FormStatus.choices]
    )
    month = forms.RegexField(
        label="Bulan",
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB."},
    )
    category = forms.ChoiceField(
        label="Kategori",
        required=False,
        choices=[("", "Semua"), ("poor", "Skor ≥ 10"), ("not_poor", "Skor < 10")],
    )
