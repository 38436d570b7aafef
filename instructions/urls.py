from django.urls import path

from instructions import views

app_name = "instructions"
urlpatterns = [
    path("", views.instruction_list, name="list"),
    path("<int:pk>/", views.instruction_detail, name="detail"),
    path("<int:pk>/laporan-baru/", views.report_open, name="report_open"),
    path("<int:pk>/rekap/", views.matrix, name="matrix"),
    path("<int:pk>/rekap.xlsx", views.matrix_xlsx, name="matrix_xlsx"),
    path("<int:pk>/rekap.pdf", views.matrix_pdf, name="matrix_pdf"),
    path("laporan/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/<int:pk>/ubah/", views.report_edit, name="report_edit"),
    path("laporan/<int:pk>/ajukan/", views.report_submit, name="report_submit"),
    path("laporan/<int:pk>/kembalikan/", views.report_return, name="report_return"),
    path("laporan/<int:pk>/teruskan/", views.report_forward, name="report_forward"),
    path("lampiran/<int:pk>/", views.attachment_download, name="attachment"),
    path("lampiran/<int:pk>/hapus/", views.attachment_delete, name="attachment_delete"),
]
