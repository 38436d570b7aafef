from django.urls import path

from bpjs import views

app_name = "bpjs"
urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("peserta/<int:pk>/", views.person_detail, name="person_detail"),
    path("registrasi/", views.registration, name="registration"),
    path("registrasi/<int:pk>/terkirim/", views.registration_sent, name="registration_sent"),
    path("impor/", views.billing_upload, name="billing_upload"),
    path("impor/simpan/", views.billing_confirm, name="billing_confirm"),
    path("rekonsiliasi/", views.reconciliation, name="reconciliation"),
    path("rekonsiliasi/unduh/", views.reconciliation_export, name="reconciliation_export"),
    path(
        "rekonsiliasi/catat-kartu/",
        views.reconciliation_record_cards,
        name="reconciliation_record_cards",
    ),
    path(
        "rekonsiliasi/usulkan-pengurangan/",
        views.reconciliation_propose_removals,
        name="reconciliation_propose_removals",
    ),
    path("rekonsiliasi/penonaktifan/", views.deactivation_request, name="deactivation_request"),
]
