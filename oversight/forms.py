import datetime
import hashlib

from django import forms
from django.utils import timezone

from enrollment.models import REMOVAL_GROUNDS, Ground
from oversight import schedule
from oversight.models import Outcome
from people.models import Person
from people.names import validate_no_controls
from regions.months import month_start
from sktm.forms import DATE_INPUT
from verification.forms import GROUND_FIELDS, RemovalEvidenceFields, ground_evidence

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

    checked_on = forms.DateField(
        label="Tanggal verifikasi ulang", widget=DATE_INPUT, initial=_today
    )
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


def list_digest(person_ids) -> str:
    """A short fingerprint of the participants a bulk page listed, so the POST records exactly
    the list the user saw (the list is chosen again on the server, not posted)."""
    joined = ",".join(str(pk) for pk in sorted(person_ids))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


class BulkForm(forms.Form):
    """A village's list recorded as still eligible, except the participants ticked to leave
    out: the form posts only those (a village holds more participants than a request may
    carry fields, DATA_UPLOAD_MAX_NUMBER_FIELDS)."""

    checked_on = forms.DateField(
        label="Tanggal verifikasi ulang", widget=DATE_INPUT, initial=_today
    )
    note = forms.CharField(
        label="Catatan (untuk semua)",
        max_length=2000,
        required=False,
        validators=[validate_no_controls],
    )
    semua = forms.BooleanField(required=False, widget=forms.HiddenInput)
    shown = forms.CharField(max_length=16, widget=forms.HiddenInput)
    skip = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_ids = [row.person_id for row in rows]
        self.fields["skip"].choices = [(pk, pk) for pk in self.person_ids]
        self.fields["skip"].error_messages["invalid_choice"] = (
            "Peserta yang dilewati tidak ada dalam daftar; muat ulang halaman ini."
        )
        self.fields["shown"].initial = list_digest(self.person_ids)

    def clean_shown(self):
        if self.cleaned_data["shown"] != list_digest(self.person_ids):
            raise forms.ValidationError(
                "Daftar peserta berubah sejak halaman ini dibuka; periksa lagi daftarnya lalu "
                "simpan. Tidak ada yang dicatat."
            )
        return self.cleaned_data["shown"]

    def people(self):
        """The participants to record: the list less those left out."""
        skipped = set(self.cleaned_data["skip"])
        return [pk for pk in self.person_ids if pk not in skipped]


# The months and years the figures cover: the programme's records start after 2000, and a
# month further ahead than next year is a mistyped year (`9999-12`, `0000-01`).
FIRST_YEAR = 2000


def _last_year():
    return _today().year + 1


class AreaForm(forms.Form):
    """`?kapanewon=<code>` or `?desa=<code>`: which part of the user's area a page covers."""

    kapanewon = forms.CharField(max_length=20, required=False)
    desa = forms.CharField(max_length=20, required=False)


class MonthForm(forms.Form):
    bulan = forms.RegexField(
        label="Bulan",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": "Bulan berbentuk TTTT-BB, misalnya 2026-01."},
    )

    def clean_bulan(self):
        value = self.cleaned_data["bulan"]
        if value and not FIRST_YEAR <= int(value[:4]) <= _last_year():
            raise forms.ValidationError(
                f"Bulan di luar rentang: pilih antara 01-{FIRST_YEAR} dan 12-{_last_year()}."
            )
        return value

    def month(self):
        value = self.cleaned_data.get("bulan") if self.is_valid() else ""
        if not value:
            return month_start(_today())
        year, month = map(int, value.split("-"))
        return datetime.date(year, month, 1)


class YearForm(forms.Form):
    tahun = forms.IntegerField(
        label="Tahun",
        required=False,
        error_messages={"invalid": "Tahun berupa angka, misalnya 2026."},
    )

    def clean_tahun(self):
        value = self.cleaned_data["tahun"]
        if value is not None and not FIRST_YEAR <= value <= _last_year():
            raise forms.ValidationError(
                f"Tahun di luar rentang: pilih antara {FIRST_YEAR} dan {_last_year()}."
            )
        return value

    def year(self):
        value = self.cleaned_data.get("tahun") if self.is_valid() else None
        return min(value or _today().year, _today().year)


class FigureForm(forms.Form):
    """`?grafik=<key>`: one figure of the dashboard's export."""

    grafik = forms.SlugField(max_length=50, required=False)


class ReverificationFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Jatuh tempo dan lewat"), *schedule.Status.choices], required=False
    )
    page = forms.IntegerField(min_value=1, required=False)

    def value(self, name, default):
        return (self.cleaned_data.get(name) if self.is_valid() else None) or default


class EveryoneForm(forms.Form):
    """`?semua=1`: every active participant of the village, not only those due."""

    semua = forms.BooleanField(required=False)

    def everyone(self):
        return self.is_valid() and self.cleaned_data["semua"]
