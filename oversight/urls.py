from django.urls import path

from oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("dasbor.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("iuran/", views.premium_view, name="premium"),
    path("iuran.xlsx", views.premium_xlsx, name="premium_xlsx"),
    path("rekap/", views.recap_view, name="recap"),
    path("rekap.xlsx", views.recap_xlsx, name="recap_xlsx"),
    path("rekap.pdf", views.recap_pdf, name="recap_pdf"),
    path("verifikasi-ulang/", views.reverification_list, name="reverification_list"),
    path(
        "verifikasi-ulang/desa/<str:code>/",
        views.reverification_bulk,
        name="reverification_bulk",
    ),
    path(
        "verifikasi-ulang/penduduk/<int:pk>/",
        views.reverification_person,
        name="reverification_person",
    ),
]
