"""Signing up. Log in, log out, password change and password reset are Django's own views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import SignUpForm
from accounts.return_to import safe_next
from accounts.services import learner_sign_up


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("lessons:home")
    next_url = safe_next(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = learner_sign_up(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}. Your account is ready.")
        # A path, never resolved as a URL name: `redirect("foo")` would try reverse("foo").
        return HttpResponseRedirect(next_url) if next_url else redirect("lessons:home")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def when_reset_is_on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One of the reset pages, or, with password reset off (PASSWORD_RESET_ENABLED: no mail
    server in production), a 404 that says so and what to do instead."""

    @wraps(view)
    def reset_page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            return render(request, "registration/password_reset_off.html", status=404)
        return view(request, *args, **kwargs)

    return reset_page
