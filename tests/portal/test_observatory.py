"""The Observatory scorer itself: it gives the portal's headers A+, and worse headers worse."""

from __future__ import annotations

import pytest

from tests.portal.observatory import grade_for, observe, parse_csp

URL = "https://study.example.com/"
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-abc123'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# What the portal sends in production (tests/portal/test_security_headers.py checks that).
GOOD = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
COOKIES = [
    "csrftoken=abc; Path=/; SameSite=Lax; Secure",
    "sessionid=def; HttpOnly; Path=/; SameSite=Lax; Secure",
]
HTML = '<script src="/static/js/study.js" defer></script>'


def scan(changes=None, *, cookies=COOKIES, html=HTML, url=URL, redirects=(URL,)):
    """The Observatory's report on GOOD headers with `changes` (None removes a header)."""
    headers = {**GOOD, **(changes or {})}
    pairs = [(name, value) for name, value in headers.items() if value is not None]
    pairs += [("Set-Cookie", cookie) for cookie in cookies]
    followed = None if redirects is None else list(redirects)
    return observe(url, pairs, html=html, http_redirects=followed)


def test_the_portals_headers_score_a_plus_with_every_bonus_it_can_earn():
    report = scan()
    assert report.outcomes == {
        "content-security-policy": "csp-implemented-with-no-unsafe",
        "cookies": "cookies-secure-with-httponly-sessions-and-samesite",
        "cross-origin-resource-sharing": "cross-origin-resource-sharing-not-implemented",
        "redirection": "redirection-to-https",
        "referrer-policy": "referrer-policy-private",
        "strict-transport-security": "hsts-implemented-max-age-at-least-six-months",
        "subresource-integrity": "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        "x-content-type-options": "x-content-type-options-nosniff",
        "x-frame-options": "x-frame-options-implemented-via-csp",
        "cross-origin-resource-policy": "cross-origin-resource-policy-not-implemented",
        "cross-origin-opener-policy": "cross-origin-opener-policy-implemented-with-same-origin",
    }
    assert (report.score, report.grade) == (120, "A+")
    assert report.csp_findings["anti-clickjacking"]
    assert not report.csp_findings["insecure-base-uri"]
    assert not report.csp_findings["insecure-form-action"]
    assert not report.csp_findings["unsafe-objects"]


def test_no_security_headers_at_all_is_an_f():
    bare = dict.fromkeys(GOOD, None) | {"Content-Type": "text/html"}
    report = scan(bare, cookies=[], redirects=[])
    # CSP -25, HSTS -20, nosniff -5, X-Frame-Options -20, no redirect to https -20.
    assert (report.score, report.grade) == (10, "F")


@pytest.mark.parametrize(
    ("changes", "outcome", "score", "grade"),
    [
        # 'unsafe-inline' for scripts: -20, and below 90 no bonus counts.
        (
            {"Content-Security-Policy": CSP.replace("'nonce-abc123'", "'unsafe-inline'")},
            "csp-implemented-with-unsafe-inline",
            80,
            "B+",
        ),
        # A broad source for scripts or plugins is as bad.
        (
            {"Content-Security-Policy": CSP.replace("object-src 'none'", "object-src https:")},
            "csp-implemented-with-unsafe-inline",
            80,
            "B+",
        ),
        (
            {"Content-Security-Policy": "default-src 'self'"},
            "csp-implemented-with-no-unsafe",
            115,
            "A+",
        ),
        (
            {"Content-Security-Policy": "default-src *; frame-ancestors 'none'"},
            "csp-implemented-with-unsafe-inline",
            80,
            "B+",
        ),
        # 'unsafe-eval' costs 10; the other bonuses still lift the score (hence the portal's own
        # test that no policy contains it at all).
        (
            {
                "Content-Security-Policy": CSP.replace(
                    "'self' 'nonce", "'self' 'unsafe-eval' 'nonce"
                )
            },
            "csp-implemented-with-unsafe-eval",
            105,
            "A+",
        ),
        (
            {"Content-Security-Policy": None, "Content-Security-Policy-Report-Only": CSP},
            "csp-not-implemented-but-reporting-enabled",
            75,
            "B",
        ),
        (
            {"Content-Security-Policy": "default-src 'self'; default-src 'none'"},
            "csp-header-invalid",
            75,
            "B",
        ),
        (
            {
                "Content-Security-Policy": CSP.replace(
                    "style-src 'self'", "style-src 'unsafe-inline'"
                )
            },
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            115,
            "A+",
        ),
        (
            {"Content-Security-Policy": CSP.replace("default-src 'self'", "default-src 'none'")},
            "csp-implemented-with-no-unsafe-default-src-none",
            125,
            "A+",
        ),
    ],
)
def test_content_security_policy(changes, outcome, score, grade):
    report = scan(changes)
    assert report.outcomes["content-security-policy"] == outcome
    assert (report.score, report.grade) == (score, grade)


