from __future__ import annotations

from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("", views.attempts, name="attempts"),
    # The dashboard's practice panel links here by path (progress/dashboard.py, NEW_TEST_URL).
    path("new", views.start, name="start"),
    path("<int:pk>/<int:position>/", views.question, name="question"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/study-missed/", views.study_missed, name="study_missed"),
]
