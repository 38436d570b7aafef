from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
import jobs
from accounts import permissions
from accounts.scoping import villages_for
from enrollment import exports, tasks
from enrollment.duplicates import duplicate_groups
from enrollment.forms import RosterFilterForm
from enrollment.models import LedgerEntry, Participation, RegistryRecord
from enrollment.participation import Standing, status_on
from jobs import uploads
from jobs.uploads import MAX_UPLOAD_BYTES, SUFFIXES
from people.models import Person

PAGE_SIZE = 50


@require_safe
def roster(request):
    form = RosterFilterForm(request.GET)
    standing = form.standing()
    today = timezone.localdate()
    page = exports.roster_page(
        exports.roster_rows(
            request.user, request.GET.get("q", ""), request.GET.get("village", ""), standing
        ),
        size=PAGE_SIZE,
        after=request.GET.get("setelah", ""),
        before=request.GET.get("sebelum", ""),
    )
    for row in page:
        row.status = status_on(row, today)
    return render(
        request,
        "enrollment/roster.html",
        {
            "page": page,
            "form": form,
            "standing": standing.value,
            "is_active_list": standing == Standing.ACTIVE,
            "villages": villages_for(request.user),
            "q": request.GET.get("q", ""),
            "village": request.GET.get("village", ""),
        },
    )


@require_POST
def roster_export(request):
    """The roster as .xlsx (or .csv), written by a background job: a kabupaten's 200,000 rows take
    longer than a request should."""
    job = jobs.start(
        tasks.ROSTER_EXPORT,
        request.user,
        q=request.POST.get("q", ""),
        village=request.POST.get("village", ""),
        format="csv" if request.POST.get("format") == "csv" else "xlsx",
    )
    return redirect(job)


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
            "status": status_on(
                Participation.objects.filter(person=person).first(), timezone.localdate()
            ),
            "members": person.household.members.order_by("relationship", "birth_date"),
            "letters": person.sktm_letters.order_by("-issued_on"),
            "changes": person.changes.select_related("changed_by"),
            "listings": RegistryRecord.objects.visible_to(request.user)
            .filter(nik=person.nik)
            .select_related("village"),
            "entries": LedgerEntry.objects.filter(person=person)
            .select_related("recorded_by", "mother", "duplicate_of", "letter", "corrects")
            .order_by("-sequence"),
        },
    )


@require_safe
def duplicates(request):
    """The Tim Verifikasi's list of suspected duplicates across its kabupaten."""
    if not permissions.can_review_duplicates(request.user):
        raise PermissionDenied
    groups = duplicate_groups(Person.objects.visible_to(request.user))
    return render(request, "enrollment/duplicates.html", {"groups": groups})


def _upload_and_preview(request, preview_kind, template):
    """Step 1 of an import: keep the upload and check it in a job; the job's page shows the
    preview with a button to save. Nothing is written until the admin confirms."""
    if not permissions.can_import_data(request.user):
        raise PermissionDenied
    context = {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = PurePath(upload.name).suffix.lower() if upload else ""
        if upload is None:
            context["error"] = "Pilih berkas .xlsx atau .csv."
        elif suffix not in SUFFIXES:
            context["error"] = "Unggah berkas .xlsx atau .csv."
        elif upload.size > MAX_UPLOAD_BYTES:
            context["error"] = f"Berkas lebih dari {context['max_mb']} MB."
        else:
            job = jobs.start(
                preview_kind, request.user, stored=uploads.kept(upload), filename=upload.name
            )
            return redirect(job)
    return render(request, template, context)


def _confirm_preview(request, preview_kind, import_kind, back):
    """Step 2: save a previewed file, all or nothing, in a job."""
    if not permissions.can_import_data(request.user):
        raise PermissionDenied
    return uploads.confirm_preview(request, preview_kind, import_kind, back)


def import_participants(request):
    return _upload_and_preview(request, tasks.PARTICIPANTS_PREVIEW, "enrollment/import.html")


@require_POST
def import_confirm(request):
    return _confirm_preview(
        request,
        tasks.PARTICIPANTS_PREVIEW,
        tasks.PARTICIPANTS_IMPORT,
        "enrollment:import_participants",
    )


def import_registry(request):
    return _upload_and_preview(request, tasks.REGISTRY_PREVIEW, "enrollment/import_registry.html")


@require_POST
def import_registry_confirm(request):
    return _confirm_preview(
        request, tasks.REGISTRY_PREVIEW, tasks.REGISTRY_IMPORT, "enrollment:import_registry"
    )


# The samples of the two imports, offered on their pages as downloads.
_SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "sample"


def _sample(request, filename):
    if not permissions.can_import_data(request.user):
        raise PermissionDenied
    path = _SAMPLES / filename
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type="text/csv"
    )


@require_safe
def import_sample(request):
    return _sample(request, "peserta_contoh.csv")


@require_safe
def import_registry_sample(request):
    return _sample(request, "dtks_contoh.csv")
