from __future__ import annotations

from django.urls import path

from decks import views

app_name = "decks"

urlpatterns = [
    path("", views.export_page, name="export"),
    path("deck.apkg", views.export_download, name="download"),
    path("media/<str:name>", views.image, name="image"),
    path("reviews/", views.reviews_import, name="reviews"),
]
