from __future__ import annotations

from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    """Username and password; Django's validators decide what a good password is."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)
