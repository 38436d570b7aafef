from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core import validators
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    # Django's Indonesian message puts the field's label after its own "nama pengguna":
    # "Masukkan nama pengguna nama pengguna dan sandi yang benar".
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Nama pengguna atau sandi salah. Perhatikan huruf besar dan kecil.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the field's max_length after building it, so without this validator an
        # overlong name reaches authenticate() and django-axes's varchar(255) log of attempts.
        username = self.fields["username"]
        username.validators.append(validators.MaxLengthValidator(username.max_length))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Kode",
        max_length=20,
        help_text="6 angka dari aplikasi autentikator, atau satu kode pemulihan.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked through authenticate(), so django-axes counts a wrong one
    as it counts a wrong login: a session left open cannot be used to guess the password."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if (
            authenticate(self.request, username=self.user.get_username(), password=old_password)
            is None
        ):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
