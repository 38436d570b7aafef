import datetime

from django import forms
from django.utils import timezone

from enrollment.models import REMOVAL_GROUNDS, Ground
from oversight.models import Outcome
from people.models import Person
from people.names import validate_no_controls
from regions.months import month_start
from verification.forms import GROUND_FIELDS, RemovalEvidenceFields, ground_evidence

_DATE = forms.DateInput(attrs={"type": "date"})
# Each evidence field and the removal grounds that ask for it (shown only for those).
EVIDENCE_FIELDS = {}
for _ground in REMOVAL_GROUNDS:
    for _name in GROUND_FIELDS[_ground]:
        EVIDENCE_FIELDS.setdefault(_name, []).append(_ground.value)


def _today():
    return timezone.localdate()


class ReverificationForm(RemovalEvidenceFields):
    """One participant's re-verification; not eligible takes the Pasal 5 ayat (2) ground and
    its evidence, as a removal in an Usulan does."""

    field_order = ["checked_on", "outcome", "ground"]

    checked_on = forms.DateField(label="Tanggal verifikasi ulang", widget=_DATE, initial=_today)
    outcome = forms.ChoiceField(
        label="Hasil", choices=Outcome.choices, widget=forms.RadioSelect, initial=Outcome.ELIGIBLE
    )
    ground = forms.ChoiceField(
        label="Dasar pengurangan (Pasal 5 ayat 2)",
        choices=[("", "—"), *[(g.value, g.label) for g in REMOVAL_GROUNDS]],
        required=False,
    )
    note = forms.CharField(
        label="Catatan",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_controls],
    )

    def clean(self):
        data = super().clean()
        self.duplicate_of = None
        if data.get("outcome") != Outcome.INELIGIBLE:
            return data
        ground = data.get("ground")
        if not ground:
            self.add_error("ground", "Pilih dasar pengurangan.")
            return data
        if ground == Ground.DUPLICATE:
            nik = data.get("duplicate_nik", "")
            self.duplicate_of = Person.objects.filter(nik=nik).first() if nik else None
            if self.duplicate_of is None:
                self.add_error("duplicate_nik", "NIK pasangan data ganda belum terdaftar.")
        return data

    def service_arguments(self):
        data = self.cleaned_data
        arguments = {
            "checked_on": data["checked_on"],
            "outcome": data["outcome"],
            "note": data.get("note", ""),
        }
        if data["outcome"] == Outcome.INELIGIBLE:
            ground = Ground(data["ground"])
            arguments |= {
                "ground": ground,
                "evidence": ground_evidence(ground, data),
                "duplicate_of": self.duplicate_of,
            }
        return arguments


class BulkForm(forms.Form):
    checked_on = forms.DateField(label="Tanggal verifikasi ulang", widget=_DATE, initial=_today)
    note = forms.CharField(
        label="Catatan (untuk semua)",
        max_length=2000,
        required=False,
        validators=[validate_no_controls],
    )


class MonthForm(forms.Form):
    bulan = forms.RegexField(
        label="Bulan",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB."},
    )

    def month(self):
        value = self.cleaned_data.get("bulan") if self.is_valid() else ""
        if not value:
            return month_start(_today())
        year, month = map(int, value.split("-"))
        return datetime.date(year, month, 1)


class YearForm(forms.Form):
    tahun = forms.IntegerField(label="Tahun", min_value=2000, required=False)

    def year(self):
        value = self.cleaned_data.get("tahun") if self.is_valid() else None
        return min(value or _today().year, _today().year)
