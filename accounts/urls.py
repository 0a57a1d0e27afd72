from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Django's own auth views under their usual names (`login`, `logout`, ...), so that
# LOGIN_URL and the admin's links find them; templates live in templates/registration/.
urlpatterns = [
    path("", views.account, name="account"),
    path("progress.json", views.progress_download, name="progress_download"),
    path("delete/", views.account_delete_confirm, name="account_delete"),
    path("signup/", views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
