from django import forms

from instructions import attachments
from instructions.models import LineStatus
from instructions.overview import CellStatus, RowKind
from people.names import validate_no_controls


class LineForm(forms.Form):
    """What the addressee writes for one item; prefixed by the line's id."""

    status = forms.ChoiceField(label="Status", choices=LineStatus.choices)
    narrative = forms.CharField(
        label="Uraian pelaksanaan",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_controls],
    )
    figure = forms.DecimalField(
        label="Angka", required=False, min_value=0, max_digits=18, decimal_places=2
    )
    figure_unit = forms.CharField(label="Satuan", required=False, max_length=40)
    upload = forms.FileField(
        label="Tambah lampiran (PDF, JPEG, PNG; maks. "
        f"{attachments.MAX_BYTES // (1024 * 1024)} MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": attachments.ACCEPT}),
    )

    def clean(self):
        data = super().clean()
        if data.get("figure") is not None and not data.get("figure_unit", "").strip():
            self.add_error("figure_unit", "Sebutkan satuan angka (mis. Rupiah, orang).")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Catatan untuk desa",
        max_length=2000,
        validators=[validate_no_controls],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PeriodForm(forms.Form):
    """The period a new report is opened for, by its first day."""

    period_start = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Periode laporan tidak sah.",
            "invalid": "Periode laporan tidak sah.",
        },
    )


class MatrixFilter(forms.Form):
    kind = forms.ChoiceField(label="Penerima", choices=RowKind.choices, required=False)
    district = forms.ChoiceField(label="Kecamatan", required=False)
    year = forms.TypedChoiceField(label="Tahun", coerce=int, required=False)
    status = forms.ChoiceField(
        label="Baris dengan", choices=[("", "semua status"), *CellStatus.choices], required=False
    )

    def __init__(self, data, *, districts, years, district_label):
        super().__init__(data)
        self.fields["district"].label = district_label
        self.fields["district"].choices = [("", "semua")] + [(d.code, d.name) for d in districts]
        self.fields["year"].choices = [("", "semua")] + [(y, y) for y in years]
