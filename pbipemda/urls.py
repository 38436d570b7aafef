from django.contrib import admin
from django.urls import include, path

from pbipemda import views

admin.site.site_header = "PBI Pemda"
admin.site.site_title = "PBI Pemda"
admin.site.index_title = "Data induk"

urlpatterns = [
    path("", include("accounts.urls")),
    path("sktm/", include("sktm.urls")),
    path("peserta/", include("enrollment.urls")),
    path("usulan/", include("verification.urls")),
    path("bpjs/", include("bpjs.urls")),
    path("sumber/", include("feeds.urls")),
    path("pekerjaan/", include("jobs.urls")),
    path("instruksi/", include("instructions.urls")),
    path("pantauan/", include("oversight.urls")),
    path("data-pribadi/", views.subject_access_export, name="subject_access"),
    path("admin/", admin.site.urls),
]
