from __future__ import annotations

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("learners/", views.learners, name="learners"),
    path("learners.csv", views.learners_csv, name="learners_csv"),
    path("learners/<int:learner_id>/", views.learner, name="learner"),
    path("questions/", views.questions, name="questions"),
]
