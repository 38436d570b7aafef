from django.urls import include, path

app_name = "feeds"

urlpatterns = [path("", include("feeds.dtsen_urls"))]
