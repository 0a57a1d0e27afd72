from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import PasswordResetRequestForm, ResetPasswordForm

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
    # Password reset (accounts/reset.py): ask, "check your inbox", the emailed link, done.
    path(
        "password/reset/",
        views.when_reset_is_on(
            auth_views.PasswordResetView.as_view(
                form_class=PasswordResetRequestForm,
                email_template_name="registration/password_reset_email.txt",
                html_email_template_name="registration/password_reset_email.html",
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        views.when_reset_is_on(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.when_reset_is_on(
            auth_views.PasswordResetConfirmView.as_view(form_class=ResetPasswordForm)
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.when_reset_is_on(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
