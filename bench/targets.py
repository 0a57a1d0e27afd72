"""Issue 20's performance targets as data, and the pure functions that judge a run against them.

bench/run.py measures; this module says what each figure had to be and whether it was, so the
targets live in one place and are tested without a server (tests/bench/test_targets.py). The
endpoint names here are bench/run.py's `ENDPOINTS` names, and the in-process kinds are
bench/inprocess.py's `KINDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HEALTHZ = "/healthz (the limit)"
SIGNED_IN = "Signed-in limit"
PAGE_SHELL = "Page shell"
DASHBOARD = "Dashboard"


@dataclass(frozen=True)
class Share:
    """An endpoint's throughput must be at least `share` of its limit's, in the same run."""

    endpoint: str
    limit: str
    share: float
    note: str = ""

    @property
    def label(self) -> str:
        limit = {HEALTHZ: "/healthz", SIGNED_IN: "the signed-in limit"}.get(
            self.limit, self.limit.lower()
        )
        return f"{self.endpoint}{self.note} ≥ {self.share:.0%} of {limit}"


@dataclass(frozen=True)
class Cost:
    """An in-process request kind (bench/inprocess.py) must take at most `ms`, fastest batch."""

    kind: str
    ms: float

    @property
    def label(self) -> str:
        return f"{self.kind} in-process ≤ {self.ms:g} ms"


SHARES = (
    # The limits themselves (issue 20, target 1).
    Share(PAGE_SHELL, HEALTHZ, 0.60),
    Share(SIGNED_IN, HEALTHZ, 0.50),
    # Each page against the limit of its own kind (target 2).
    Share("Lesson page", PAGE_SHELL, 0.70, " (visitor)"),
    Share("Tree step (htmx), no session", HEALTHZ, 0.70),
    Share("Tree step (htmx), learner", SIGNED_IN, 0.70),
    Share("Study page", SIGNED_IN, 0.50),
    Share("Grade POST (htmx)", SIGNED_IN, 0.35),
    Share(DASHBOARD, SIGNED_IN, 0.15, " (a year of history)"),
)

P99_MS = 50.0
P99_EXEMPT = (DASHBOARD,)  # target 4: every endpoint but the dashboard

COSTS = (  # target 3, at the large data set
    Cost("Lesson page", 3.0),
    Cost("Tree step (htmx)", 1.5),
    Cost("Study page", 4.0),
    Cost("Grade POST (htmx)", 5.0),
    Cost("Dashboard", 15.0),
    Cost("Roster, first page", 30.0),
)

# Target 5: pages that must send a validator and answer a revalidation with 304, no body.
CONDITIONAL_PAGES = ("Home page", "Topic page", "Lesson page", "Tree page")

# Response headers that say whether a page came from a cache, as caches commonly name them.
CACHE_HEADERS = ("x-cache", "x-cache-status", "x-page-cache", "cf-cache-status", "age")


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    met: bool | None  # None: not measured
    # What bench/shortfalls.py knows the target by: its label, unless the label holds a figure
    # of the run's own (the p99 rows name the connections).
    name: str = ""

    @property
    def key(self) -> str:
        return self.name or self.target


@dataclass(frozen=True)
class Revalidation:
    """What a page answered: a first GET's validator, then a GET that sent it back."""

    etag: str | None
    last_modified: str | None
    status: int | None = None  # of the revalidation; None when there was no validator to send
    body_bytes: int = 0
    learner_status: int | None = None  # the same for a signed-in learner
    learner_body_bytes: int = 0
    full_rps: float | None = None
    revalidated_rps: float | None = None
    revalidated_non_2xx: int = 0  # wrk counts a 304 as a success
    cache_signal: str | None = None  # on a visitor's second full GET


# Judging ---------------------------------------------------------------------------------------


def judge_share(target: Share, rps: Mapping[str, float], non_2xx: Mapping[str, int]) -> Verdict:
    """Throughput against the limit's. Answers that were not 2xx or 3xx are not throughput, so
    a row with any is not met, whatever its rate."""
    if target.endpoint not in rps or not rps.get(target.limit):
        return Verdict(target.label, "not measured", None)
    share = rps[target.endpoint] / rps[target.limit]
    figure = f"{share:.0%} ({rps[target.endpoint]:,.0f} of {rps[target.limit]:,.0f} req/s)"
    failed = non_2xx.get(target.endpoint, 0) + non_2xx.get(target.limit, 0)
    if failed:
        figure += f"; {failed:,} non-2xx"
    return Verdict(target.label, figure, share >= target.share and not failed)


def judge_p99(
    p99_ms: Mapping[str, float],
    *,
    connections: int,
    when: str = "",
    skipped: str | None = None,
    key: str = "p99",
) -> Verdict:
    """One verdict for every endpoint but the exempt: met when the slowest p99 is under the bar.
    `skipped` says why the pass was not measured (e.g. no right to CHECKPOINT)."""
    label = f"p99 < {P99_MS:g} ms at {connections} connections, all but the dashboard{when}"
    if skipped:
        return Verdict(label, skipped, None, key)
    judged = {name: ms for name, ms in p99_ms.items() if name not in P99_EXEMPT}
    if not judged:
        return Verdict(label, "not measured", None, key)
    over = sorted((name for name, ms in judged.items() if ms >= P99_MS), key=judged.get)
    worst = max(judged, key=judged.get)
    figure = f"worst {judged[worst]:.1f} ms ({worst})"
    if over:
        figure += f"; {len(over)} of {len(judged)} over"
    return Verdict(label, figure, not over, key)


