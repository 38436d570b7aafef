from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts import permissions
from accounts.responses import pdf_response, run_service, xlsx_response
from accounts.scoping import districts_for
from instructions import exports, figures, overview, services
from instructions.addressees import addressee_of
from instructions.forms import LineForm, MatrixFilter, NoteForm, PeriodForm
from instructions.models import Attachment, Diktum, Instruction, Item, Report
from instructions.reminders import awaiting_review
from regions import terminology


def _scoped_instruction(request, pk):
    return get_object_or_404(Instruction.objects.visible_to(request.user), pk=pk)


def _scoped_report(request, pk):
    queryset = Report.objects.visible_to(request.user).select_related(
        "instruction__regency", "agency", "district", "village__district"
    )
    return get_object_or_404(queryset, pk=pk)


@require_safe
def instruction_list(request):
    instructions = Instruction.objects.visible_to(request.user).filter(is_active=True)
    if len(instructions) == 1:
        return redirect("instructions:detail", pk=instructions[0].pk)
    return render(request, "instructions/list.html", {"instructions": instructions})


@require_safe
def instruction_detail(request, pk):
    """The instruction's text as the user reads it (its own items, or all for the Sekda,
    Bupati and admin) and, for an addressee, its periods and reports."""
    instruction = _scoped_instruction(request, pk)
    addressee = addressee_of(request.user)
    items = Item.objects.select_related("agency")
    if addressee is not None:
        if not addressee.is_addressed_by(instruction):
            items = items.none()
        else:
            items = items.filter(addressee.shown_condition())
    dicta = (
        Diktum.objects.filter(instruction=instruction)
        .prefetch_related(Prefetch("items", queryset=items, to_attr="shown_items"))
        .order_by("position")
    )
    dicta = [diktum for diktum in dicta if diktum.shown_items]
    periods = []
    if addressee is not None and addressee.is_addressed_by(instruction):
        own_items = Item.objects.filter(diktum__instruction=instruction).addressed_to(addressee)
        if own_items.exists():
            reports = {
                report.period_start: report
                for report in Report.objects.filter(
                    instruction=instruction, **addressee.report_fields
                )
            }
            periods = [
                (period, reports.get(period.start))
                for period in reversed(instruction.periods_until(timezone.localdate()))
            ]
    return render(
        request,
        "instructions/detail.html",
        {
            "instruction": instruction,
            "dicta": dicta,
            "addressee": addressee,
            "periods": periods,
            "awaiting": awaiting_review(request.user).filter(instruction=instruction),
            "can_oversee": permissions.can_read_instruction_overview(request.user),
        },
    )


@require_POST
def report_open(request, pk):
    instruction = _scoped_instruction(request, pk)
    if not permissions.can_write_report(request.user):
        raise PermissionDenied
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Periode laporan tidak sah.")
        return redirect("instructions:detail", pk=pk)
    report = run_service(
        request,
        "Laporan dibuat; isi setiap butir lalu simpan.",
        services.report_open,
        instruction=instruction,
        period_start=form.cleaned_data["period_start"],
    )
    if report is None:
        return redirect("instructions:detail", pk=pk)
    return redirect("instructions:report_edit", pk=report.pk)


def _report_lines(report):
    return report.lines.select_related("item__diktum", "item__agency").prefetch_related(
        "attachments"
    )


@require_safe
def report_detail(request, pk):
    report = _scoped_report(request, pk)
    lines = list(_report_lines(report))
    user = request.user
    values = figures.for_report(report, [line.item for line in lines])
    for line in lines:
        line.system_figures = values.get(line.item_id, [])
    status = report.status
    return render(
        request,
        "instructions/report_detail.html",
        {
            "report": report,
            "lines": lines,
            "events": report.events.select_related("actor"),
            "can_edit": permissions.can_write_report(user, report) and report.is_editable,
            "can_submit": permissions.can_submit_report(user, report) and report.is_editable,
            "can_review": permissions.can_review_report(user, report) and status == "submitted",
            "note_form": NoteForm(),
        },
    )


