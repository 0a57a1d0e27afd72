from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("trees/", include("trees.urls")),
    path("study/", include("flashcards.urls")),
    path("search/", include("search.urls")),
    path("progress/", include("progress.urls")),
    path("practice/", include("practice.urls")),
    path("notes/", include("notes.urls")),
    path("analytics/", include("analytics.urls")),
    path("anki/", include("decks.urls")),
    path("", include("lessons.urls")),
]

# Django's own 400 page says only "Bad Request"; ours says which limit was hit.
handler400 = "portal.errors.bad_request"
