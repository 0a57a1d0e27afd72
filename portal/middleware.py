"""Site-wide response handling of our own."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse


def private_pages_not_stored(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Every response to a signed-in user says `Cache-Control: private, no-store`.

    Without it a browser may keep a signed-in page (a learner's progress, an instructor's draft)
    and show it again from its cache, with Back, after logging out; `private` alone would still
    let it store the page. One middleware rather than a decorator per view, so that no view (nor
    htmx fragment) can forget it. Anonymous pages keep their headers: they hold nothing
    personal. https://developer.mozilla.org/docs/Web/HTTP/Headers/Cache-Control#no-store
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # Read after the view, so a log-in counts and a log-out does not. Only when the view
        # read the session (request.user does): a response that did not is the same for
        # everyone (Django sends no `Vary: Cookie` then), and looking would cost a query.
        if request.session.accessed and SESSION_KEY in request.session:
            response["Cache-Control"] = "private, no-store"
        return response

    return middleware
