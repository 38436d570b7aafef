"""What the outside data sources said: Dukcapil's population events and DTSEN's welfare ranking,
and the cases they find for the Tim Verifikasi."""

from django.urls import path

from feeds import dtsen_views, views

app_name = "feeds"

urlpatterns = [
    path("dukcapil/", views.extract_upload, name="extract_upload"),
    path("dukcapil/simpan/", views.extract_confirm, name="extract_confirm"),
    path("temuan/", views.finding_list, name="finding_list"),
    path("temuan/tindakan/", views.finding_act, name="finding_act"),
    path("temuan/unduh/", views.finding_export, name="finding_export"),
    path("calon-usulan/", dtsen_views.candidate_list, name="dtsen_candidates"),
    path("calon-usulan/usulkan/", dtsen_views.candidate_add, name="dtsen_candidate_add"),
]
