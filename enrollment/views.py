import uuid
from pathlib import PurePath

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts.models import Role
from enrollment import exports, services
from enrollment.duplicates import duplicate_groups
from enrollment.imports import plan_participants, read_rows
from enrollment.models import Ground, LedgerEntry
from enrollment.participation import active_people, is_active
from people.models import Person
from regions import terminology
from regions.models import Regency, Village

PAGE_SIZE = 50


def roster_queryset(request):
    """The active participants the user may see, filtered by the request's search."""
    people = Person.objects.visible_to(request.user).select_related("household__village")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(nik__startswith=query) | Q(name__icontains=query))
    village = request.GET.get("village", "")
    if village:
        people = people.filter(household__village__code=village)
    return active_people(timezone.localdate(), people).order_by("household__village__code", "name")


@require_safe
def roster(request):
    page = Paginator(roster_queryset(request), PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        person.ground_label = Ground(person.ground).label
    return render(
        request,
        "enrollment/roster.html",
        {
            "page": page,
            "villages": Village.objects.visible_to(request.user),
            "q": request.GET.get("q", ""),
            "village": request.GET.get("village", ""),
        },
    )


@require_safe
def roster_export(request):
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="peserta-pbi-pemda-{timezone.localdate():%Y-%m-%d}.xlsx"'
    )
    exports.write_roster(response, roster_queryset(request))
    audit.record(
        request, audit.EXPORT, "Daftar peserta .xlsx", rows=roster_queryset(request).count()
    )
    return response


@require_safe
def person_detail(request, pk):
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household__village__district"),
        pk=pk,
    )
    audit.record(request, audit.VIEW, f"Penduduk {person.nik}", rows=1, obj=person)
    return render(
        request,
        "enrollment/person_detail.html",
        {
            "person": person,
            "is_active": is_active(person),
            "members": person.household.members.order_by("relationship", "birth_date"),
            "letters": person.sktm_letters.order_by("-issued_on"),
            "changes": person.changes.select_related("changed_by"),
            "entries": LedgerEntry.objects.filter(person=person)
            .select_related("recorded_by", "mother", "duplicate_of", "letter")
            .order_by("-sequence"),
        },
    )


@require_safe
def duplicates(request):
    """The Tim Verifikasi's list of suspected duplicates across its kabupaten."""
    if request.user.role not in {Role.VERIFIER, Role.ADMIN}:
        raise PermissionDenied
    groups = duplicate_groups(Person.objects.visible_to(request.user))
    return render(request, "enrollment/duplicates.html", {"groups": groups})


MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_SALT = "enrollment.import"


def require_admin(request):
    if request.user.role != Role.ADMIN:
        raise PermissionDenied


def stored_rows(stored_name):
    with default_storage.open(stored_name, "rb") as file:
        return read_rows(file, stored_name)


def import_participants(request):
    """Step 1: upload and preview. Nothing is written until the admin confirms."""
    require_admin(request)
    context = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    upload = request.FILES.get("file") if request.method == "POST" else None
    if request.method == "POST":
        if upload is None:
            context["error"] = "Pilih berkas .xlsx atau .csv."
        elif upload.size > MAX_UPLOAD_BYTES:
            context["error"] = f"Berkas lebih dari {context['max_mb']} MB."
        else:
            suffix = PurePath(upload.name).suffix.lower()
            stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)
            try:
                plan = plan_participants(stored_rows(stored), regency_of_deployment())
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
                plan = None
            context |= {"plan": plan, "filename": upload.name}
            # Only a file that can be saved is kept until the admin confirms it.
            if plan and plan.to_add and not plan.errors:
                context["token"] = signing.dumps([stored, upload.name], salt=UPLOAD_SALT)
            else:
                default_storage.delete(stored)
    return render(request, "enrollment/import.html", context)


def regency_of_deployment():
    return Regency.objects.get(code=terminology.current().regency_code)


@require_POST
def import_confirm(request):
    """Step 2: write the previewed file, all or nothing."""
    require_admin(request)
    try:
        stored, filename = signing.loads(
            request.POST.get("token", ""), salt=UPLOAD_SALT, max_age=60 * 60
        )
    except signing.BadSignature:
        messages.error(request, "Pratinjau kedaluwarsa atau tidak sah; unggah berkas lagi.")
        return redirect("enrollment:import_participants")
    if not default_storage.exists(stored):
        messages.error(request, "Berkas ini sudah diproses; unggah lagi bila perlu.")
        return redirect("enrollment:import_participants")
    try:
        plan = services.participants_import(
            actor=request.user,
            rows=stored_rows(stored),
            regency=regency_of_deployment(),
            source=filename,
        )
    except ValidationError as error:
        for message in error.messages[:20]:
            messages.error(request, message)
        return redirect("enrollment:import_participants")
    finally:
        default_storage.delete(stored)
    messages.success(
        request,
        f"Impor selesai: {len(plan.to_add)} peserta ditambahkan, {plan.unchanged} sudah ada.",
    )
    return redirect("enrollment:roster")
