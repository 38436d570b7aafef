import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from feeds import services
from jobs import uploads
from people.models import parse_month
from regions import terminology


def _month(text: str) -> datetime.date:
    try:
        return parse_month(text)
    except ValidationError as error:
        raise forms.ValidationError(error.messages) from None


class ExtractForm(forms.Form):
    period = forms.CharField(
        label="Periode ekstrak",
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="Bulan peristiwa yang dimuat ekstrak (TTTT-BB).",
    )
    file = forms.FileField(label="Berkas ekstrak peristiwa dari Dukcapil (.xlsx atau .csv)")

    def clean_period(self):
        try:
            return services.check_period(_month(self.cleaned_data["period"]))
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_file(self):
        return uploads.checked_upload(self.cleaned_data["file"])


class FindingsFilter(forms.Form):
    """The month of the findings page, its area and the kind of case listed."""

    bulan = forms.CharField(label="Bulan", widget=forms.TextInput(attrs={"type": "month"}))
    kapanewon = forms.ModelChoiceField(label="Wilayah", queryset=None, required=False)
    desa = forms.ModelChoiceField(label="Desa", queryset=None, required=False)
    jenis = forms.ChoiceField(label="Jenis temuan", required=False)

    def __init__(self, *args, districts, villages, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terminology.current()
        self.fields["kapanewon"].queryset = districts
        self.fields["kapanewon"].label = terms.district
        self.fields["kapanewon"].empty_label = "Semua"
        self.fields["desa"].queryset = villages
        self.fields["desa"].label = terms.village
        self.fields["desa"].empty_label = "Semua"
        self.fields["jenis"].choices = [("", "Semua"), *kinds]

    def clean_bulan(self):
        return _month(self.cleaned_data["bulan"])

    def clean(self):
        data = super().clean()
        district, village = data.get("kapanewon"), data.get("desa")
        if district and village and village.district_id != district.pk:
            raise forms.ValidationError("Desa itu tidak berada di wilayah yang dipilih.")
        return data

    @property
    def area(self):
        return self.cleaned_data["desa"] or self.cleaned_data["kapanewon"]


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"
