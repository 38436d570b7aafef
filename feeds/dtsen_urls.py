"""The calon usulan pages; included from feeds/urls.py, in its namespace."""

from django.urls import path

from feeds import dtsen_views

urlpatterns = [
    path("calon-usulan/", dtsen_views.candidate_list, name="dtsen_candidates"),
    path("calon-usulan/usulkan/", dtsen_views.candidate_add, name="dtsen_candidate_add"),
]
