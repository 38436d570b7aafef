from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

import audit
from accounts import permissions
from accounts.responses import pdf_response, refuse, xlsx_response
from accounts.scoping import figure_area, villages_for
from enrollment.models import Participation
from feeds import dtsen
from oversight import charts, dashboard, exports, premium, recap, schedule, services
from oversight.areas import area_for
from oversight.charts import Series
from oversight.forms import (
    EVIDENCE_FIELDS,
    BulkForm,
    EveryoneForm,
    FigureForm,
    MonthForm,
    ReverificationFilter,
    ReverificationForm,
    YearForm,
)
from people.models import Person
from sktm import letters

PAGE_SIZE = 50


def _refused(form):
    """A download asked with a bad parameter: 400 with the form's messages (a page shows them
    beside its form instead)."""
    messages_ = [message for errors in form.errors.values() for message in errors]
    return HttpResponseBadRequest(" ".join(messages_), content_type="text/plain; charset=utf-8")


def _area_switch(area, home):
    """Links to the area's parts and back up to the user's own area."""
    up = None
    if area.place != home:
        is_inner_village = area.level == "village" and home != area.place.district
        up = area.place.district if is_inner_village else home
    return {"parts": area.parts(), "up": up}


@require_safe
def dashboard_view(request):
    area = area_for(request.user, request.GET)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "area": area,
            "figures": dashboard.figures(area),
            "today": timezone.localdate(),
            "can_read_premium": permissions.can_read_premium(request.user),
            **_area_switch(area, figure_area(request.user)),
        },
    )


@require_safe
def dashboard_xlsx(request):
    area = area_for(request.user, request.GET)
    form = FigureForm(request.GET)
    if not form.is_valid():
        return _refused(form)
    figures = dashboard.figures(area)
    key = form.cleaned_data["grafik"]
    if key:
        figures = [figure for figure in figures if figure.key == key]
    tables = [exports.Table(f.key, f.title, f.headers, f.rows, f.formats) for f in figures]
    today = timezone.localdate()
    heading = [f"Dasbor PBI Pemda: {area.label}", f"Per {today:%d-%m-%Y}"]
    return xlsx_response(
        lambda output: exports.write(output, heading, tables),
        f"dasbor-{key or 'pbi'}-{area.code}-{today}.xlsx",
    )


def _premium_tables(total, parts, area):
    rows = [
        [
            f"{m.month:%m-%Y}",
            m.participants,
            m.rate,
            m.amount,
            "proyeksi" if m.is_projected else "tercatat",
        ]
        for m in total.months
    ]
    tables = [
        exports.Table(
            "Iuran per bulan",
            f"Iuran PBI Pemda {area.label} tahun {total.months[0].month.year}",
            ["Bulan", "Peserta (tanggal 1)", "Iuran per orang (Rp)", "Iuran (Rp)", "Keterangan"],
            rows,
            {2: "rupiah", 3: "rupiah"},
        )
    ]
    if parts:
        current = total.current
        tables.append(
            exports.Table(
                f"Per {area.part_name}",
                f"Iuran menurut {area.part_name}",
                [
                    area.part_name,
                    f"Peserta {current.month:%m-%Y}" if current else "Peserta",
                    "Iuran bulan ini (Rp)",
                    "Iuran s.d. bulan ini (Rp)",
                    "Proyeksi setahun (Rp)",
                ],
                [
                    [
                        part.name,
                        part.current.participants if part.current else 0,
                        part.current.amount if part.current else 0,
                        part.year_to_date,
                        part.year_projection,
                    ]
                    for part in parts
                ],
                {2: "rupiah", 3: "rupiah", 4: "rupiah"},
            )
        )
    return tables


@require_safe
def premium_view(request):
    if not permissions.can_read_premium(request.user):
        raise PermissionDenied
    area = area_for(request.user, request.GET)
    year_form = YearForm(request.GET)
    total, parts = premium.premium(area, year_form.year())
    labels = [f"{m.month:%m-%Y}" for m in total.months]
    pairs = [(float(m.amount or 0) / 1_000_000, m) for m in total.months]
    chart = charts.bar_chart(
        labels,
        [
            Series("Tercatat", [0 if m.is_projected else v for v, m in pairs]),
            Series("Proyeksi", [v if m.is_projected else 0 for v, m in pairs], "#adb5bd"),
        ],
        "Iuran per bulan (juta Rupiah)",
    )
    return render(
        request,
        "oversight/premium.html",
        {
            "area": area,
            "total": total,
            "parts": parts,
            "tables": _premium_tables(total, parts, area),
            "chart": chart,
            "year": total.months[0].month.year,
            "trend_months": premium.TREND_MONTHS,
            "keep": [("tahun", total.months[0].month.year)],
            "form": year_form,
            **_area_switch(area, figure_area(request.user)),
        },
    )


