from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Kode",
        max_length=20,
        help_text="6 angka dari aplikasi autentikator, atau satu kode pemulihan.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
