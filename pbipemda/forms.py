import re

from django import forms

_NIK = re.compile(r"[0-9]{16}")


class SubjectAccessForm(forms.Form):
    nik = forms.CharField(
        label="NIK",
        max_length=16,
        help_text="NIK orang yang meminta datanya (UU 27/2022 Pasal 7).",
    )
    format = forms.ChoiceField(
        label="Bentuk",
        choices=[("pdf", "PDF (untuk dicetak dan diserahkan)"), ("json", "JSON (untuk diolah)")],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def clean_nik(self):
        nik = self.cleaned_data["nik"].strip()
        if not _NIK.fullmatch(nik):
            raise forms.ValidationError("NIK harus 16 digit angka.")
        return nik