@require_safe
def premium_xlsx(request):
    if not permissions.can_read_premium(request.user):
        raise PermissionDenied
    area = area_for(request.user, request.GET)
    year_form = YearForm(request.GET)
    if not year_form.is_valid():
        return _refused(year_form)
    total, parts = premium.premium(area, year_form.year())
    year = total.months[0].month.year
    heading = [f"Iuran PBI Pemda: {area.label}", f"Tahun {year}"]
    tables = _premium_tables(total, parts, area)
    return xlsx_response(
        lambda output: exports.write(output, heading, tables), f"iuran-{area.code}-{year}.xlsx"
    )


def _recap_context(request):
    area = area_for(request.user, request.GET)
    form = MonthForm(request.GET)
    month = form.month()
    return {
        "area": area,
        "form": form,
        "month": month,
        "sections": recap.sections(area, month),
        "printed_at": timezone.localtime(),
    }


@require_safe
def recap_view(request):
    context = _recap_context(request)
    context |= _area_switch(context["area"], figure_area(request.user))
    context["keep"] = [("bulan", f"{context['month']:%Y-%m}")]
    return render(request, "oversight/recap.html", context)


@require_safe
def recap_xlsx(request):
    context = _recap_context(request)
    if context["form"].errors:
        return _refused(context["form"])
    area, month = context["area"], context["month"]
    tables = [
        exports.Table("Rekap", section.title, section.headers, section.rows)
        for section in context["sections"]
    ]
    heading = [f"Rekap bulanan PBI Pemda: {area.label}", f"Bulan {month:%m-%Y}"]
    return xlsx_response(
        lambda output: exports.write(output, heading, tables, stacked=True),
        f"rekap-{area.code}-{month:%Y-%m}.xlsx",
    )


@require_safe
def recap_pdf(request):
    context = _recap_context(request)
    if context["form"].errors:
        return _refused(context["form"])
    html = render_to_string(
        "oversight/recap_pdf.html", {**context, "page_size": letters.page_style()}
    )
    area, month = context["area"], context["month"]
    return pdf_response(
        letters.pdf(html, request.build_absolute_uri("/")),
        f"rekap-{area.code}-{month:%Y-%m}.pdf",
    )


_STATUS_FILTERS = {
    "": [schedule.Status.OVERDUE, schedule.Status.DUE],
    **{status.value: [status] for status in schedule.Status},
}


# The urgent cases shown above the schedule's list; `?segera=1` lists them all.
URGENT_PREVIEW = 10