def report_edit(request, pk):
    report = _scoped_report(request, pk)
    if not permissions.can_write_report(request.user, report):
        raise PermissionDenied
    if not report.is_editable:
        messages.error(request, "Laporan ini sudah diajukan dan tidak dapat diubah.")
        return redirect("instructions:report_detail", pk=pk)
    lines = list(_report_lines(report))
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    for line in lines:
        line.form = LineForm(
            data,
            files,
            prefix=f"line-{line.pk}",
            initial={
                "status": line.status,
                "narrative": line.narrative,
                "figure": line.figure,
                "figure_unit": line.figure_unit or line.item.figure_unit,
            },
        )
    errors = []
    if request.method == "POST":
        if all(line.form.is_valid() for line in lines):
            saved = run_service(
                request,
                "Laporan disimpan.",
                services.report_update,
                report=report,
                lines={line.pk: dict(line.form.cleaned_data) for line in lines},
            )
            if saved is not None:
                if "submit" in request.POST and permissions.can_submit_report(request.user, report):
                    run_service(
                        request, _submitted_message(report), services.report_submit, report=saved
                    )
                return redirect("instructions:report_detail", pk=pk)
        else:
            errors.append("Periksa isian yang ditandai.")
    values = figures.for_report(report, [line.item for line in lines])
    for line in lines:
        line.system_figures = values.get(line.item_id, [])
    return render(
        request,
        "instructions/report_edit.html",
        {
            "report": report,
            "lines": lines,
            "errors": errors,
            "can_submit": permissions.can_submit_report(request.user, report),
        },
    )


def _submitted_message(report):
    if report.village_id:
        return f"Laporan diajukan kepada {terminology.current().district_head}."
    return "Laporan disampaikan kepada Bupati melalui Sekretaris Daerah."


@require_POST
def report_submit(request, pk):
    report = _scoped_report(request, pk)
    run_service(request, _submitted_message(report), services.report_submit, report=report)
    return redirect("instructions:report_detail", pk=pk)


@require_POST
def report_return(request, pk):
    report = _scoped_report(request, pk)
    run_service(
        request,
        "Laporan dikembalikan ke desa.",
        services.report_return,
        report=report,
        note=request.POST.get("note", ""),
    )
    return redirect("instructions:report_detail", pk=pk)


@require_POST
def report_forward(request, pk):
    report = _scoped_report(request, pk)
    run_service(
        request,
        "Laporan diterima dan diteruskan kepada Bupati melalui Sekretaris Daerah.",
        services.report_forward,
        report=report,
    )
    return redirect("instructions:report_detail", pk=pk)


def _scoped_attachment(request, pk):
    return get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related("line__report"), pk=pk
    )


@require_safe
def attachment_download(request, pk):
    """Attachments are never served from a public media URL: only through this check."""
    attachment = _scoped_attachment(request, pk)
    audit.record(request, audit.EXPORT, attachment.name, obj=attachment)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@require_POST
def attachment_delete(request, pk):
    attachment = _scoped_attachment(request, pk)
    report_pk = attachment.line.report_id
    run_service(request, "Lampiran dihapus.", services.attachment_delete, attachment=attachment)
    return redirect("instructions:report_edit", pk=report_pk)


def _matrix_for(request, pk):
    if not permissions.can_read_instruction_overview(request.user):
        raise PermissionDenied
    instruction = _scoped_instruction(request, pk)
    terms = terminology.current()
    districts = districts_for(request.user).filter(regency=instruction.regency)
    years = sorted({p.start.year for p in instruction.periods_until(timezone.localdate())})
    filters = MatrixFilter(
        request.GET or None, districts=districts, years=years, district_label=terms.district
    )
    data = filters.cleaned_data if filters.is_valid() else {}
    kind = data.get("kind") or overview.RowKind.TO_SEKDA
    if not permissions.can_oversee_instructions(request.user):
        kind = overview.RowKind.VILLAGES  # a Camat oversees its own villages only
    matrix = overview.build(
        instruction,
        request.user,
        kind=kind,
        district_code=data.get("district", ""),
        year=data.get("year"),
        status=data.get("status", ""),
    )
    return instruction, matrix, filters


@require_safe
def matrix(request, pk):
    instruction, table, filters = _matrix_for(request, pk)
    return render(
        request,
        "instructions/matrix.html",
        {
            "instruction": instruction,
            "matrix": table,
            "filters": filters,
            "statuses": overview.CellStatus,
            "query": request.GET.urlencode(),
        },
    )


@require_safe
def matrix_xlsx(request, pk):
    _, table, _ = _matrix_for(request, pk)
    audit.record(request, audit.EXPORT, "Rekap laporan Instruksi .xlsx", rows=len(table.rows))
    return xlsx_response(
        lambda output: exports.write_matrix(output, table),
        f"rekap-laporan-instruksi-{table.today:%Y-%m-%d}.xlsx",
    )


@require_safe
def matrix_pdf(request, pk):
    _, table, _ = _matrix_for(request, pk)
    content = exports.matrix_pdf(table, request.build_absolute_uri("/"))
    audit.record(request, audit.EXPORT, "Rekap laporan Instruksi .pdf", rows=len(table.rows))
    return pdf_response(content, f"rekap-laporan-instruksi-{table.today:%Y-%m-%d}.pdf")
