from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from practice import views

app_name = "practice"

urlpatterns = [
    path("", views.attempts, name="attempts"),
    path("new/", views.start, name="start"),
    # The first path, without its slash: kept for links made to it (query string and all).
    path(
        "new",
        RedirectView.as_view(
            pattern_name="practice:start", query_string=True, http_method_names=["get", "head"]
        ),
    ),
    path("<int:pk>/<int:position>/", views.question, name="question"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/study-missed/", views.study_missed, name="study_missed"),
]
