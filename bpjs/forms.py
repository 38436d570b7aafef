import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from bpjs import services
from bpjs.models import Pisa, Status
from jobs import uploads
from people.models import parse_month
from regions import terminology
from regions.models import HealthFacility
from sktm.forms import DATE_INPUT


class RecordForm(forms.Form):
    """One row of a person's BPJS history, as the Tim Verifikasi learnt it."""

    status = forms.ChoiceField(label="Status di BPJS", choices=Status.choices)
    source_date = forms.DateField(label="Tanggal sumber", widget=DATE_INPUT)
    card_number = forms.CharField(label="No. Kartu JKN", max_length=13, required=False)
    tmt = forms.DateField(label="TMT", required=False, widget=DATE_INPUT)
    faskes = forms.ModelChoiceField(
        label="Faskes terdaftar", queryset=HealthFacility.objects.none(), required=False
    )
    pisa = forms.TypedChoiceField(
        label="PISA",
        choices=[("", "Dari hubungan dalam keluarga"), *Pisa.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_date"].initial = timezone.localdate()
        self.fields["faskes"].queryset = HealthFacility.objects.filter(
            district__regency=person.household.village.district.regency_id, is_active=True
        )


class MonthForm(forms.Form):
    month = forms.RegexField(
        label="Bulan",
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB."},
    )
    district = forms.ModelChoiceField(
        label="Wilayah", queryset=None, required=False, empty_label="Seluruh kabupaten"
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["district"].label = terminology.current().district

    def clean_month(self):
        return parse_month(self.cleaned_data["month"])


class SentForm(forms.Form):
    sent_on = forms.DateField(label="Tanggal diunggah ke e-Dabu", widget=DATE_INPUT)


class ParticipantFilter(forms.Form):
    status = forms.ChoiceField(
        label="Status di BPJS", choices=[("", "Semua"), *Status.choices], required=False
    )
    district = forms.ModelChoiceField(label="Wilayah", queryset=None, required=False)
    village = forms.ModelChoiceField(label="Desa", queryset=None, required=False)

    def __init__(self, *args, districts, villages, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terminology.current()
        self.fields["district"].queryset = districts
        self.fields["district"].label = terms.district
        self.fields["district"].empty_label = "Semua"
        self.fields["village"].queryset = villages
        self.fields["village"].label = terms.village
        self.fields["village"].empty_label = "Semua"


class BillingForm(forms.Form):
    month = forms.RegexField(
        label="Bulan tagihan",
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB."},
    )
    file = forms.FileField(label="Berkas data peserta dari BPJS (.xlsx atau .csv)")

    def clean_month(self):
        try:
            return services.check_billing_month(parse_month(self.cleaned_data["month"]))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_file(self):
        return uploads.checked_upload(self.cleaned_data["file"])


class ReconciliationForm(forms.Form):
    """The month reconciled, its area and the category listed."""

    bulan = forms.RegexField(
        label="Bulan",
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB.", "required": "Pilih bulan."},
    )
    kapanewon = forms.ModelChoiceField(label="Wilayah", queryset=None, required=False)
    desa = forms.ModelChoiceField(label="Desa", queryset=None, required=False)
    kategori = forms.ChoiceField(label="Kategori", required=False)

    def __init__(self, *args, districts, villages, categories, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terminology.current()
        self.fields["kapanewon"].queryset = districts
        self.fields["kapanewon"].label = terms.district
        self.fields["kapanewon"].empty_label = "Semua"
        self.fields["desa"].queryset = villages
        self.fields["desa"].label = terms.village
        self.fields["desa"].empty_label = "Semua"
        self.fields["kategori"].choices = [("", "Semua selisih"), *categories.items()]

    def clean_bulan(self):
        year, month = map(int, self.cleaned_data["bulan"].split("-"))
        if not (1 <= month <= 12 and year):
            raise forms.ValidationError("Bulan tidak sah.")
        chosen = datetime.date(year, month, 1)
        if chosen < services.JKN_START:
            raise forms.ValidationError("Bulan sebelum JKN dimulai (Januari 2014).")
        try:
            return services.check_billing_month(chosen)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def job_arguments(self):
        """The month and area chosen, as a background job's JSON arguments."""
        data = self.cleaned_data
        return {
            "month": data["bulan"].isoformat(),
            "district": data["kapanewon"].pk if data["kapanewon"] else None,
            "village": data["desa"].pk if data["desa"] else None,
        }

    def clean(self):
        data = super().clean()
        district, village = data.get("kapanewon"), data.get("desa")
        if district and village and village.district_id != district.pk:
            raise forms.ValidationError("Desa itu tidak berada di wilayah yang dipilih.")
        return data

    @property
    def area(self):
        return self.cleaned_data["desa"] or self.cleaned_data["kapanewon"]
