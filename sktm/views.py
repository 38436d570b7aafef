from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts import permissions
from accounts.responses import pdf_response, run_service
from audit.addresses import client_ip
from people.models import Household, Person
from sktm import letters, scoring, services
from sktm.forms import (
    NOT_REGISTERED,
    FormFilter,
    NikLookupForm,
    NoteForm,
    VerificationFormInput,
    resident_values,
)
from sktm.models import FormStatus, Letter, LetterCheck, VerificationForm

PAGE_SIZE = 50


def _scoped_form(request, pk):
    queryset = VerificationForm.objects.visible_to(request.user).select_related(
        "village__district__regency", "person"
    )
    return get_object_or_404(queryset, pk=pk)


def _scoped_letter(request, pk):
    queryset = Letter.objects.visible_to(request.user).select_related(
        "form", "person__household", "village__district__regency"
    )
    return get_object_or_404(queryset, pk=pk)


@require_safe
def form_list(request):
    filters = FormFilter(request.GET or None)
    forms = VerificationForm.objects.visible_to(request.user).select_related(
        "village__district", "letter"
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            forms = forms.filter(
                Q(nik__startswith=data["q"]) | Q(applicant_name__icontains=data["q"])
            )
        if data["status"]:
            forms = forms.filter(status=data["status"])
        if data["month"]:
            year, month = map(int, data["month"].split("-"))
            forms = forms.filter(created_at__year=year, created_at__month=month)
        if data["category"] == "poor":
            forms = forms.filter(total_score__gte=scoring.THRESHOLD)
        elif data["category"] == "not_poor":
            forms = forms.filter(total_score__lt=scoring.THRESHOLD)
    page = Paginator(forms, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sktm/form_list.html",
        {
            "page": page,
            "filters": filters,
            "can_fill": permissions.can_fill_sktm_form(request.user),
        },
    )


def form_edit(request, pk=None):
    """A new form, or a returned one corrected by the operator."""
    if not permissions.can_fill_sktm_form(request.user):
        raise PermissionDenied
    form_record = _scoped_form(request, pk) if pk else None
    if form_record:
        audit.record(request, audit.VIEW, f"Formulir SKTM {form_record.nik}", obj=form_record)
    if form_record and form_record.status != FormStatus.RETURNED:
        messages.error(request, "Formulir ini tidak sedang dikembalikan untuk diperbaiki.")
        return redirect("sktm:form_detail", pk=pk)
    initial = {}
    if form_record:
        initial = {
            field: getattr(form_record, field)
            for field in [*services.APPLICANT_FIELDS, *services.ANSWER_FIELDS]
        }
        initial |= {
            "dependants_count": form_record.dependants_count,
            "monthly_income": form_record.monthly_income,
            "birth_place": form_record.applicant.birth_place,
            "birth_date": form_record.applicant.birth_date,
            "sex": form_record.applicant.sex,
        }
    form = VerificationFormInput(request.POST or None, initial=initial)
    existing_id = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.sktm_form_submit(
                actor=request.user, data=form.cleaned_data, form=form_record
            )
        except ValidationError as error:
            if getattr(error, "code", None) in services.DUPLICATE_CODES:
                existing_id = error.params["form_id"]
            # Errors about fields this form has go next to them; any other stay on top.
            on_fields = hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields)
            form.add_error(None, error if on_fields else error.messages)
        else:
            messages.success(request, f"Formulir diajukan dengan skor {saved.total_score}.")
            return redirect("sktm:form_detail", pk=saved.pk)
    wage = _this_years_wage(request.user.village)
    if wage is None:
        form.add_error(None, "UMK tahun ini belum diisi admin; indikator 6 tidak dapat dihitung.")
    return render(
        request,
        "sktm/form_edit.html",
        {
            "form": form,
            "record": form_record,
            "existing_id": existing_id,
            "minimum_wage": wage,
            "preview": _preview(form.data if form.is_bound else initial, wage),
        },
    )


