"""The calon usulan (Instruksi KELIMA c and e): residents DTSEN lists at or below the
kabupaten's desil threshold who are neither participants nor covered, per village for the
village, per kapanewon for the Panewu/Camat, the kabupaten for the Tim Verifikasi."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts import permissions
from accounts.responses import refuse
from accounts.scoping import districts_for, figure_area, villages_for
from enrollment.models import RegistryRecord
from feeds import dtsen
from feeds.dtsen_forms import CandidateAddForm, CandidateFilter
from regions.models import District, Regency, Village

PAGE_SIZE = 50


def _place(user, filters: CandidateFilter):
    """The user's own area, or the kapanewon or village of it the filter names; 404 outside
    it or for a code of no place."""
    filters.is_valid()
    if "desa" in filters.errors or "kapanewon" in filters.errors:
        raise Http404
    village, district = filters.cleaned_data["desa"], filters.cleaned_data["kapanewon"]
    if village:
        return get_object_or_404(villages_for(user).select_related("district"), code=village)
    if district:
        return get_object_or_404(districts_for(user), code=district)
    place = figure_area(user)
    if place is None:
        raise Http404
    return place


def _parts(place):
    """Links down: the kapanewon of a kabupaten, the villages of a kapanewon, with the query
    parameter that selects each."""
    if isinstance(place, Regency):
        return [("kapanewon", d) for d in District.objects.filter(regency=place.pk)]
    if isinstance(place, District):
        return [("desa", v) for v in Village.objects.filter(district=place.pk)]
    return []


@require_safe
def candidate_list(request):
    """The calon usulan of the user's area, or of one kapanewon or village of it."""
    if not permissions.can_read_candidates(request.user):
        raise PermissionDenied
    filters = CandidateFilter(request.GET)
    place = _place(request.user, filters)
    today = timezone.localdate()
    rank = dtsen.ranking(today)
    rows = dtsen.candidate_cases(actor=request.user, month=today, area=place, rank=rank)
    paginator = Paginator(rows.select_related("village__district"), PAGE_SIZE)
    # Counted from the kabupaten's figure per village, cached under the ranking's stamps.
    paginator.count = sum(dtsen.visible_candidate_counts(rank, request.user, place).values())
    page = paginator.get_page(filters.value("page", 1))
    audit.record(request, audit.VIEW, f"Calon usulan DTSEN {place}", rows=len(page))
    can_propose = isinstance(place, Village) and permissions.can_draft_proposal(request.user, place)
    return render(
        request,
        "feeds/dtsen_candidates.html",
        {
            "place": place,
            "rank": rank,
            "page": page,
            "parts": _parts(place),
            "form": CandidateAddForm(village=place) if can_propose else None,
            "usulan_month": dtsen.usulan_month(place, today) if can_propose else None,
        },
    )


@require_POST
def candidate_add(request):
    """One click: the listing into this month's Usulan of the village, on ground c.1."""
    if not permissions.can_draft_proposal(request.user):
        raise PermissionDenied
    village = request.user.village
    form = CandidateAddForm(request.POST, village=village)
    back = reverse("feeds:dtsen_candidates")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    listing = get_object_or_404(
        RegistryRecord.objects.visible_to(request.user), pk=form.cleaned_data["listing"]
    )
    try:
        item = dtsen.candidate_propose(
            actor=request.user, listing=listing, **form.service_arguments()
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            f"{item.person.name} diusulkan dalam {item.proposal} dengan dasar DTSEN "
            f"(desil {listing.desil}, periode {listing.data_period:%m-%Y}).",
        )
    return redirect(back)
