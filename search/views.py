"""The search page, and the same results for the header's search box as the learner types."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, replace_url

from portal.htmx import HtmxHttpRequest, current_page_path
from search.query import MAX_QUERY_LENGTH
from search.selectors import search


@require_safe
@vary_on_headers("HX-Request")
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    """Results for `?q=`; to htmx, just the page's content (the `search-page` partial), which
    the header's search box swaps into <main> on whatever page the learner is on."""
    found = search(request.GET.get("q", ""), user=request.user)
    context = {"search_page": found, "max_length": MAX_QUERY_LENGTH}
    template = "search/search.html"
    if not request.htmx or request.htmx.history_restore_request:
        return render(request, template, context)
    response = render(request, template + "#search-page", context)
    # The first search from another page is a new history entry (Back returns to that page);
    # each word typed after that replaces it, so Back does not replay every keystroke.
    url = reverse("search:search") + (f"?{urlencode({'q': found.query})}" if found.query else "")
    current = urlsplit(current_page_path(request) or "").path
    if current == reverse("search:search"):
        return replace_url(response, url)
    return push_url(response, url)
