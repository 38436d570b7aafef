from django.urls import path

from sktm import views

app_name = "sktm"
urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("baru/", views.form_edit, name="form_create"),
    path("skor/", views.score_preview, name="score_preview"),
    path("penduduk/", views.resident_lookup, name="resident_lookup"),
    path("lampiran-a-kosong.pdf", views.lampiran_a_pdf, name="lampiran_a_blank"),
    path("<int:pk>/", views.form_detail, name="form_detail"),
    path("<int:pk>/ubah/", views.form_edit, name="form_edit"),
    path("<int:pk>/mengetahui/", views.form_acknowledge, name="form_acknowledge"),
    path("<int:pk>/kembalikan/", views.form_return, name="form_return"),
    path("<int:pk>/terbitkan/", views.letter_issue, name="letter_issue"),
    path("<int:pk>/lampiran-a.pdf", views.lampiran_a_pdf, name="lampiran_a_pdf"),
    path("surat/", views.letter_list, name="letter_list"),
    path("surat/<int:pk>.pdf", views.letter_pdf, name="letter_pdf"),
    path("surat/<int:pk>/cabut/", views.letter_revoke, name="letter_revoke"),
    path("cek/<str:token>/", views.letter_verify, name="letter_verify"),
]
