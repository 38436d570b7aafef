from django import forms
from django.contrib import admin
from django.template import TemplateSyntaxError

from audit.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from sktm.letters import letter_template
from sktm.models import FormEvent, Letter, LetterCheck, LetterTemplate, VerificationForm


class FormEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FormEvent
    readonly_fields = ["from_status", "to_status", "actor", "at", "note"]


@admin.register(VerificationForm)
class VerificationFormAdmin(ReadOnlyAdmin):
    list_display = ["applicant_name", "nik", "village", "total_score", "status", "created_at"]
    list_filter = ["status", "village__district"]
    list_select_related = ["village"]
    search_fields = ["nik", "applicant_name"]
    inlines = [FormEventInline]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "village", "issued_on", "valid_until", "revoked_at"]
    list_filter = ["village__district", "year"]
    list_select_related = ["village"]
    search_fields = ["number", "form__nik", "form__applicant_name"]


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            letter_template(body)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(f"Templat tidak dapat dibaca: {error}") from error
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["name", "updated_at"]


@admin.register(LetterCheck)
class LetterCheckAdmin(ReadOnlyAdmin):
    list_display = ["letter", "at", "ip_address", "user_agent"]
    list_select_related = ["letter"]
    search_fields = ["letter__number"]
