"""Error pages that say which limit a refused request hit, as a page or, for htmx, a line."""

from __future__ import annotations

import pytest
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.test import RequestFactory

from portal.errors import CSRF_MESSAGE, bad_request, bad_request_message, csrf_failure


@pytest.mark.parametrize(
    ("exception", "status", "message"),
    [
        (
            RequestDataTooBig(),
            413,
            "This request is larger than the site accepts (2.5 MB of form data at most).",
        ),
        (TooManyFieldsSent(), 400, "This request has too many form fields (1,000 at most)."),
        (TooManyFilesSent(), 400, "This request sends too many files at once (20 at most)."),
        (MultiPartParserError(), 400, "The uploaded form data could not be read; it is malformed."),
        (DisallowedHost(), 400, "This site does not answer to that host name."),
        (SuspiciousOperation(), 400, "The request could not be understood."),
        (None, 400, "The request could not be understood."),
    ],
)
def test_each_refusal_names_its_limit(settings, exception, status, message):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 20
    assert bad_request_message(exception) == (status, message)


def test_a_whole_number_of_megabytes_has_no_decimals(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
    assert "(3 MB of form data at most)" in bad_request_message(RequestDataTooBig())[1]


@pytest.mark.django_db
def test_a_page_is_rendered_in_the_sites_style_with_the_status():
    response = bad_request(RequestFactory().post("/study/grade/"), RequestDataTooBig())
    page = response.content.decode()
    assert response.status_code == 413
    assert "<html" in page and "Request too large" in page
    assert "Nothing was changed." in page


def test_htmx_gets_the_message_alone_as_text():
    request = RequestFactory().post("/study/grade/", headers={"HX-Request": "true"})
    response = bad_request(request, TooManyFieldsSent())
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().endswith("at most). Nothing was changed.")
    assert "<" not in response.content.decode()

    refused = csrf_failure(request, reason="CSRF token missing.")
    assert (refused.status_code, refused.content.decode()) == (403, CSRF_MESSAGE)


@pytest.mark.django_db
def test_a_refused_form_says_what_to_do_on_a_page():
    response = csrf_failure(RequestFactory().post("/accounts/login/"), reason="CSRF cookie.")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<html" in page and "Form expired" in page and "Reload the page" in page