def test_unsafe_inline_beside_a_nonce_is_ignored_as_browsers_ignore_it():
    policy = CSP.replace("'nonce-abc123'", "'nonce-abc123' 'unsafe-inline'")
    assert scan({"Content-Security-Policy": policy}).outcomes["content-security-policy"] == (
        "csp-implemented-with-no-unsafe"
    )


@pytest.mark.parametrize(
    ("changes", "outcome", "score"),
    [
        (
            {"Strict-Transport-Security": "max-age=86400"},
            "hsts-implemented-max-age-less-than-six-months",
            110,
        ),
        ({"Strict-Transport-Security": "includeSubDomains"}, "hsts-header-invalid", 80),
        ({"Strict-Transport-Security": None}, "hsts-not-implemented", 80),
    ],
)
def test_strict_transport_security(changes, outcome, score):
    report = scan(changes)
    assert report.outcomes["strict-transport-security"] == outcome
    assert report.score == score


def test_hsts_over_plain_http_cannot_count():
    report = scan(url="http://study.example.com/")
    assert report.outcomes["strict-transport-security"] == "hsts-not-implemented-no-https"


@pytest.mark.parametrize(
    ("cookies", "outcome", "score"),
    [
        ([], "cookies-not-found", 115),
        (["csrftoken=a; Path=/; Secure"], "cookies-anticsrf-without-samesite-flag", 80),
        (
            ["sessionid=a; Path=/; SameSite=Lax; Secure"],
            "cookies-session-without-httponly-flag",
            70,
        ),
        (
            ["theme=dark; Path=/; SameSite=Lax"],
            "cookies-without-secure-flag-but-protected-by-hsts",
            110,
        ),
        (
            ["sessionid=a; HttpOnly; SameSite=Lax"],
            "cookies-session-without-secure-flag-but-protected-by-hsts",
            105,
        ),
        (["theme=dark; Secure"], "cookies-secure-with-httponly-sessions", 115),
        (["theme=dark; Secure; SameSite=Sometimes"], "cookies-samesite-flag-invalid", 80),
    ],
)
def test_cookies(cookies, outcome, score):
    report = scan(cookies=cookies)
    assert report.outcomes["cookies"] == outcome
    assert report.score == score


def test_a_session_cookie_without_secure_and_without_hsts_is_the_worst():
    report = scan({"Strict-Transport-Security": None}, cookies=["sessionid=a; HttpOnly"])
    assert report.outcomes["cookies"] == "cookies-session-without-secure-flag"
    assert (report.score, report.grade) == (40, "D+")


