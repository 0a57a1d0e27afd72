from __future__ import annotations

from django.urls import path, re_path

from decks import views

app_name = "decks"

urlpatterns = [
    path("", views.export_page, name="export"),
    path("deck.apkg", views.export_download, name="download"),
    re_path(
        r"^media/(?P<sha256>[0-9a-f]{64})\.(?P<extension>png|jpg|gif|webp)$",
        views.image,
        name="image",
    ),
]
