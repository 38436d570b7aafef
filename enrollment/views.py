from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import Role
from enrollment import exports
from enrollment.duplicates import duplicate_groups
from enrollment.models import Ground, LedgerEntry
from enrollment.participation import active_people, is_active
from people.models import Person
from regions.models import Village

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
    return response


@require_safe
def person_detail(request, pk):
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("household__village__district"),
        pk=pk,
    )
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
