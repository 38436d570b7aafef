from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kemajuan/", views.progress, name="progress"),
    path("<int:pk>/unduh/", views.download, name="download"),
]
