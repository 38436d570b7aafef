import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

import audit
import jobs
from accounts import permissions
from accounts.responses import pdf_response, refuse, xlsx_response
from accounts.scoping import districts_for
from enrollment.models import Ground, Kind, RegistryRecord
from people.models import Household, Person
from regions import terminology
from regions.months import add_months, month_start
from sktm import letters
from sktm import services as sktm_services
from sktm.models import Letter, VerificationForm
from sktm.views import held_applicant, resident_answer
from verification import lampiran_d, services, waiting
from verification.forms import (
    GROUND_FIELDS,
    IDENTITY_FIELDS,
    DecisionForm,
    ExportForm,
    HeldDecisionForm,
    ItemForm,
    NoteForm,
    QueueFilter,
    SubmitForm,
    ValidationForm,
)
from verification.models import Decision, Proposal, ProposalItem, ProposalStatus

PAGE_SIZE = 50


def _scoped_proposal(request, pk):
    queryset = Proposal.objects.visible_to(request.user).select_related(
        "village__district__regency", "submitted_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _scoped_item(request, pk):
    queryset = ProposalItem.objects.visible_to(request.user).select_related(
        "proposal__village", "person"
    )
    return get_object_or_404(queryset, pk=pk)


def _cleaned(form):
    """The form's data, or a ValidationError carrying its messages."""
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data


def _with_counts(proposals):
    return proposals.annotate(
        additions=Count("items", filter=Q(items__kind=Kind.ADDITION)),
        removals=Count("items", filter=Q(items__kind=Kind.REMOVAL)),
        pending=Count("items", filter=Q(items__decision=Decision.PENDING)),
        rejected=Count("items", filter=Q(items__decision=Decision.REJECTED)),
    )


@require_safe
def proposal_list(request):
    """A village's own Usulan; for everyone else the queue of submitted Usulan, oldest
    first."""
    terms = terminology.current()
    proposals = _with_counts(
        Proposal.objects.visible_to(request.user).select_related("village__district")
    ).order_by("-month", "village__code")
    if permissions.can_draft_proposal(request.user):
        this_month = month_start(timezone.localdate())
        # What waits for the village (the home page's Menunggu Anda links here): the same
        # selector as its count.
        waiting_for = request.GET.get("menunggu", "")
        if waiting_for in waiting.VILLAGE_FILTERS:
            proposals = proposals.filter(
                pk__in=waiting.VILLAGE_FILTERS[waiting_for](request.user).values("pk")
            )
        # Meta.ordering does not apply to an aggregated queryset: order it here.
        proposals = proposals.order_by("-month")
        context = {
            "page": Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page")),
            "months": [this_month, add_months(this_month, 1)],
            "waiting_for": _VILLAGE_FILTER_LABELS.get(waiting_for, ""),
        }
        return render(request, "verification/village_proposals.html", context)
    # The page number and the order are not filters: page 2 of the default queue is still
    # the Usulan waiting for decisions. Those who decide open on that queue, oldest first;
    # those who follow (the Panewu/Camat over its villages, the Sekda/Bupati) on every Usulan
    # sent, newest first (issue 15 section 6).
    chosen = request.GET.copy()
    for key in ("page", "urut"):
        chosen.pop(key, None)
    decides = permissions.can_decide(request.user)
    filters = QueueFilter(
        chosen or ({"status": ProposalStatus.SUBMITTED} if decides else {}),
        districts=districts_for(request.user),
        terms=terms,
    )
    default_order = "menunggu" if decides else "terbaru"
    order = request.GET.get("urut") if request.GET.get("urut") in QUEUE_ORDERS else default_order
    proposals = proposals.exclude(status=ProposalStatus.DRAFT).order_by(*QUEUE_ORDERS[order][1])
    if filters.is_valid():
        data = filters.cleaned_data
        if data["district"]:
            proposals = proposals.filter(village__district=data["district"])
        if data["village"]:
            proposals = proposals.filter(village__name__icontains=data["village"])
        if data["month"]:
            year, month = map(int, data["month"].split("-"))
            proposals = proposals.filter(month=datetime.date(year, month, 1))
        if data["status"]:
            proposals = proposals.filter(status=data["status"])
        if data["waiting_days"] is not None:
            since = timezone.now() - datetime.timedelta(days=data["waiting_days"])
            proposals = proposals.filter(submitted_at__lte=since)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "verification/queue.html",
        {
            "page": page,
            "filters": filters,
            "orders": [(key, label) for key, (label, _) in QUEUE_ORDERS.items()],
            "order": order,
            "now": timezone.now(),
            "can_export": permissions.can_export_lampiran_d(request.user),
        },
    )


