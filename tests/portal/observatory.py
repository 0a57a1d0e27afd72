"""Mozilla's HTTP Observatory scoring, applied to one response, for the tests.

The rules follow the MDN HTTP Observatory as published in 2026: its scoring methodology and
score table (https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring) and its
scanner's tests (https://github.com/mdn/mdn-http-observatory, `src/analyzer/tests/*.js`,
`src/grader/charts.js`, `src/scanner/index.js`). Written afresh here; the outcome names are
the Observatory's, so a failure reads like its report.

- The score starts at 100. Every penalty is taken; only if the result is still 90 or more are
  the bonuses added. The grade is that of the score rounded down to a multiple of 5, and any
  score of 100 or more is an A+.
- A scan sees more than one response. What it would learn elsewhere is passed in: where the
  plain-http URL redirects to (`http_redirects`). HSTS preloading is never assumed, so its
  bonus is never given.
- Cross-Origin-Opener-Policy is reported, with no modifier: the published table has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
GRADES = [
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
]

MODIFIERS = {
    # Content Security Policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    # Cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # Cross-origin resource sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # Redirection
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    # Referrer-Policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # Strict-Transport-Security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    # Subresource integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    # X-Content-Type-Options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # X-Frame-Options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # Cross-Origin-Resource-Policy
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-header-invalid": -5,
    # Cross-Origin-Opener-Policy: reported, not scored
    "cross-origin-opener-policy-implemented-with-same-origin": 0,
    "cross-origin-opener-policy-implemented-with-same-origin-allow-popups": 0,
    "cross-origin-opener-policy-implemented-with-noopener-allow-popups": 0,
    "cross-origin-opener-policy-implemented-with-unsafe-none": 0,
    "cross-origin-opener-policy-not-implemented": 0,
    "cross-origin-opener-policy-header-invalid": 0,
}

SIX_MONTHS = 15_552_000  # the Observatory's own rounding of 15,768,000 seconds
DANGEROUSLY_BROAD = {
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCE_OR_HASH = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")
PRIVATE_REFERRERS = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRERS = {
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
}
# Cookies worse to have later in the list: a cookie jar is judged by its worst cookie.
COOKIE_BADNESS = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


@dataclass(frozen=True)
class Report:
    """What the Observatory would say: each test's outcome, the score and the grade."""

    outcomes: dict[str, str]  # test name -> outcome name
    score: int
    grade: str
    csp_findings: dict[str, bool]  # the policy checks the Observatory lists beside its score

    @property
    def modifiers(self) -> dict[str, int]:
        return {test: MODIFIERS[outcome] for test, outcome in self.outcomes.items()}


