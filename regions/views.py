from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from regions.models import District, HealthFacility, Village


@require_safe
def village_list(request):
    districts = District.objects.visible_to(request.user).prefetch_related(
        Prefetch("villages", queryset=Village.objects.visible_to(request.user))
    )
    return render(request, "regions/village_list.html", {"districts": districts})


@require_safe
def village_detail(request, code):
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("district__regency"), code=code
    )
    facilities = HealthFacility.objects.filter(district=village.district_id, is_active=True)
    return render(
        request, "regions/village_detail.html", {"village": village, "facilities": facilities}
    )
