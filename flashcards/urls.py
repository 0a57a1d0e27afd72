from __future__ import annotations

from django.urls import path

from flashcards import views

app_name = "flashcards"

urlpatterns = [
    path("", views.study, name="study"),
    path("grade/", views.grade, name="grade"),
    path("check/", views.check, name="check"),
    path("card/", views.card, name="card"),
    path("undo/", views.undo, name="undo"),
    path("settings/", views.study_settings, name="settings"),
    path("cards/", views.my_cards, name="cards"),
    path("custom/", views.custom_study, name="custom"),
    path("preview/", views.preview, name="preview"),
]