def judge_cost(target: Cost, inprocess: Mapping[str, Mapping[str, float]]) -> Verdict:
    figures = inprocess.get(target.kind)
    if not figures:
        return Verdict(target.label, "not measured", None)
    ms = figures["wall_ms"]
    return Verdict(target.label, f"{ms:.2f} ms", ms <= target.ms)


def judge_revalidation(page: str, answer: Revalidation | None) -> Verdict:
    """Met when the page sends a validator and a revalidation, by a visitor and by a learner,
    is a 304 with no body."""
    label = f"{page}: validator, and 304 with no body on revalidation"
    if answer is None:
        return Verdict(label, "not measured", None)
    if not (answer.etag or answer.last_modified):
        return Verdict(label, "no validator", False)
    answers = {"visitor": (answer.status, answer.body_bytes)}
    if answer.learner_status is not None:
        answers["learner"] = (answer.learner_status, answer.learner_body_bytes)
    wrong = [
        f"{who} {status}, {size:,} bytes"
        for who, (status, size) in answers.items()
        if status != 304 or size
    ]
    if wrong:
        return Verdict(label, "; ".join(wrong), False)
    figure = "304, no body"
    if answer.full_rps and answer.revalidated_rps:
        figure += (
            f"; {answer.revalidated_rps:,.0f} req/s against {answer.full_rps:,.0f} for a full "
            f"load ({answer.revalidated_rps / answer.full_rps:.1f}x)"
        )
    if answer.revalidated_non_2xx:
        figure += f"; {answer.revalidated_non_2xx:,} errors under load"
    return Verdict(label, figure, not answer.revalidated_non_2xx)


def validators(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The response's ETag and Last-Modified (header names in any case)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return lowered.get("etag"), lowered.get("last-modified")


def revalidation_header(etag: str | None, last_modified: str | None) -> tuple[str, str] | None:
    """The request header that revalidates a copy: If-None-Match when there is an ETag (it
    wins over If-Modified-Since, RFC 9110 13.2.2), else If-Modified-Since."""
    if etag:
        return "If-None-Match", etag
    if last_modified:
        return "If-Modified-Since", last_modified
    return None


def cache_signal(headers: Mapping[str, str]) -> str | None:
    """A header that says whether the response came from a cache (`X-Cache: HIT`, `Age: 3`),
    or None: no such signal, which says nothing either way."""
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in CACHE_HEADERS or (lowered.startswith("x-") and "cache" in lowered):
            return f"{name}: {value}"
    return None


def judge_all(
    *,
    rps: Mapping[str, float],
    non_2xx: Mapping[str, int],
    p99_ms: Mapping[str, float],
    p99_after_checkpoint_ms: Mapping[str, float],
    checkpoint_skipped: str | None,
    connections: int,
    inprocess: Mapping[str, Mapping[str, float]],
    revalidations: Mapping[str, Revalidation],
) -> list[Verdict]:
    """Every target of issue 20, in the issue's order, for one database's run."""
    return [
        *(judge_share(target, rps, non_2xx) for target in SHARES),
        judge_p99(p99_ms, connections=connections),
        judge_p99(
            p99_after_checkpoint_ms,
            connections=connections,
            when=", right after a checkpoint",
            key="p99 after a checkpoint",
            skipped=checkpoint_skipped,
        ),
        *(judge_cost(target, inprocess) for target in COSTS),
        *(judge_revalidation(page, revalidations.get(page)) for page in CONDITIONAL_PAGES),
    ]


# The report ------------------------------------------------------------------------------------


def met_cell(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "not measured"}[met]


def table(columns: Mapping[str, list[Verdict]]) -> list[str]:
    """One Markdown table, a row per target and a figure and a verdict per database."""
    labels = list(columns)
    lines = [
        "| Target | " + " | ".join(f"{label} | met" for label in labels) + " |",
        "|---|" + "---|:---:|" * len(labels),
    ]
    rows: dict[str, dict[str, Verdict]] = {}
    for label, verdicts in columns.items():
        for verdict in verdicts:
            rows.setdefault(verdict.target, {})[label] = verdict
    for target, by_label in rows.items():
        cells = []
        for label in labels:
            verdict = by_label.get(label)
            cells += [verdict.figure, met_cell(verdict.met)] if verdict else ["–", "–"]
        lines.append(f"| {target} | " + " | ".join(cells) + " |")
    return lines


def shortfalls(columns: Mapping[str, list[Verdict]], reasons: Mapping[str, str]) -> list[str]:
    """Each target not met on some database: its figures where missed, then why (`reasons`,
    bench/shortfalls.py), or that no reason is written yet. Empty when every target was met."""
    missed: dict[str, dict[str, Verdict]] = {}
    for label, verdicts in columns.items():
        for verdict in verdicts:
            if verdict.met is False:
                missed.setdefault(verdict.key, {})[label] = verdict
    lines = []
    for key, by_label in missed.items():
        target = next(iter(by_label.values())).target
        figures = "; ".join(f"{label} {verdict.figure}" for label, verdict in by_label.items())
        reason = reasons.get(key, "No reason written yet (bench/shortfalls.py): profile it.")
        lines += [f"- **{target}**: {figures}.", f"  {reason}"]
    return lines