# The queue's orders (?urut=): its label, and the fields.
QUEUE_ORDERS = {
    "menunggu": ("terlama menunggu di atas", ("submitted_at", "village__code")),
    "terbaru": ("terbaru dikirim di atas", ("-submitted_at", "village__code")),
    "belum": ("terbanyak belum diputus di atas", ("-pending", "submitted_at", "village__code")),
    "desa": ("menurut wilayah", ("village__district__name", "village__name", "-month")),
}


_VILLAGE_FILTER_LABELS = {
    "dikembalikan": "Usulan yang dikembalikan Tim Verifikasi",
    "kirim": "Usulan yang menunggu dikirim",
    "diputuskan": "Usulan yang diputuskan sejak terakhir Anda buka",
}


@require_POST
def proposal_open(request):
    if not permissions.can_draft_proposal(request.user):
        raise PermissionDenied
    try:
        month = datetime.date.fromisoformat(request.POST.get("month", ""))
        proposal = services.proposal_open(actor=request.user, month=month)
    except ValueError:
        messages.error(request, "Bulan usulan tidak sah.")
        return redirect("verification:proposal_list")
    except ValidationError as error:
        refuse(request, error)
        return redirect("verification:proposal_list")
    return redirect("verification:proposal_detail", pk=proposal.pk)


@require_safe
def proposal_detail(request, pk):
    proposal = _scoped_proposal(request, pk)
    items = list(
        proposal.items.select_related(
            "person__household", "mother", "letter", "duplicate_of", "faskes", "decided_by"
        )
    )
    audit.record(request, audit.VIEW, f"Usulan {proposal}", rows=len(items), obj=proposal)
    user = request.user
    events = list(proposal.events.select_related("actor", "person"))
    for event in events:
        event.from_label = _EVENT_LABELS.get(event.from_status, event.from_status)
        event.to_label = _EVENT_LABELS.get(event.to_status, event.to_status)
    returns = [event.note for event in events if event.to_status == ProposalStatus.RETURNED]
    context = {
        **_row_context(user, proposal),
        "additions": [item for item in items if item.kind == Kind.ADDITION],
        "removals": [item for item in items if item.kind == Kind.REMOVAL],
        "decided": sum(item.decision != Decision.PENDING for item in items),
        "total": len(items),
        "closed_message": _CLOSED,
        "events": events,
        "return_note": returns[-1] if returns else "",
        "can_submit": permissions.can_submit_proposal(user, proposal) and proposal.is_editable,
        "submit_form": SubmitForm(initial={"place": proposal.village.name}),
        "note_form": NoteForm(),
    }
    return render(request, "verification/proposal_detail.html", context)


def _row_context(user, proposal):
    """What a row of a proposed person needs, on the page and in its htmx fragment."""
    return {
        "proposal": proposal,
        "can_edit": permissions.can_draft_proposal(user, proposal.village) and proposal.is_editable,
        "can_decide": permissions.can_decide(user, proposal)
        and proposal.status == ProposalStatus.SUBMITTED,
        "can_validate": permissions.can_validate_removal(user),
        "decision_form": DecisionForm(),
    }


_EVENT_LABELS = {
    **dict(ProposalStatus.choices),
    **dict(Decision.choices),
    "added": "Ditambahkan ke usulan",
    "withdrawn": "Dikeluarkan dari usulan",
    "validated": "Divalidasi, dicatat di buku mutasi",
}


def item_add(request, pk):
    proposal = _scoped_proposal(request, pk)
    if not permissions.can_draft_proposal(request.user, proposal.village):
        raise PermissionDenied
    if not proposal.is_editable:
        messages.error(request, "Usulan yang sudah dikirim tidak dapat diubah.")
        return redirect("verification:proposal_detail", pk=pk)
    form = ItemForm(request.POST or None, village=proposal.village)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_propose(
                actor=request.user,
                proposal=proposal,
                nik=form.cleaned_data["nik"],
                identity=form.person_data(),
                item=ProposalItem(**form.item_fields()),
            )
        except ValidationError as error:
            on_fields = hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields)
            form.add_error(None, error if on_fields else error.messages)
        else:
            messages.success(request, f"{item.subject.name} ditambahkan ke usulan.")
            return redirect("verification:proposal_detail", pk=pk)
    return render(
        request,
        "verification/item_form.html",
        {
            "proposal": proposal,
            "form": form,
            "identity_fields": IDENTITY_FIELDS,
            "ground_fields": {ground.value: fields for ground, fields in GROUND_FIELDS.items()},
        },
    )


