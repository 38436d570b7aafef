from urllib.parse import urlencode

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

import audit
import jobs
from accounts import permissions
from accounts.responses import refuse, xlsx_response
from accounts.scoping import districts_for, villages_for
from feeds import events, findings, tasks, waiting
from feeds.forms import ExtractForm, FindingsFilter, this_month
from jobs import uploads
from people.models import PopulationExtract

PAGE_SIZE = 100
_FILTERS = ("bulan", "kapanewon", "desa", "jenis")


def _require_importer(request):
    if not permissions.can_import_population_events(request.user):
        raise PermissionDenied


def extract_upload(request):
    """Step 1 of importing Dukcapil's extract: keep the upload and check it in a job, whose
    page shows the preview with a button to save. Nothing is written before that."""
    _require_importer(request)
    form = ExtractForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start(
            tasks.EXTRACT_PREVIEW,
            request.user,
            stored=uploads.kept(upload),
            filename=upload.name,
            period=form.cleaned_data["period"].isoformat(),
        )
        return redirect(job)
    return render(
        request,
        "feeds/extract_upload.html",
        {
            "form": form,
            "extracts": PopulationExtract.objects.select_related("imported_by")[:24],
            "layout": events.event_layout_or_none(),
            "fields": events.EVENT_FIELDS,
        },
    )


@require_POST
def extract_confirm(request):
    """Step 2: save a previewed extract and act on its events, all or nothing, in a job."""
    _require_importer(request)
    return uploads.confirm_preview(
        request, tasks.EXTRACT_PREVIEW, tasks.EXTRACT_IMPORT, "feeds:extract_upload"
    )


# The findings page (issue 18 §3)


def _filter(request, data):
    user = request.user
    data = data.copy()
    data.setdefault("bulan", this_month())
    if not data["bulan"]:
        data["bulan"] = this_month()
    return FindingsFilter(
        data,
        districts=districts_for(user),
        villages=villages_for(user),
        kinds=[(source.kind, source.label) for source in findings.SOURCES],
    )


def _cases(request, form):
    data = form.cleaned_data
    return findings.Cases(request.user, data["bulan"], form.area, data["jenis"])


def finding_list(request):
    """Every case the feeds found in a month, in the user's area, with the bulk actions the
    user may take on each kind."""
    permissions.require(permissions.can_read_findings(request.user))
    form = _filter(request, request.GET)
    page, actions, every, earlier, chosen_kinds = None, [], [], [], set()
    if form.is_valid():
        rows = _cases(request, form)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        audit.record(
            request, audit.VIEW, f"Temuan data {form.cleaned_data['bulan']:%m-%Y}", rows=len(page)
        )
        actions = [
            (source, action)
            for source in findings.SOURCES
            for action in source.actions
            if action.may(request.user)
        ]
        # A case is chosen only for an action on its kind: a verifier acts on removals, not
        # on a village's calon usulan.
        chosen_kinds = {source.kind for source, _ in actions}
        open_keys = {}
        for case in page:
            if case.is_open:
                open_keys.setdefault(case.kind, []).append(case.key)
        every = [
            (source, action, open_keys[source.kind])
            for source, action in actions
            if not action.needs_reason and source.kind in open_keys
        ]
        earlier = (
            waiting.findings_to_act_on(request.user)
            .exclude(month=form.cleaned_data["bulan"])
            .values_list("month", flat=True)
            .distinct()
            .order_by("month")
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feeds/finding_list.html",
        {
            "form": form,
            "page": page,
            "actions": actions,
            "chosen_kinds": chosen_kinds,
            "every": every,
            "earlier": earlier,
            "filters": [(name, value) for name, value in form.data.items() if name in _FILTERS],
            "query": query.urlencode(),
        },
    )


@require_POST
def finding_act(request):
    """One bulk action on the chosen cases of one kind, through its source's service."""
    permissions.require(permissions.can_read_findings(request.user))
    kind, _, name = request.POST.get("tindakan", "").partition(":")
    source = findings.source(kind)
    action = next((a for a in (source.actions if source else ()) if a.name == name), None)
    back = f"{reverse('feeds:finding_list')}?" + urlencode(
        {name: request.POST[name] for name in _FILTERS if request.POST.get(name)}
    )
    if action is None:
        messages.error(request, "Pilih tindakan.")
        return redirect(back)
    permissions.require(action.may(request.user))
    keys = [key for key in request.POST.getlist("pilih") if key.isdigit()]
    if not keys:
        messages.error(request, "Pilih paling sedikit satu temuan.")
        return redirect(back)
    try:
        count = action.run(
            actor=request.user,
            keys=[int(key) for key in keys],
            reason=request.POST.get("alasan", ""),
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, f"{action.label}: {count} temuan.")
    return redirect(back)


TITLES = ["Jenis temuan", "Wilayah", "Desa", "NIK", "Nama", "Keterangan", "Status"]


def finding_export(request):
    """The page's cases as .xlsx, every cell text (a NIK keeps its digits, a name beginning
    with = stays a name); NIKs masked for the oversight roles as on the page."""
    permissions.require(permissions.can_read_findings(request.user))
    form = _filter(request, request.GET)
    if not form.is_valid():
        refuse(request, ValidationError(list(form.errors.values())[0]))
        return redirect("feeds:finding_list")
    rows = _cases(request, form)
    month = form.cleaned_data["bulan"]

    def write(output):
        workbook = xlsxwriter.Workbook(output, {"strings_to_formulas": False})
        sheet = workbook.add_worksheet("Temuan")
        bold = workbook.add_format({"bold": True})
        for column, title in enumerate(TITLES):
            sheet.write_string(0, column, title, bold)
        for row, case in enumerate(rows.each(), start=1):
            cells = [
                case.label,
                case.village.district.name,
                case.village.name,
                case.nik,
                case.name,
                case.detail,
                case.status,
            ]
            for column, text in enumerate(cells):
                sheet.write_string(row, column, str(text))
        workbook.close()

    audit.record(request, audit.EXPORT, f"Temuan data {month:%m-%Y}", rows=rows.count())
    return xlsx_response(write, f"Temuan-{month:%Y-%m}.xlsx")
