from __future__ import annotations

from axes.utils import reset as axes_reset
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm, UserCreationForm
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.lockout import client_ip_address
from accounts.reset import reset_request_admit, stand_in_user
from flashcards.days import known_time_zone_or_utc

EMAIL_TAKEN = "An account with this email address already exists."


def email_taken(email: str, *, excluding=None) -> bool:
    """Whether another account has this address, whatever its case: the form's check before
    the database's unique index on LOWER(email) (accounts/migrations/0001) refuses it."""
    others = get_user_model().objects.filter(email__iexact=email)
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    return others.exists()


class SignUpForm(UserCreationForm):
    """Username, email and password; Django's validators decide what a good password is."""

    email = forms.EmailField(
        max_length=254,  # the column's length (auth.User.email)
        help_text="For resetting a forgotten password. Never shown to anyone else.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Filled by static/js/time_zone.js from the browser's Intl API; empty without JavaScript,
    # and then the learner's days start at midnight UTC until they change it in Study settings.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"])
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean_time_zone(self) -> str:
        # Never an error: an unknown or forged name only means the learner starts on UTC.
        return known_time_zone_or_utc(self.cleaned_data.get("time_zone") or "")


class EmailChangeForm(forms.Form):
    """A new email address, confirmed with the current password: whoever controls the address
    can reset the password, so a borrowed, signed-in browser must not be enough to change it."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"])
        if email_taken(email, excluding=self.user):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "Your current password was entered incorrectly.", code="password_incorrect"
            )
        return password


class AccountDeleteForm(forms.Form):
    """The learner's password, typed to confirm that the account and its data go."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your password; nothing was deleted.", code="password_incorrect"
            )
        return password


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset request, rate-limited, and doing the same work for an unknown address.

    The page after it never says whether the address has an account. So that its timing does
    not say so either, an address with no account gets its message built like any other (the
    token signed, the text and HTML rendered, the MIME message made) and only the sending is
    skipped. A request over the rate limit shows the same page and builds nothing: the limit
    counts every address alike, known or not, so reaching it tells nothing either.
    """

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *, request: HttpRequest, **kwargs) -> None:
        email = self.cleaned_data["email"]
        if reset_request_admit(email=email, ip=client_ip_address(request), now=timezone.now()):
            super().save(request=request, **kwargs)

    def get_users(self, email: str):
        users = list(super().get_users(email))
        return users or [stand_in_user(email)]

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        if context["user"].pk is not None:
            return super().send_mail(
                subject_template_name, email_template_name, context, *args, **kwargs
            )
        # The stand-in: build the message as Django would (rendered and encoded as MIME, which
        # is most of the work), and send nothing.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(subject, render_to_string(email_template_name, context))
        if html_template := kwargs.get("html_email_template_name"):
            message.attach_alternative(render_to_string(html_template, context), "text/html")
        message.to = [context["email"]]
        message.message()
        return None


class ResetPasswordForm(SetPasswordForm):
    """The new password from a reset link. It also lifts a log-in lockout on that username:
    the lockout page sends the learner here, and a lockout that outlived the new password
    would turn them away again for the rest of the hour."""

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            axes_reset(username=user.get_username())
        return user
