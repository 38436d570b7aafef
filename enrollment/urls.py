from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("peserta.xlsx", views.roster_export, name="roster_export"),
    path("penduduk/<int:pk>/", views.person_detail, name="person_detail"),
    path("data-ganda/", views.duplicates, name="duplicates"),
    path("impor/", views.import_participants, name="import_participants"),
    path("impor/simpan/", views.import_confirm, name="import_confirm"),
    path("impor/peserta_contoh.csv", views.import_sample, name="import_sample"),
    path("impor-dtks/", views.import_registry, name="import_registry"),
    path("impor-dtks/simpan/", views.import_registry_confirm, name="import_registry_confirm"),
    path("impor-dtks/dtks_contoh.csv", views.import_registry_sample, name="import_registry_sample"),
]
