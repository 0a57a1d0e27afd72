"""Signing up, the account page, the progress download and deleting an account. Log in, log
out, password change and password reset are Django's own views."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import AccountDeleteForm, EmailChangeForm, SignUpForm
from accounts.return_to import safe_next
from accounts.services import account_deletable, account_delete, email_change, learner_sign_up
from backups.progress import progress_export


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("lessons:home")
    next_url = safe_next(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = learner_sign_up(form=form)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        messages.success(request, f"Welcome, {user.username}. Your account is ready.")
        # A path, never resolved as a URL name: `redirect("foo")` would try reverse("foo").
        return HttpResponseRedirect(next_url) if next_url else redirect("lessons:home")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The account page: who you are, the email change form, and links to the rest."""
    form = EmailChangeForm(
        request.POST or None, user=request.user, initial={"email": request.user.email}
    )
    if request.method == "POST" and form.is_valid():
        email_change(user=request.user, email=form.cleaned_data["email"])
        messages.success(request, "Your email address is changed.")
        return redirect("account")
    context = {"form": form, "deletable": account_deletable(request.user)}
    return render(request, "accounts/account.html", context)


@login_required
@require_safe
def progress_download(request: HttpRequest) -> HttpResponse:
    """The learner's progress file (`backups.progress.progress_export`), as an attachment the
    `import_progress` command reads back."""
    now = timezone.now()
    data = progress_export(user=request.user, now=now)
    filename = f"progress-{request.user.get_username()}-{now:%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
    # A whole study history: never kept by a browser or proxy cache. The middleware says the
    # same for every signed-in page; said here too, so the file never depends on it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete_confirm(request: HttpRequest) -> HttpResponse:
    """What deleting removes, the download offered first, and the password to confirm."""
    deletable = account_deletable(request.user)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not deletable:
            return render(request, "accounts/account_delete.html", {"deletable": False}, status=403)
        if form.is_valid():
            username = request.user.get_username()
            account_delete(user=request.user)
            # Its session row is gone already; this empties the one in hand and rotates the
            # CSRF token, so nothing of the account outlives the response.
            logout(request)
            messages.success(request, f"The account {username} and all its data are deleted.")
            return redirect("lessons:home")
    context = {"form": form, "deletable": deletable}
    return render(request, "accounts/account_delete.html", context)


def when_reset_is_on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One of the reset pages, or, with password reset off (PASSWORD_RESET_ENABLED: no mail
    server in production), a 404 that says so and what to do instead."""

    @wraps(view)
    def reset_page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            return render(request, "registration/password_reset_off.html", status=404)
        return view(request, *args, **kwargs)

    return reset_page
