from __future__ import annotations

from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("", views.my_notes, name="mine"),
    path("<slug:slug>/delete/", views.delete, name="delete"),
]
