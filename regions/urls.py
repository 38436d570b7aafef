from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.village_list, name="village_list"),
    path("<str:code>/", views.village_detail, name="village_detail"),
]
