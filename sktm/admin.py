from django import forms
from django.contrib import admin
from django.template import Template, TemplateSyntaxError

from sktm.models import FormEvent, Letter, LetterCheck, LetterTemplate, VerificationForm


class FormEventInline(admin.TabularInline):
    model = FormEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "note"]


@admin.register(VerificationForm)
class VerificationFormAdmin(admin.ModelAdmin):
    """Read-only: forms change only through their services."""

    list_display = ["applicant_name", "nik", "village", "total_score", "status", "created_at"]
    list_filter = ["status", "village__district"]
    list_select_related = ["village"]
    search_fields = ["nik", "applicant_name"]
    inlines = [FormEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(VerificationFormAdmin):
    list_display = ["number", "village", "issued_on", "valid_until", "revoked_at"]
    list_filter = ["village__district", "year"]
    search_fields = ["number", "form__nik", "form__applicant_name"]
    inlines = []


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            Template(body)
        except TemplateSyntaxError as error:
            raise forms.ValidationError(f"Templat tidak dapat dibaca: {error}") from error
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["name", "updated_at"]


@admin.register(LetterCheck)
class LetterCheckAdmin(VerificationFormAdmin):
    list_display = ["letter", "at", "ip_address", "user_agent"]
    list_filter = []
    search_fields = ["letter__number"]
    inlines = []