class Headers:
    """Response headers by lower-cased name, keeping every value of a repeated header."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            self._values.setdefault(name.lower(), []).append(value)

    def all(self, name: str) -> list[str]:
        return self._values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None


def observe(
    url: str,
    headers: Iterable[tuple[str, str]],
    *,
    html: str = "",
    http_redirects: list[str] | None = None,
) -> Report:
    """Score a response to `url`, given its headers (Set-Cookie once per cookie) and body.

    `http_redirects` lists the Location headers followed from the plain-http URL: `None` when
    the site does not answer over http, `[]` when it answers without redirecting.
    """
    found = Headers(headers)
    https = urlsplit(url).scheme == "https"
    csp, findings = _csp(found, https)
    hsts = _hsts(found, https)
    hsts_passes = hsts == "hsts-implemented-max-age-at-least-six-months"
    outcomes = {
        "content-security-policy": csp,
        "cookies": _cookies(found, hsts_passes=hsts_passes),
        "cross-origin-resource-sharing": _cors(found),
        "redirection": _redirection(url, http_redirects),
        "referrer-policy": _referrer(found),
        "strict-transport-security": hsts,
        "subresource-integrity": _sri(url, found, html),
        "x-content-type-options": _nosniff(found),
        "x-frame-options": _frame_options(found, findings["frame-ancestors-set"]),
        "cross-origin-resource-policy": _corp(found),
        "cross-origin-opener-policy": _coop(found),
    }
    penalties = sum(m for m in (MODIFIERS[o] for o in outcomes.values()) if m < 0)
    bonuses = sum(m for m in (MODIFIERS[o] for o in outcomes.values()) if m > 0)
    score = 100 + penalties
    if score >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        score += bonuses
    score = max(score, 0)
    return Report(outcomes=outcomes, score=score, grade=grade_for(score), csp_findings=findings)


def grade_for(score: int) -> str:
    return next(grade for floor, grade in GRADES if score >= floor)


class InvalidPolicy(ValueError):
    pass


def parse_csp(policies: list[str]) -> dict[str, set[str]]:
    """Directives and their (lower-cased) sources. Several policies all apply, so a source
    counts only if every policy that sets the directive allows it."""
    merged: dict[str, set[str]] = {}
    for policy in (p.replace("\r", "").replace("\n", "").strip() for p in policies):
        if len(policy) < len("img-src") - 1:
            raise InvalidPolicy(policy)
        seen: set[str] = set()
        for entry in policy.split(";"):
            if not entry.strip():
                continue
            name, *sources = entry.split()
            name = name.lower()
            if name in seen and name not in {"report-uri", "report-to"}:
                raise InvalidPolicy(f"{name} twice")
            seen.add(name)
            values = {source.lower() for source in sources}
            if not values and name.endswith("-src"):
                values = {"'none'"}
            merged[name] = merged[name] & values if name in merged else values
    return {name: values or {"'none'"} for name, values in merged.items()}


def _csp(found: Headers, https: bool) -> tuple[str, dict[str, bool]]:
    policies = [p for value in found.all("Content-Security-Policy") for p in value.split(",")]
    findings = dict.fromkeys(
        [
            "frame-ancestors-set",
            "anti-clickjacking",
            "unsafe-inline",
            "unsafe-eval",
            "insecure-base-uri",
            "insecure-form-action",
            "unsafe-objects",
            "default-none",
        ],
        False,
    )
    if not policies:
        if found.first("Content-Security-Policy-Report-Only"):
            return "csp-not-implemented-but-reporting-enabled", findings
        return "csp-not-implemented", findings
    try:
        csp = parse_csp(policies)
    except (InvalidPolicy, ValueError):
        return "csp-header-invalid", findings
    if not csp:
        return "csp-not-implemented", findings

    default = csp.get("default-src")
    script = set(csp.get("script-src") or default or {"*"})
    style = set(csp.get("style-src") or default or {"*"})
    objects = csp.get("object-src") or default or {"*"}
    base_uri = csp.get("base-uri", {"*"})
    form_action = csp.get("form-action", {"*"})
    frame_ancestors = csp.get("frame-ancestors")

    # A nonce or hash makes browsers ignore 'unsafe-inline' beside it.
    for sources in (script, style):
        if any(s.startswith(NONCE_OR_HASH) for s in sources):
            sources.discard("'unsafe-inline'")
    if "'strict-dynamic'" in script:
        if not any(s.startswith(NONCE_OR_HASH) for s in script):
            return "csp-header-invalid", findings
        script = {
            s
            for s in script
            if s not in ("'self'", "'unsafe-inline'")
            and not any(s.startswith(b) for b in DANGEROUSLY_BROAD)
        }

    passive = {"img-src", "media-src"}
    active_sources = {
        s for name, v in csp.items() if name not in passive | {"script-src"} for s in v
    } | script
    passive_sources = {s for name in passive for s in (csp.get(name) or default or set())}

    result = None
    if script & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or objects & DANGEROUSLY_BROAD:
        result = "csp-implemented-with-unsafe-inline"
        findings["unsafe-inline"] = True
    if https and any(s.startswith(("http:", "ftp:")) for s in active_sources):
        result = result or "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script | style:
        result = result or "csp-implemented-with-unsafe-eval"
        findings["unsafe-eval"] = True
    if https and any(s.startswith(("http:", "ftp:")) for s in passive_sources):
        result = result or "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        result = result or "csp-implemented-with-unsafe-inline-in-style-src-only"
        findings["unsafe-inline"] = True
    findings["insecure-form-action"] = bool(form_action & DANGEROUSLY_BROAD)
    # The top bonus, as the score table describes it: default-src 'none' and forms kept home.
    if default == {"'none'"} and not findings["insecure-form-action"]:
        result = result or "csp-implemented-with-no-unsafe-default-src-none"
        findings["default-none"] = True
    result = result or "csp-implemented-with-no-unsafe"

    findings["frame-ancestors-set"] = frame_ancestors is not None
    findings["anti-clickjacking"] = not (frame_ancestors or {"*"}) & DANGEROUSLY_BROAD
    findings["insecure-base-uri"] = bool(base_uri & (DANGEROUSLY_BROAD | UNSAFE_INLINE))
    findings["unsafe-objects"] = bool(objects & DANGEROUSLY_BROAD)
    return result, findings


def _cookies(found: Headers, *, hsts_passes: bool) -> str:
    cookies = [_parse_cookie(raw) for raw in found.all("Set-Cookie")]
    if not cookies:
        return "cookies-not-found"
    worst = -1

    def worse(outcome: str) -> None:
        nonlocal worst
        worst = max(worst, COOKIE_BADNESS.index(outcome))

    missing_samesite = False
    for name, attributes in cookies:
        session = any(part in name.lower() for part in ("login", "sess"))
        anticsrf = "csrf" in name.lower()
        secure = "secure" in attributes
        samesite = attributes.get("samesite")
        if samesite is not None and samesite.lower() not in {"lax", "strict", "none"}:
            worse("cookies-samesite-flag-invalid")
        if not secure and (samesite or "").lower() == "none":
            worse("cookies-samesite-flag-invalid")
        if not secure:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-without-secure-flag"
            )
        if anticsrf and not samesite:
            worse("cookies-anticsrf-without-samesite-flag")
        if session and not secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-session-without-secure-flag"
            )
        if session and "httponly" not in attributes:
            worse("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not samesite
    if worst >= 0:
        return COOKIE_BADNESS[worst]
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


def _parse_cookie(raw: str) -> tuple[str, dict[str, str]]:
    first, *rest = raw.split(";")
    attributes = {}
    for part in rest:
        key, _, value = part.strip().partition("=")
        attributes[key.strip().lower()] = value.strip()
    return first.split("=", 1)[0].strip(), attributes


def _cors(found: Headers) -> str:
    origin = found.first("Access-Control-Allow-Origin")
    if origin is None:
        return "cross-origin-resource-sharing-not-implemented"
    if origin.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    if (found.first("Access-Control-Allow-Credentials") or "").strip().lower() == "true":
        # The scanner sends an Origin of its own; a site that lets any origin read with
        # credentials reflects it (the caller passes such a response).
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def _redirection(url: str, http_redirects: list[str] | None) -> str:
    if http_redirects is None:
        return "redirection-not-needed-no-http"
    if not http_redirects:
        return "redirection-missing"
    first, last = urlsplit(http_redirects[0]), urlsplit(http_redirects[-1])
    if last.scheme != "https":
        return "redirection-not-to-https"
    if first.scheme != "https":
        return "redirection-not-to-https-on-initial-redirection"
    if first.hostname != urlsplit(url).hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def _referrer(found: Headers) -> str:
    values = found.all("Referrer-Policy")
    if not values:
        return "referrer-policy-not-implemented"
    # The last policy the browser understands wins.
    tokens = [t.strip().lower() for t in ",".join(values).split(",")]
    known = [t for t in tokens if t in PRIVATE_REFERRERS | UNSAFE_REFERRERS]
    if not known:
        return "referrer-policy-header-invalid"
    if known[-1] in PRIVATE_REFERRERS:
        return "referrer-policy-private"
    return "referrer-policy-unsafe"


def _hsts(found: Headers, https: bool) -> str:
    if not https:
        return "hsts-not-implemented-no-https"
    value = found.first("Strict-Transport-Security")
    if value is None:
        return "hsts-not-implemented"
    if "," in value:
        return "hsts-header-invalid"  # set twice
    max_age = None
    for parameter in (p.strip().lower() for p in value.split(";")):
        if parameter.startswith("max-age="):
            digits = parameter.removeprefix("max-age=").strip('"')
            if not digits.isdigit():
                return "hsts-header-invalid"
            max_age = int(digits)
    if max_age is None:
        return "hsts-header-invalid"
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and dict(attrs).get("src"):
            self.scripts.append(dict(attrs))


def _sri(url: str, found: Headers, html: str) -> str:
    if not (found.first("Content-Type") or "").startswith("text/html"):
        return "sri-not-implemented-response-not-html"
    parser = _Scripts()
    parser.feed(html)
    if not parser.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    page = urlsplit(url)
    external = []
    for script in parser.scripts:
        src = urlsplit(script["src"] or "")
        if src.hostname and src.hostname != page.hostname:
            # Protocol-relative (`//host/...`) has no scheme: not loaded securely.
            external.append((src.scheme == "https", bool(script.get("integrity"))))
    if not external:
        if all(script.get("integrity") for script in parser.scripts):
            return "sri-implemented-and-all-scripts-loaded-securely"
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    secure = all(https for https, _ in external)
    if all(integrity for _, integrity in external):
        return (
            "sri-implemented-and-external-scripts-loaded-securely"
            if secure
            else "sri-implemented-but-external-scripts-not-loaded-securely"
        )
    return (
        "sri-not-implemented-but-external-scripts-loaded-securely"
        if secure
        else "sri-not-implemented-and-external-scripts-not-loaded-securely"
    )


def _nosniff(found: Headers) -> str:
    value = found.first("X-Content-Type-Options")
    if value is None:
        return "x-content-type-options-not-implemented"
    if value.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


def _frame_options(found: Headers, frame_ancestors: bool) -> str:
    if frame_ancestors:
        return "x-frame-options-implemented-via-csp"
    value = (found.first("X-Frame-Options") or "").strip().lower()
    if not value:
        return "x-frame-options-not-implemented"
    if value in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def _corp(found: Headers) -> str:
    value = found.first("Cross-Origin-Resource-Policy")
    if value is None:
        return "cross-origin-resource-policy-not-implemented"
    return {
        "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
        "same-site": "cross-origin-resource-policy-implemented-with-same-site",
        "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
    }.get(value.strip().lower(), "cross-origin-resource-policy-header-invalid")


def _coop(found: Headers) -> str:
    values = found.all("Cross-Origin-Opener-Policy")
    if not values:
        return "cross-origin-opener-policy-not-implemented"
    policy = values[0].split(";")[0].strip()
    if len(values) > 1 or policy not in {
        "same-origin",
        "same-origin-allow-popups",
        "noopener-allow-popups",
        "unsafe-none",
    }:
        return "cross-origin-opener-policy-header-invalid"
    return f"cross-origin-opener-policy-implemented-with-{policy}"
