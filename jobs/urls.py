from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kemajuan/", views.progress, name="progress"),
    path("<int:pk>/mulai-lagi/", views.restart, name="restart"),
    path("<int:pk>/unduh/", views.download, name="download"),
]