@require_safe
@never_cache
def resident_lookup(request, pk):
    """The Usulan form's NIK lookup, among the residents of the Usulan's village (issue 15
    section 5), with the evidence grounds c.1 and c.2 would rest on."""
    proposal = _scoped_proposal(request, pk)
    if not permissions.can_draft_proposal(request.user, proposal.village):
        raise PermissionDenied
    return resident_answer(
        request,
        proposal.village,
        lambda person: _evidence_notes(request.user, proposal, person),
        held=_held_in,
    )


def _held_in(village, nik):
    """What the village submitted of a NIK recorded elsewhere: its latest Usulan item's
    identity never recorded (held, or refused while held: a new resident's record would stay),
    else its held SKTM applicant."""
    item = (
        ProposalItem.objects.filter(
            person__isnull=True, proposal__village=village, held_identity__nik=nik
        )
        .select_related("proposal__village")
        .order_by("-pk")
        .first()
    )
    return item.subject if item else held_applicant(village, nik)


def _evidence_notes(user, proposal, person):
    """Per ground, the record a proposal of `person` would rest on, as services.item_add and
    enrollment's checks find it: c.2 the SKTM in force, c.1 the latest DTKS/DTSEN listing."""
    letter = Letter.objects.visible_to(user).in_force_for(
        person, proposal.village_id, timezone.localdate()
    )
    listing = (
        RegistryRecord.objects.visible_to(user)
        .filter(nik=person.nik)
        .order_by("-data_period", "-imported_at", "-pk")
        .first()
    )
    if letter:
        until = date_format(letter.valid_until, "j F Y")
        sktm = f"SKTM yang dipakai: No. {letter.number}, berlaku sampai {until}."
    else:
        sktm = "Belum ada SKTM yang berlaku untuk penduduk ini; terbitkan SKTM lebih dulu."
    if listing:
        desil = f", desil {listing.desil}" if listing.desil else ""
        period = date_format(listing.data_period, "F Y")
        registry = (
            f"Data {listing.get_source_display()} yang dipakai: ID {listing.registry_id}, "
            f"periode {period}{desil}."
        )
    else:
        registry = (
            "Penduduk ini tidak ada dalam data DTKS/DTSEN yang diimpor; isi bukti DTKS/DTSEN."
        )
    return {Ground.SKTM.value: sktm, Ground.DTKS.value: registry}


@require_POST
def item_withdraw(request, pk):
    item = _scoped_item(request, pk)
    try:
        services.item_withdraw(actor=request.user, item=item)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, f"{item.subject.name} dikeluarkan dari usulan.")
    return redirect("verification:proposal_detail", pk=item.proposal_id)


@require_POST
def proposal_submit(request, pk):
    proposal = _scoped_proposal(request, pk)
    if not permissions.can_submit_proposal(request.user, proposal):
        raise PermissionDenied
    try:
        services.proposal_submit(
            actor=request.user, proposal=proposal, place=_cleaned(SubmitForm(request.POST))["place"]
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, "Usulan dikirim ke Dinas Sosial.")
    return redirect("verification:proposal_detail", pk=pk)


@require_POST
def proposal_return(request, pk):
    proposal = _scoped_proposal(request, pk)
    if not permissions.can_decide(request.user, proposal):
        raise PermissionDenied
    try:
        services.proposal_return(
            actor=request.user, proposal=proposal, note=_cleaned(NoteForm(request.POST))["note"]
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, "Usulan dikembalikan ke desa.")
    return redirect("verification:proposal_detail", pk=pk)


@require_POST
def item_decide(request, pk):
    item = _scoped_item(request, pk)
    if not permissions.can_decide(request.user, item.proposal):
        raise PermissionDenied
    refusal = None
    try:
        item = services.item_decide(
            actor=request.user, item=item, **_cleaned(DecisionForm(request.POST))
        )
    except ValidationError as error:
        refusal = error
    if request.headers.get("HX-Request"):
        return _decision_fragment(request, pk, refusal)
    if refusal:
        refuse(request, refusal)
    elif not item.proposal.items.filter(decision=Decision.PENDING).exists():
        messages.success(request, _CLOSED)
    return redirect(
        reverse("verification:proposal_detail", args=[item.proposal_id]) + f"#item-{pk}"
    )


