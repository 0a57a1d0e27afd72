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
    path("", include("lessons.urls")),
]
