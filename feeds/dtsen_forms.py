from django import forms

from feeds import dtsen
from regions.models import HealthFacility, Village

_DOMICILE_DOCUMENTS = [("KTP dan KK", "KTP dan KK"), ("KTP", "KTP"), ("KK", "KK")]


class CandidateFilter(forms.Form):
    """`?kapanewon=<code>` or `?desa=<code>` inside the user's area, and the page."""

    kapanewon = forms.CharField(max_length=20, required=False)
    desa = forms.CharField(max_length=20, required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def value(self, name, default):
        return (self.cleaned_data.get(name) if self.is_valid() else None) or default


class CandidateAddForm(forms.Form):
    """One calon usulan into this month's Usulan: the listing and the declarations ground c.1
    asks of the village (faskes, proof of domicile, no other health cover). Rendered once
    per row, so without ids."""

    listing = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    faskes = forms.ModelChoiceField(
        label="Faskes tingkat pertama",
        queryset=HealthFacility.objects.none(),
        error_messages={"required": "Pilih faskes tingkat pertama peserta."},
    )
    domicile_document = forms.ChoiceField(label="Bukti domisili", choices=_DOMICILE_DOCUMENTS)
    no_other_cover = forms.BooleanField(
        label="Tidak memiliki jaminan kesehatan lain", required=False
    )

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, auto_id=False, **kwargs)
        active = HealthFacility.objects.filter(is_active=True).select_related("district")
        self.fields["faskes"].queryset = active.filter(
            district__regency=village.district.regency_id
        )
        self.fields["faskes"].initial = dtsen.first_faskes(village)
        # Rendered once per row: the options are read once.
        self.fields["faskes"].choices = list(self.fields["faskes"].choices)
        for name in ("faskes", "domicile_document"):
            self.fields[name].widget.attrs.update(
                {"class": "form-select form-select-sm", "aria-label": self.fields[name].label}
            )
        self.fields["no_other_cover"].widget.attrs["class"] = "form-check-input"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "faskes": data["faskes"],
            "domicile_document": data["domicile_document"],
            # Unticked is a missing declaration, which the ground's check names, not a cover.
            "has_other_cover": False if data["no_other_cover"] else None,
        }