_CLOSED = "Semua penduduk sudah diputuskan: usulan selesai diverifikasi."


def _decision_fragment(request, pk, refusal):
    """The answer to a decision made in place (htmx): the person's row, with the refusal at
    the row; out of band, the counter, and the next undecided row holding the focus; once the
    last person is decided, the Usulan's new status and no more decision tools."""
    item = _scoped_item(request, pk)
    proposal = _scoped_proposal(request, item.proposal_id)
    items = list(proposal.items.order_by("kind", "pk").only("pk", "kind", "decision"))
    # The next undecided person in the page's order, wrapping round to the first.
    pending = [other.pk for other in items if other.decision == Decision.PENDING]
    later = [other for other in pending if other > pk and _kind(items, other) == item.kind]
    if item.kind == Kind.ADDITION:
        later += [other for other in pending if _kind(items, other) == Kind.REMOVAL]
    following = (later or pending or [None])[0] if refusal is None else None
    next_item = _scoped_item(request, following) if following else None
    context = {
        **_row_context(request.user, proposal),
        "item": item,
        "number": _number(items, item),
        "refusal": refusal.messages if refusal else [],
        "next_item": next_item,
        "next_number": _number(items, next_item) if next_item else None,
        "decided": len(items) - len(pending),
        "total": len(items),
        "closed_message": _CLOSED,
        "counter_has_focus": refusal is None and next_item is None,
    }
    return render(request, "verification/_decision.html", context)


def _kind(items, pk):
    return next(other.kind for other in items if other.pk == pk)


def _number(items, item):
    """The row's number within its table (additions, removals)."""
    same_kind = [other.pk for other in items if other.kind == item.kind]
    return same_kind.index(item.pk) + 1


@require_POST
def items_approve_pending(request, pk):
    proposal = _scoped_proposal(request, pk)
    try:
        count = services.items_approve_pending(actor=request.user, proposal=proposal)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, f"{count} penduduk disetujui.")
    return redirect("verification:proposal_detail", pk=pk)


