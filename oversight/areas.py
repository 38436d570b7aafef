"""The area a figure covers: the whole of the user's own area (`accounts.scoping.figure_area`)
or one kapanewon or village inside it, chosen with `?kapanewon=<code>` or `?desa=<code>`.
Anything outside the user's area, or no code of a place, answers 404."""

from dataclasses import dataclass

from django.http import Http404

from accounts.scoping import figure_area
from oversight.forms import AreaForm
from regions import terminology
from regions.models import District, Regency, Village


@dataclass(frozen=True)
class Area:
    place: object  # a Regency, District or Village

    @property
    def level(self):
        return {Regency: "regency", District: "district", Village: "village"}[type(self.place)]

    @property
    def label(self):
        return str(self.place)

    @property
    def code(self):
        return self.place.code

    @property
    def params(self):
        """The query string that selects this area."""
        return {"district": f"kapanewon={self.code}", "village": f"desa={self.code}"}.get(
            self.level, ""
        )

    def villages(self):
        villages = Village.objects.all()
        if self.level == "village":
            return villages.filter(pk=self.place.pk)
        if self.level == "district":
            return villages.filter(district=self.place.pk)
        return villages.filter(district__regency=self.place.pk)

    def filter(self, queryset, village_path):
        """Rows of `queryset` whose village (through `village_path`) lies in the area."""
        if self.level == "village":
            return queryset.filter(**{village_path: self.place.pk})
        return queryset.filter(**{f"{village_path}__in": self.villages().values("pk")})

    def parts(self):
        """The kapanewon of a kabupaten or the villages of a kapanewon, in code order; none
        for a village."""
        if self.level == "regency":
            return list(District.objects.filter(regency=self.place.pk).order_by("code"))
        if self.level == "district":
            return list(self.villages().order_by("code"))
        return []

    @property
    def part_name(self):
        terms = terminology.current()
        return {"regency": terms.district, "district": terms.village}.get(self.level, "")

    def part_of(self, village):
        """Which of `parts()` a village (with its district) belongs to, as a primary key."""
        return village.district_id if self.level == "regency" else village.pk


def area_for(user, params):
    """The user's own area, or the kapanewon or village of it that `params` names."""
    home = figure_area(user)
    form = AreaForm(params)
    if home is None or not form.is_valid():
        raise Http404
    area = Area(home)
    village_code, district_code = form.cleaned_data["desa"], form.cleaned_data["kapanewon"]
    if village_code:
        village = (
            area.villages().select_related("district__regency").filter(code=village_code).first()
        )
        if village is None:
            raise Http404
        return Area(village)
    if district_code:
        if area.level == "regency":
            district = District.objects.filter(regency=home.pk, code=district_code).first()
        else:
            district = home if area.level == "district" and home.code == district_code else None
        if district is None:
            raise Http404
        return Area(district)
    return area
