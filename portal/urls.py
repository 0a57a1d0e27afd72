from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers (and the admin's pages, which do not link our icon) ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("lessons.urls")),
]
