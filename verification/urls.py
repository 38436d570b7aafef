from django.urls import path

from verification import views

app_name = "verification"
urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("baru/", views.proposal_open, name="proposal_open"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/tambah/", views.item_add, name="item_add"),
    path("<int:pk>/penduduk/", views.resident_lookup, name="resident_lookup"),
    path("<int:pk>/kirim/", views.proposal_submit, name="proposal_submit"),
    path("<int:pk>/kembalikan/", views.proposal_return, name="proposal_return"),
    path("<int:pk>/setujui-semua/", views.items_approve_pending, name="items_approve_pending"),
    path("<int:pk>/lampiran-d.xlsx", views.lampiran_d_xlsx, name="lampiran_d_xlsx"),
    path("<int:pk>/lampiran-d.pdf", views.lampiran_d_pdf, name="lampiran_d_pdf"),
    path("<int:pk>/sktm.pdf", views.letters_pdf, name="letters_pdf"),
    path("penduduk/<int:pk>/keluarkan/", views.item_withdraw, name="item_withdraw"),
    path("penduduk/<int:pk>/putuskan/", views.item_decide, name="item_decide"),
    path("penduduk/<int:pk>/validasi/", views.removal_validate, name="removal_validate"),
    path("validasi/", views.validation_queue, name="validation_queue"),
    path("pemohon-sktm/", views.held_applicants, name="held_applicants"),
    path("pemohon-sktm/<int:pk>/", views.held_decide, name="held_decide"),
    path("penduduk/<int:pk>/terima/", views.held_item_accept, name="held_item_accept"),
    path("ekspor/", views.export, name="export"),
]