@require_safe
def validation_queue(request):
    if not permissions.can_validate_removal(request.user):
        raise PermissionDenied
    items = (
        waiting.removals_to_validate(request.user)
        .select_related("person__household__village", "proposal", "decided_by", "duplicate_of")
        .order_by("decided_at")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    form = ValidationForm(initial={"validated_on": timezone.localdate()})
    return render(request, "verification/validation_queue.html", {"page": page, "form": form})


def _records_elsewhere(held):
    """Beside each (object, NIK, No. KK) of `held`: the resident recorded with the NIK and the
    household with the No. KK, anywhere in the kabupaten (for the Tim Verifikasi)."""
    people = Person.objects.select_related("household__village").filter(
        nik__in=[nik for _, nik, _ in held]
    )
    households = Household.objects.select_related("village").filter(
        number__in=[number for _, _, number in held]
    )
    by_nik = {person.nik: person for person in people}
    by_number = {household.number: household for household in households}
    return [(obj, by_nik.get(nik), by_number.get(number)) for obj, nik, number in held]


@require_safe
def held_applicants(request):
    """SKTM applicants and Usulan items whose NIK or No. KK is recorded in another village,
    each beside the record it meets: the village went on as with a new resident, the Tim
    Verifikasi decides (issue 14, finding 3)."""
    if not permissions.can_decide(request.user):
        raise PermissionDenied
    forms = (
        VerificationForm.objects.visible_to(request.user)
        .held()
        .select_related("village", "created_by")
        .order_by("created_at", "pk")
    )
    page = Paginator(forms, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _records_elsewhere([(form, form.nik, form.kk_number) for form in page])
    items = (
        waiting.items_held(request.user)
        .select_related("proposal__village", "added_by")
        .order_by("added_at", "pk")
    )
    item_rows = _records_elsewhere(
        [(item, item.held_identity["nik"], item.held_identity["kk_number"]) for item in items]
    )
    audit.record(
        request,
        audit.VIEW,
        "Pemohon SKTM dan usulan tercatat di desa lain",
        rows=len(rows) + len(item_rows),
    )
    return render(
        request,
        "verification/held_applicants.html",
        {
            "page": page,
            "rows": rows,
            "item_rows": item_rows,
            "can_move": permissions.can_move_household(request.user),
        },
    )


@require_POST
def held_item_accept(request, pk):
    """An admin accepts a held Usulan item: the family moved (services.held_item_accept)."""
    if not permissions.can_decide(request.user):
        raise PermissionDenied
    item = get_object_or_404(ProposalItem.objects.visible_to(request.user), pk=pk)
    try:
        person = services.held_item_accept(actor=request.user, item=item)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request, f"{person.name} dicatat sebagai penduduk {item.proposal.village}."
        )
    return redirect("verification:held_applicants")


@require_POST
def held_decide(request, pk):
    if not permissions.can_decide(request.user):
        raise PermissionDenied
    form = get_object_or_404(VerificationForm.objects.visible_to(request.user), pk=pk)
    try:
        data = _cleaned(HeldDecisionForm(request.POST))
        if data["decision"] == "accept":
            services.held_applicant_accept(actor=request.user, form=form)
            messages.success(
                request, f"{form.applicant_name} dicatat sebagai penduduk {form.village}."
            )
        else:
            sktm_services.held_applicant_refuse(
                actor=request.user, form=form, reason=data["reason"]
            )
            messages.success(request, f"Penolakan {form.applicant_name} dikirim ke desa.")
    except ValidationError as error:
        refuse(request, error)
    return redirect("verification:held_applicants")


@require_POST
def removal_validate(request, pk):
    item = _scoped_item(request, pk)
    if not permissions.can_validate_removal(request.user):
        raise PermissionDenied
    try:
        services.removal_validate(
            actor=request.user, item=item, **_cleaned(ValidationForm(request.POST))
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, f"Pengurangan {item.person.name} dicatat di buku mutasi.")
    # Back to the page the validation came from, when it is one of this site's (never a URL
    # name, never another site).
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect("verification:validation_queue")


@require_safe
def lampiran_d_xlsx(request, pk):
    proposal = _scoped_proposal(request, pk)
    filename = f"Lampiran-D-{proposal.village.code}-{proposal.month:%Y-%m}.xlsx"

    def write(output):
        rows = lampiran_d.write_xlsx(
            output, proposal.month, proposal.items.all(), signature=lampiran_d.signature(proposal)
        )
        audit.record(request, audit.EXPORT, filename, rows=rows, obj=proposal)

    return xlsx_response(write, filename)


@require_safe
def lampiran_d_pdf(request, pk):
    proposal = _scoped_proposal(request, pk)
    removals = proposal.items.filter(kind=Kind.REMOVAL).select_related("person__household")
    content = lampiran_d.pdf(
        proposal, proposal.items.all(), removals, request.build_absolute_uri("/")
    )
    filename = f"Lampiran-D-{proposal.village.code}-{proposal.month:%Y-%m}.pdf"
    rows = proposal.items.count()
    audit.record(request, audit.EXPORT, filename, rows=rows, obj=proposal)
    return pdf_response(content, filename)


@require_safe
def letters_pdf(request, pk):
    """The SKTM letters of the people proposed on ground c.2, as one PDF."""
    proposal = _scoped_proposal(request, pk)
    items = proposal.items.filter(letter__isnull=False).select_related(
        "letter__form", "letter__person__household", "letter__village__district__regency"
    )
    base_url = letters.public_base_url(request)
    htmls = [
        letters.letter_html(item.letter, letters.verify_url(item.letter, base_url))
        for item in items
    ]
    if not htmls:
        messages.info(request, "Usulan ini tidak memuat SKTM.")
        return redirect("verification:proposal_detail", pk=pk)
    content = letters.combined_pdf(htmls, base_url)
    filename = f"SKTM-{proposal.village.code}-{proposal.month:%Y-%m}.pdf"
    audit.record(request, audit.EXPORT, filename, rows=len(htmls), obj=proposal)
    return pdf_response(content, filename)


def export(request):
    """Lampiran D of a month across a kapanewon or the whole kabupaten, in the user's scope;
    written by a background job while the page shows its progress."""
    if not permissions.can_export_lampiran_d(request.user):
        raise PermissionDenied
    form = ExportForm(request.POST or None, districts=districts_for(request.user))
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data["district"]
        job = jobs.start(
            "verification.lampiran_d",
            request.user,
            month=form.cleaned_data["month"].isoformat(),
            district=district.pk if district else None,
            format=form.cleaned_data["format"] or "xlsx",
        )
        return redirect(job)
    return render(request, "verification/export.html", {"form": form})