def held_applicant(village, nik: str) -> Person | None:
    """The village's own SKTM applicant with this NIK held for the Tim Verifikasi, as the
    unsaved resident the form would have recorded (its KK from the form)."""
    form = VerificationForm.objects.held().filter(village=village, nik=nik).order_by("-pk").first()
    if form is None:
        return None
    person = form.applicant
    person.household = Household(
        number=form.kk_number, village=form.village, dusun=form.dusun, rt=form.rt, rw=form.rw
    )
    return person


def resident_answer(request, village, notes=lambda person: {}, renamed=None, held=held_applicant):
    """The JSON a typed NIK gets (static/js/resident-lookup.js): the resident's recorded values
    when they live in `village` and the user sees them, else NOT_REGISTERED, the same whether
    the NIK is unknown or recorded elsewhere. What the village submitted of a NIK recorded
    elsewhere (`held(village, nik)`, held for the Tim Verifikasi) is answered as the new
    resident it would be for an unknown NIK. `notes(person)` adds, per ground, which evidence
    a proposal would use; `renamed` maps a value to the form's own field name. A resident found
    is a view of their record, in the access log."""
    lookup = NikLookupForm(request.GET)
    answer = {"found": False, "message": NOT_REGISTERED, "fields": {}, "notes": {}}
    if not lookup.is_valid():
        return JsonResponse(answer | {"message": lookup.error_message()})
    nik = lookup.cleaned_data["nik"]
    person = (
        Person.objects.visible_to(request.user)
        .select_related("household")
        .filter(nik=nik, household__village=village)
        .first()
    ) or held(village, nik)
    if person is None:
        return JsonResponse(answer)
    recorded = person if person.pk else None
    audit.record(request, audit.VIEW, f"Penduduk {person.nik}", rows=1, obj=recorded)
    return JsonResponse(
        {
            "found": True,
            "message": f"Terdaftar: {person.name}, KK {person.household.number}. Data diisi "
            "dari catatan desa; periksa dan perbaiki bila berubah.",
            "fields": {
                (renamed or {}).get(field, field): value
                for field, value in resident_values(person).items()
            },
            "notes": notes(person),
        }
    )


@require_safe
@never_cache
def resident_lookup(request):
    """The SKTM form's NIK lookup, among the operator's own village (issue 15 section 5)."""
    if not permissions.can_fill_sktm_form(request.user):
        raise PermissionDenied

    def current_letter(person):
        letter = Letter.objects.visible_to(request.user).in_force_for(
            person, request.user.village_id, timezone.localdate()
        )
        if letter is None:
            return {}
        until = date_format(letter.valid_until, "j F Y")
        return {"": f"Sudah memiliki SKTM No. {letter.number} yang berlaku sampai {until}."}

    return resident_answer(
        request, request.user.village_id, current_letter, renamed={"name": "applicant_name"}
    )


def _this_years_wage(village):
    try:
        return services.minimum_wage_for(village, timezone.localdate().year)
    except ValidationError:
        return None


def _preview(data, wage):
    """The live score from what is filled so far: each indicator's option, and the total and
    category once all six are known. Without a UMK (`wage` None) indicator 6 stays open."""
    answers = {
        field: int(data[field])
        for field in services.ANSWER_FIELDS
        if str(data.get(field)) in {"1", "2", "3"}
    }
    try:
        if data.get("dependants_count"):
            answers["dependants"] = scoring.dependants_option(int(data["dependants_count"]))
        if data.get("monthly_income") not in (None, "") and wage is not None:
            answers["income"] = scoring.income_option(data["monthly_income"], wage)
    except (ValueError, ArithmeticError):
        pass
    chosen = [
        (
            indicator,
            answers.get(indicator.field),
            dict(indicator.options).get(answers.get(indicator.field)),
        )
        for indicator in scoring.INDICATORS
    ]
    try:
        total = scoring.total_score(answers)
    except ValueError:
        return {"chosen": chosen, "total": None}
    return {
        "chosen": chosen,
        "total": total,
        "category": scoring.category(total),
        "is_poor": scoring.is_poor(total),
    }


@require_POST
def score_preview(request):
    if not permissions.can_fill_sktm_form(request.user):
        raise PermissionDenied
    return render(
        request,
        "sktm/_score.html",
        {"preview": _preview(request.POST, _this_years_wage(request.user.village))},
    )


