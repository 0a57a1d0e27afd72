from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def password_reset_enabled() -> bool:
    """`{% password_reset_enabled as reset_on %}`: whether "Forgot your password?" leads
    anywhere (PASSWORD_RESET_ENABLED), so the log-in and lockout pages offer it only then."""
    return settings.PASSWORD_RESET_ENABLED
