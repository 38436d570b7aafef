from django import forms

from enrollment.participation import Standing

ROSTER_STANDINGS = [
    (Standing.ACTIVE.value, "Aktif"),
    (Standing.UPCOMING.value, "Akan aktif"),
    (Standing.ENDED.value, "Berhenti (pengurangan tercatat)"),
]


class RosterFilterForm(forms.Form):
    """The roster's status filter, read from the query string; a status the form does not know shows
    its message and the roster falls back to the active participants."""

    status = forms.ChoiceField(
        label="Status",
        choices=ROSTER_STANDINGS,
        required=False,
        error_messages={"invalid_choice": "Pilih status: aktif, akan aktif, atau berhenti."},
    )

    def standing(self) -> Standing:
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        return Standing(status) if status else Standing.ACTIVE
