from __future__ import annotations

from django import template
from django.urls import reverse

from accounts.return_to import url_returning_here

register = template.Library()


@register.simple_tag(takes_context=True)
def returning_url(context, url_name: str) -> str:
    """`{% returning_url "login" %}`: the log-in or sign-up address that comes back here."""
    request = context.get("request")
    # Django renders the 500 page without a request; its links then simply go to the form.
    if request is None:
        return reverse(url_name)
    return url_returning_here(request, url_name)
