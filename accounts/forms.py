from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

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