@require_safe
def form_detail(request, pk):
    form = _scoped_form(request, pk)
    audit.record(request, audit.VIEW, f"Formulir SKTM {form.nik}", rows=1, obj=form)
    user = request.user
    letter = getattr(form, "letter", None)
    return render(
        request,
        "sktm/form_detail.html",
        {
            "record": form,
            "events": form.events.select_related("actor"),
            "letter": letter,
            "can_decide": permissions.can_acknowledge_sktm_form(user, form)
            and form.status == FormStatus.SUBMITTED,
            "can_issue": permissions.can_issue_letter(user, form)
            and form.status == FormStatus.ACKNOWLEDGED,
            "can_edit": permissions.can_correct_sktm_form(user, form)
            and form.status == FormStatus.RETURNED,
            "can_revoke": letter is not None
            and permissions.can_revoke_letter(user, letter)
            and not letter.revoked_at,
            "return_form": NoteForm(label="Catatan untuk operator", auto_id="return_%s"),
            "revoke_form": NoteForm(label="Alasan pencabutan", auto_id="revoke_%s"),
        },
    )


@require_POST
def form_acknowledge(request, pk):
    form = _scoped_form(request, pk)
    run_service(request, "Formulir diketahui.", services.sktm_form_acknowledge, form=form)
    return redirect("sktm:form_detail", pk=pk)


@require_POST
def form_return(request, pk):
    form = _scoped_form(request, pk)
    note = NoteForm(request.POST)
    run_service(
        request,
        "Formulir dikembalikan ke operator.",
        services.sktm_form_return,
        form=form,
        note=note.data.get("note", ""),
    )
    return redirect("sktm:form_detail", pk=pk)


@require_POST
def letter_issue(request, pk):
    form = _scoped_form(request, pk)
    run_service(
        request,
        "SKTM diterbitkan.",
        services.letter_issue,
        form=form,
        base_url=letters.public_base_url(request),
    )
    return redirect("sktm:form_detail", pk=pk)


@require_POST
def letter_revoke(request, pk):
    letter = _scoped_letter(request, pk)
    run_service(
        request,
        "SKTM dicabut.",
        services.letter_revoke,
        letter=letter,
        reason=request.POST.get("note", ""),
    )
    return redirect("sktm:form_detail", pk=letter.form_id)


@require_safe
def letter_pdf(request, pk):
    letter = _scoped_letter(request, pk)
    content = letters.letter_pdf(letter, letters.public_base_url(request))
    filename = f"SKTM-{letter.number.replace('/', '-')}.pdf"
    audit.record(request, audit.EXPORT, filename, rows=1, obj=letter)
    return pdf_response(content, filename)


@require_safe
def lampiran_a_pdf(request, pk=None):
    form = _scoped_form(request, pk) if pk else None
    html = letters.form_html(form)
    filename = f"Lampiran-A-{form.nik}.pdf" if form else "Lampiran-A-kosong.pdf"
    if form:
        audit.record(request, audit.EXPORT, filename, rows=1, obj=form)
    return pdf_response(letters.pdf(html, request.build_absolute_uri("/")), filename)


@require_safe
def letter_list(request):
    letters_qs = Letter.objects.visible_to(request.user).select_related("village", "form")
    q = request.GET.get("q", "").strip()
    if q:
        letters_qs = letters_qs.filter(
            Q(number__icontains=q)
            | Q(form__nik__startswith=q)
            | Q(form__applicant_name__icontains=q)
        )
    page = Paginator(letters_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sktm/letter_list.html", {"page": page, "q": q})


@login_not_required
@require_safe
def letter_verify(request, token):
    """The public page the letter's QR code opens: no NIK, a masked name, the validity."""
    letter = get_object_or_404(
        Letter.objects.select_related("village__district", "form__person"), token=token
    )
    LetterCheck.objects.create(
        letter=letter,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
    )
    return render(
        request,
        "sktm/letter_verify.html",
        {"letter": letter, "status": letter.status},
    )
