from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

import audit
import jobs
from accounts import permissions
from accounts.scoping import districts_for, villages_for
from bpjs import layout as layouts
from bpjs import reconciliation as recon
from bpjs import services, tasks
from bpjs.forms import (
    BillingForm,
    MonthForm,
    ParticipantFilter,
    ReconciliationForm,
    RecordForm,
    SentForm,
)
from bpjs.models import BillingFile, Record, RegistrationFile, Status, pisa_of
from enrollment.models import Participation
from jobs import uploads
from people.models import Person

PAGE_SIZE = 50
# The gaps the registration page lists before the file is made; the file shows every line.
GAPS_SHOWN = 200


def _require_reader(request):
    if not permissions.can_read_bpjs(request.user):
        raise PermissionDenied


def _require_worker(request):
    if not permissions.can_work_bpjs(request.user):
        raise PermissionDenied


def participant_list(request):
    """Current participants (in the user's scope) by their latest status at BPJS."""
    _require_reader(request)
    districts, villages = districts_for(request.user), villages_for(request.user)
    filters = ParticipantFilter(request.GET or None, districts=districts, villages=villages)
    rows = (
        Participation.objects.visible_to(request.user)
        .filter(until__isnull=True)
        .select_related("person", "village__district")
        .annotate(
            bpjs_status=Coalesce(services.latest("status", "person"), Value(Status.UNREGISTERED)),
            bpjs_card=services.latest("card_number", "person"),
            bpjs_tmt=services.latest("tmt", "person"),
        )
        .order_by("village__code", "person__name", "person_id")
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data["status"]:
            rows = rows.filter(bpjs_status=data["status"])
        if data["district"]:
            rows = rows.filter(village__district=data["district"])
        if data["village"]:
            rows = rows.filter(village=data["village"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Status.choices)
    for row in page:
        row.bpjs_status_label = labels.get(row.bpjs_status, row.bpjs_status)
    return render(
        request,
        "bpjs/participant_list.html",
        {"filters": filters, "page": page, "can_work": permissions.can_work_bpjs(request.user)},
    )


def person_detail(request, pk):
    """A person's BPJS history; the Tim Verifikasi appends a row to it."""
    _require_reader(request)
    if request.method == "POST":
        _require_worker(request)
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household__village__district"),
        pk=pk,
    )
    audit.record(request, audit.VIEW, f"BPJS {person.nik}", rows=1, obj=person)
    form = RecordForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.bpjs_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Data BPJS dicatat.")
            return redirect("bpjs:person_detail", pk=person.pk)
    history = Record.objects.filter(person=person).select_related("faskes", "recorded_by")
    return render(
        request,
        "bpjs/person_detail.html",
        {
            "person": person,
            "history": history,
            "current": history.first(),
            "derived_pisa": pisa_of(person.relationship),
            "form": form,
            "can_work": permissions.can_work_bpjs(request.user),
        },
    )


def registration(request):
    """The registration file for e-Dabu of a month: what is missing for BPJS first, then the
    file, written by a background job; the files made so far, to mark sent."""
    _require_worker(request)
    districts = districts_for(request.user)
    form = MonthForm(request.POST or request.GET or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data["district"]
        job = jobs.start(
            "bpjs.registration",
            request.user,
            month=form.cleaned_data["month"].isoformat(),
            district=district.pk if district else None,
        )
        return redirect(job)
    preview = None
    if request.method == "GET" and form.is_bound and form.is_valid():
        lines = list(
            services.registration_lines(
                user=request.user,
                month=form.cleaned_data["month"],
                district=form.cleaned_data["district"],
            )
        )
        with_gaps = [line for line in lines if line.gaps]
        preview = {
            "additions": sum(line.action == "daftar" for line in lines),
            "removals": sum(line.action == "nonaktif" for line in lines),
            "with_gaps": with_gaps[:GAPS_SHOWN],
            "gap_count": len(with_gaps),
        }
    files = RegistrationFile.objects.visible_to(request.user).select_related(
        "district", "job", "sent_by"
    )[:24]
    return render(
        request,
        "bpjs/registration.html",
        {"form": form, "preview": preview, "files": files, "sent_form": SentForm()},
    )


@require_POST
def registration_sent(request, pk):
    """Tandai terkirim: the file was uploaded to e-Dabu."""
    _require_worker(request)
    registration_file = get_object_or_404(RegistrationFile.objects.visible_to(request.user), pk=pk)
    form = SentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi tanggal berkas diunggah ke e-Dabu.")
        return redirect("bpjs:registration")
    try:
        services.registration_mark_sent(
            actor=request.user,
            registration_file=registration_file,
            sent_on=form.cleaned_data["sent_on"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{registration_file} ditandai terkirim; pesertanya tercatat didaftarkan."
        )
    return redirect("bpjs:registration")


def billing_upload(request):
    """Step 1 of importing BPJS's list of a month: keep the upload and check it in a job,
    whose page shows the preview with a button to save. Nothing is written before that."""
    _require_worker(request)
    form = BillingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start(
            tasks.BILLING_PREVIEW,
            request.user,
            stored=uploads.kept(upload),
            filename=upload.name,
            month=form.cleaned_data["month"].isoformat(),
        )
        return redirect(job)
    return render(
        request,
        "bpjs/billing_upload.html",
        {
            "form": form,
            "files": BillingFile.objects.select_related("imported_by")[:24],
            "layout": layouts.billing_layout_or_none(),
        },
    )


@require_POST
def billing_confirm(request):
    """Step 2: save a previewed list, all or nothing, in a job."""
    _require_worker(request)
    return uploads.confirm_preview(
        request, tasks.BILLING_PREVIEW, tasks.BILLING_IMPORT, "bpjs:billing_upload"
    )


# The reconciliation of a month (issue 17 §4)


def _reconciliation_form(request, data):
    user = request.user
    return ReconciliationForm(
        data,
        districts=districts_for(user),
        villages=villages_for(user),
        categories=recon.CATEGORIES,
    )


def _items(result, category):
    """The category's people, or every discrepancy (all but the matched)."""
    return result.of(category) if category else result.discrepancies


def reconciliation(request):
    """Who the ledger says was a participant on the month's first day against who BPJS
    billed: the totals by category, and the people of one category, paged."""
    permissions.require(permissions.can_read_reconciliation(request.user))
    data = request.GET.copy()
    if not data.get("bulan"):
        latest = BillingFile.objects.order_by("-month").first()
        data["bulan"] = f"{latest.month if latest else timezone.localdate():%Y-%m}"
    form = _reconciliation_form(request, data)
    result = page = None
    shows_people = permissions.can_read_residents(request.user)
    if form.is_valid():
        result = recon.reconciliation(
            actor=request.user, month=form.cleaned_data["bulan"], area=form.area
        )
        items = _items(result, form.cleaned_data["kategori"]) if shows_people else []
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        audit.record(request, audit.VIEW, f"Rekonsiliasi BPJS {result.month:%m-%Y}", rows=len(page))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "bpjs/reconciliation.html",
        {
            "form": form,
            "result": result,
            "page": page,
            "category_label": recon.CATEGORIES.get(
                form.cleaned_data.get("kategori") if form.is_valid() else "", "Semua selisih"
            ),
            "query": query.urlencode(),
            "shows_people": shows_people,
            "can_work": permissions.can_work_bpjs(request.user),
        },
    )


def _back_to_reconciliation(request):
    fields = ("bulan", "kapanewon", "desa", "kategori")
    query = urlencode({name: request.POST[name] for name in fields if request.POST.get(name)})
    return redirect(f"{reverse('bpjs:reconciliation')}?{query}")


@require_POST
def reconciliation_export(request):
    """A category's people (or every discrepancy) as .xlsx, written by a background job."""
    permissions.require(
        permissions.can_read_reconciliation(request.user)
        and permissions.can_read_residents(request.user)
    )
    form = _reconciliation_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Pilih bulan yang sah untuk diunduh.")
        return _back_to_reconciliation(request)
    job = jobs.start(
        tasks.RECONCILIATION_EXPORT,
        request.user,
        **form.job_arguments(),
        category=form.cleaned_data["kategori"],
    )
    return redirect(job)


@require_POST
def reconciliation_record_cards(request):
    """Records the card number and TMT BPJS billed for each matched person of the month."""
    _require_worker(request)
    form = _reconciliation_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Pilih bulan yang sah.")
        return _back_to_reconciliation(request)
    try:
        count = recon.reconciliation_record_cards(
            actor=request.user, month=form.cleaned_data["bulan"], area=form.area
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{count} peserta dicatat aktif dengan No. Kartu dan TMT dari data BPJS."
            if count
            else "Semua peserta yang cocok sudah tercatat aktif dengan kartunya.",
        )
    return _back_to_reconciliation(request)


@require_POST
def reconciliation_propose_removals(request):
    """Proposes the removal of the chosen participants billed twice or in another segment,
    into the Dinas Sosial's findings, where they wait for the validation of ayat (3)."""
    _require_worker(request)
    form = _reconciliation_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Pilih bulan yang sah.")
        return _back_to_reconciliation(request)
    try:
        found = recon.reconciliation_propose_removals(
            actor=request.user,
            month=form.cleaned_data["bulan"],
            people=request.POST.getlist("orang"),
            area=form.area,
        )
    except ValidationError as error:
        messages.error(request, "Tidak ada yang diusulkan. " + " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{len(found)} pengurangan diusulkan ke temuan Dinas Sosial dan menunggu validasi "
            "data kependudukan (Pasal 5 ayat 3).",
        )
    return _back_to_reconciliation(request)


@require_POST
def deactivation_request(request):
    """The month's people BPJS should stop billing, as a file for BPJS's branch office."""
    _require_worker(request)
    form = _reconciliation_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Pilih bulan yang sah.")
        return _back_to_reconciliation(request)
    job = jobs.start(tasks.DEACTIVATION_REQUEST, request.user, **form.job_arguments())
    return redirect(job)