@pytest.mark.parametrize(
    ("changes", "outcome", "score"),
    [
        ({"X-Frame-Options": None}, "x-frame-options-implemented-via-csp", 120),
        (
            {"Content-Security-Policy": CSP.replace("; frame-ancestors 'none'", "")},
            "x-frame-options-sameorigin-or-deny",
            115,
        ),
        (
            {
                "Content-Security-Policy": CSP.replace("; frame-ancestors 'none'", ""),
                "X-Frame-Options": None,
            },
            "x-frame-options-not-implemented",
            80,
        ),
        (
            {
                "Content-Security-Policy": CSP.replace("; frame-ancestors 'none'", ""),
                "X-Frame-Options": "YES",
            },
            "x-frame-options-header-invalid",
            80,
        ),
    ],
)
def test_frame_options_or_frame_ancestors(changes, outcome, score):
    report = scan(changes)
    assert report.outcomes["x-frame-options"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("value", "outcome", "score"),
    [
        (None, "referrer-policy-not-implemented", 115),
        ("strict-origin-when-cross-origin", "referrer-policy-private", 120),
        ("unsafe-url", "referrer-policy-unsafe", 110),
        ("no-referrer, unsafe-url", "referrer-policy-unsafe", 110),  # the last one wins
        ("unsafe-url, nonsense", "referrer-policy-unsafe", 110),  # ... that browsers know
        ("everything", "referrer-policy-header-invalid", 110),
    ],
)
def test_referrer_policy(value, outcome, score):
    report = scan({"Referrer-Policy": value})
    assert report.outcomes["referrer-policy"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("value", "outcome", "score"),
    [
        (None, "x-content-type-options-not-implemented", 115),
        ("sniff-away", "x-content-type-options-header-invalid", 115),
    ],
)
def test_nosniff(value, outcome, score):
    report = scan({"X-Content-Type-Options": value})
    assert report.outcomes["x-content-type-options"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("redirects", "outcome", "score"),
    [
        (None, "redirection-not-needed-no-http", 120),
        ([], "redirection-missing", 80),
        (["https://www.example.com/"], "redirection-off-host-from-http", 115),
        (
            ["http://www.example.com/", "https://www.example.com/"],
            "redirection-not-to-https-on-initial-redirection",
            110,
        ),
        (["http://study.example.com/login"], "redirection-not-to-https", 80),
    ],
)
def test_redirection_from_http(redirects, outcome, score):
    report = scan(redirects=redirects)
    assert report.outcomes["redirection"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("html", "outcome", "score"),
    [
        ("<p>No scripts</p>", "sri-not-implemented-but-no-scripts-loaded", 120),
        (
            '<script src="https://cdn.example.net/x.js"></script>',
            "sri-not-implemented-but-external-scripts-loaded-securely",
            115,
        ),
        (
            '<script src="https://cdn.example.net/x.js" integrity="sha384-x"></script>',
            "sri-implemented-and-external-scripts-loaded-securely",
            125,
        ),
        (
            '<script src="//cdn.example.net/x.js"></script>',
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
            50,
        ),
        (
            '<script src="/static/x.js" integrity="sha384-x"></script>',
            "sri-implemented-and-all-scripts-loaded-securely",
            125,
        ),
    ],
)
def test_subresource_integrity(html, outcome, score):
    report = scan(html=html)
    assert report.outcomes["subresource-integrity"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("changes", "outcome", "score"),
    [
        (
            {"Access-Control-Allow-Origin": "*"},
            "cross-origin-resource-sharing-implemented-with-public-access",
            120,
        ),
        (
            {
                "Access-Control-Allow-Origin": "https://observatory.example",
                "Access-Control-Allow-Credentials": "true",
            },
            "cross-origin-resource-sharing-implemented-with-universal-access",
            50,
        ),
    ],
)
def test_cross_origin_resource_sharing(changes, outcome, score):
    report = scan(changes)
    assert report.outcomes["cross-origin-resource-sharing"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("value", "outcome", "score"),
    [
        ("same-origin", "cross-origin-resource-policy-implemented-with-same-origin", 130),
        ("same-site", "cross-origin-resource-policy-implemented-with-same-site", 130),
        ("cross-origin", "cross-origin-resource-policy-implemented-with-cross-origin", 120),
        ("nobody", "cross-origin-resource-policy-header-invalid", 115),
    ],
)
def test_cross_origin_resource_policy(value, outcome, score):
    report = scan({"Cross-Origin-Resource-Policy": value})
    assert report.outcomes["cross-origin-resource-policy"] == outcome
    assert report.score == score


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        (None, "cross-origin-opener-policy-not-implemented"),
        (
            "same-origin-allow-popups",
            "cross-origin-opener-policy-implemented-with-same-origin-allow-popups",
        ),
        ("unsafe-none", "cross-origin-opener-policy-implemented-with-unsafe-none"),
        ("open", "cross-origin-opener-policy-header-invalid"),
    ],
)
def test_cross_origin_opener_policy_is_reported_but_not_scored(value, outcome):
    report = scan({"Cross-Origin-Opener-Policy": value})
    assert report.outcomes["cross-origin-opener-policy"] == outcome
    assert report.score == 120


def test_bonuses_count_only_from_90_up():
    # -10 (HSTS too short) leaves 90: the four bonuses count.
    assert scan({"Strict-Transport-Security": "max-age=60"}).score == 110
    # -15 leaves 85: they do not.
    report = scan({"Strict-Transport-Security": "max-age=60", "X-Content-Type-Options": None})
    assert (report.score, report.grade) == (85, "A-")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (145, "A+"),
        (100, "A+"),
        (99, "A"),
        (90, "A"),
        (89, "A-"),
        (85, "A-"),
        (84, "B+"),
        (80, "B+"),
        (79, "B"),
        (70, "B"),
        (69, "B-"),
        (65, "B-"),
        (64, "C+"),
        (60, "C+"),
        (59, "C"),
        (50, "C"),
        (49, "C-"),
        (45, "C-"),
        (44, "D+"),
        (40, "D+"),
        (39, "D"),
        (30, "D"),
        (29, "D-"),
        (25, "D-"),
        (24, "F"),
        (0, "F"),
    ],
)
def test_grade_bands(score, grade):
    assert grade_for(score) == grade


def test_several_policies_allow_only_what_each_allows():
    csp = parse_csp(["script-src 'self' https://a.example", "script-src 'self'; img-src 'self'"])
    assert csp == {"script-src": {"'self'"}, "img-src": {"'self'"}}