@require_safe
def reverification_list(request):
    """Participants due for re-verification now because of DTSEN (first, with the reason),
    then those due and overdue by the 3-month schedule, by kapanewon and village."""
    if not permissions.can_read_reverification(request.user):
        raise PermissionDenied
    area = area_for(request.user, request.GET)
    today = timezone.localdate()
    filters = ReverificationFilter(request.GET)
    is_urgent_only = request.GET.get("segera") == "1"
    status = "" if is_urgent_only else filters.value("status", "")
    statuses = _STATUS_FILTERS[status]
    visible = area.filter(
        Participation.objects.visible_to(request.user).active_on(today), "village"
    )
    # Both lists in the order of the index on (verified_on, village, person): a range scan.
    order = ("base", "village_id", "person_id")
    rank = dtsen.ranking(today)
    # Looked up by primary key within the area's villages (see feeds.dtsen.visible_villages).
    urgent = dtsen.urgent(rank, dtsen.visible_villages(request.user, area.place))
    urgent = schedule.with_schedule(urgent, today)
    urgent = urgent.select_related("person", "village").order_by(*order)
    parts = area.parts()
    totals, counts = dashboard.coverage_with_parts(area, parts, today)
    if is_urgent_only:
        paginator = Paginator(urgent, PAGE_SIZE)
        urgent_preview = []
    else:
        rows = schedule.with_schedule(visible, today).filter(status__in=statuses)
        paginator = Paginator(rows.select_related("person", "village").order_by(*order), PAGE_SIZE)
        # The count is the coverage's, cached until the ledger or a re-verification changes.
        paginator.count = sum(totals[status] for status in statuses)
        urgent_preview = list(urgent[:URGENT_PREVIEW])
    page = paginator.get_page(filters.value("page", 1))
    urgent_count = paginator.count if is_urgent_only else urgent.count()
    for row in page:
        row.due_on = schedule.due_date(row.base)
    for row in [*urgent_preview, *(page if is_urgent_only else [])]:
        row.urgent_text = rank.reason(row.person_id)
    shown = len(page) + len(urgent_preview)
    audit.record(request, audit.VIEW, f"Daftar verifikasi ulang {area.label}", rows=shown)
    empty = dict.fromkeys(dashboard.COVERAGE_KEYS, 0)
    summary = [(part, counts.get(part.pk, empty)) for part in parts]
    return render(
        request,
        "oversight/reverification_list.html",
        {
            "area": area,
            "page": page,
            "status": status,
            "statuses": schedule.Status.choices,
            "is_urgent_only": is_urgent_only,
            "urgent_preview": urgent_preview,
            "urgent_count": urgent_count,
            "totals": totals,
            "summary": summary,
            "can_record": permissions.can_record_reverification(request.user),
            "today": today,
            **_area_switch(area, figure_area(request.user)),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def reverification_bulk(request, code):
    """A village's participants due and overdue (or all of them, `?semua=1`) on one form: all
    are recorded as still eligible but those ticked to leave out, in one transaction. The list
    is chosen again on the server; the form posts only those left out and a fingerprint of the
    list shown, so a village of thousands fits in one request."""
    if not permissions.can_record_reverification(request.user):
        raise PermissionDenied
    village = get_object_or_404(villages_for(request.user).select_related("district"), code=code)
    today = timezone.localdate()
    everyone = EveryoneForm(request.POST if request.method == "POST" else request.GET).everyone()
    rows = schedule.with_schedule(
        Participation.objects.visible_to(request.user).active_on(today).filter(village=village),
        today,
    )
    if not everyone:
        rows = rows.exclude(status=schedule.Status.CURRENT)
    rows = list(rows.select_related("person").order_by("base", "person__name"))
    for row in rows:
        row.due_on = schedule.due_date(row.base)
    if request.method != "POST":
        audit.record(
            request, audit.VIEW, f"Verifikasi ulang massal {village}", rows=len(rows), obj=village
        )
    form = BulkForm(
        request.POST if request.method == "POST" else None,
        rows=rows,
        initial={"semua": everyone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.village_reverify(
                actor=request.user,
                village=village,
                people=form.people(),
                checked_on=form.cleaned_data["checked_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                f"Verifikasi ulang {count} peserta {village} dicatat: masih memenuhi syarat.",
            )
            return redirect(reverse("oversight:reverification_list") + f"?desa={village.code}")
    return render(
        request,
        "oversight/reverification_bulk.html",
        {"village": village, "rows": rows, "form": form, "everyone": everyone},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def reverification_person(request, pk):
    """One participant's re-verification history, and the form to record the next one."""
    if not permissions.can_read_reverification(request.user):
        raise PermissionDenied
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household__village__district"),
        pk=pk,
    )
    if request.method != "POST":
        audit.record(request, audit.VIEW, f"Verifikasi ulang {person.nik}", rows=1, obj=person)
    today = timezone.localdate()
    participation = schedule.with_schedule(
        Participation.objects.active_on(today).filter(person=person), today
    ).first()
    can_record = participation is not None and permissions.can_record_reverification(
        request.user, participation.village
    )
    rank = dtsen.ranking(today)
    is_urgent = (
        participation is not None
        and dtsen.urgent(rank, [participation.village_id]).filter(pk=participation.pk).exists()
    )
    form = ReverificationForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                record = services.reverification_record(
                    actor=request.user, person=person, **form.service_arguments()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                message = f"Verifikasi ulang {person.name} dicatat: {record.get_outcome_display()}."
                if record.removal:
                    message += f" Pengurangan dicatat dalam {record.removal.proposal}."
                messages.success(request, message)
                return redirect("oversight:reverification_person", pk=person.pk)
    return render(
        request,
        "oversight/reverification_person.html",
        {
            "person": person,
            "participation": participation,
            "due_on": schedule.due_date(participation.base) if participation else None,
            "urgent_reason": rank.reason(person.pk) if is_urgent else "",
            "history": person.reverifications.select_related("recorded_by", "removal__proposal"),
            "form": form,
            "can_record": can_record,
            # A village's removal goes into its Usulan; the Tim Verifikasi's is its own finding.
            "removal_in_proposal": permissions.can_draft_proposal(request.user),
            "evidence_fields": [
                (form[name], " ".join(grounds)) for name, grounds in EVIDENCE_FIELDS.items()
            ],
        },
    )
