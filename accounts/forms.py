from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from flashcards.days import known_time_zone_or_utc


class SignUpForm(UserCreationForm):
    """Username and password; Django's validators decide what a good password is."""

    # Filled by static/js/time_zone.js from the browser's Intl API; empty without JavaScript,
    # and then the learner's days start at midnight UTC until they change it in Study settings.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def clean_time_zone(self) -> str:
        # Never an error: an unknown or forged name only means the learner starts on UTC.
        return known_time_zone_or_utc(self.cleaned_data.get("time_zone") or "")
