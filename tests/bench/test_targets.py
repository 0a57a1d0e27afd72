"""Issue 20's targets (bench/targets.py) judged from figures, with no server."""

from __future__ import annotations

from bench import shortfalls, targets
from bench.inprocess import KINDS
from bench.run import ENDPOINTS
from bench.targets import Cost, Revalidation, Share

LESSON = Share("Lesson page", targets.PAGE_SHELL, 0.70)


def test_a_share_is_met_at_the_bar_and_not_below():
    rps = {"Lesson page": 700.0, targets.PAGE_SHELL: 1000.0}
    assert targets.judge_share(LESSON, rps, {}).met is True
    rps["Lesson page"] = 699.0
    verdict = targets.judge_share(LESSON, rps, {})
    assert verdict.met is False
    assert verdict.figure == "70% (699 of 1,000 req/s)"


def test_a_share_with_failed_answers_is_not_met_and_says_how_many():
    rps = {"Lesson page": 900.0, targets.PAGE_SHELL: 1000.0}
    verdict = targets.judge_share(LESSON, rps, {"Lesson page": 12})
    assert verdict.met is False
    assert "12 non-2xx" in verdict.figure


def test_a_share_without_its_figures_is_not_measured():
    verdict = targets.judge_share(LESSON, {"Lesson page": 900.0}, {})
    assert verdict.met is None and verdict.figure == "not measured"


def test_the_p99_bar_leaves_out_the_dashboard_and_names_the_worst():
    p99 = {"Study page": 30.0, "Grade POST (htmx)": 49.9, targets.DASHBOARD: 400.0}
    verdict = targets.judge_p99(p99, connections=8)
    assert verdict.met is True
    assert verdict.figure == "worst 49.9 ms (Grade POST (htmx))"
    p99["Study page"] = 50.0
    verdict = targets.judge_p99(p99, connections=8)
    assert verdict.met is False
    assert verdict.figure == "worst 50.0 ms (Study page); 1 of 2 over"


def test_a_checkpoint_pass_that_could_not_run_says_why_and_is_not_judged():
    why = "not measured: needs GRANT pg_checkpoint TO portal"
    verdict = targets.judge_p99({}, connections=8, when=", after a checkpoint", skipped=why)
    assert verdict.met is None and verdict.figure == why


def test_an_in_process_cost_is_met_within_its_milliseconds():
    grade = Cost("Grade POST (htmx)", 5.0)
    assert targets.judge_cost(grade, {"Grade POST (htmx)": {"wall_ms": 5.0}}).met is True
    assert targets.judge_cost(grade, {"Grade POST (htmx)": {"wall_ms": 5.01}}).met is False
    assert targets.judge_cost(grade, {}).met is None


def test_a_page_without_a_validator_is_not_met():
    verdict = targets.judge_revalidation("Lesson page", Revalidation(None, None))
    assert verdict.met is False and verdict.figure == "no validator"


def test_a_revalidation_is_met_by_a_304_with_no_body_for_visitor_and_learner():
    answer = Revalidation(
        etag='"v1"',
        last_modified=None,
        status=304,
        learner_status=304,
        full_rps=1000.0,
        revalidated_rps=3000.0,
    )
    verdict = targets.judge_revalidation("Lesson page", answer)
    assert verdict.met is True
    assert verdict.figure == "304, no body; 3,000 req/s against 1,000 for a full load (3.0x)"


def test_a_revalidation_answered_with_the_page_or_a_body_is_not_met():
    full_page = Revalidation('"v1"', None, status=200, body_bytes=9000, learner_status=304)
    verdict = targets.judge_revalidation("Home page", full_page)
    assert verdict.met is False and verdict.figure == "visitor 200, 9,000 bytes"
    learner_body = Revalidation('"v1"', None, status=304, learner_status=304, learner_body_bytes=10)
    assert targets.judge_revalidation("Home page", learner_body).met is False


def test_the_revalidation_header_prefers_the_etag():
    assert targets.revalidation_header('"v1"', "Tue, 01 Dec 2026 00:00:00 GMT") == (
        "If-None-Match",
        '"v1"',
    )
    assert targets.revalidation_header(None, "Tue, 01 Dec 2026 00:00:00 GMT") == (
        "If-Modified-Since",
        "Tue, 01 Dec 2026 00:00:00 GMT",
    )
    assert targets.revalidation_header(None, None) is None


def test_validators_and_cache_signals_are_read_in_any_case():
    headers = {"ETag": '"v1"', "x-cache": "HIT", "Cache-Control": "max-age=0"}
    assert targets.validators(headers) == ('"v1"', None)
    assert targets.cache_signal(headers) == "x-cache: HIT"
    assert targets.cache_signal({"Cache-Control": "private, no-store"}) is None


def test_every_target_names_an_endpoint_or_a_kind_the_benchmark_measures():
    names = {endpoint.name for endpoint in ENDPOINTS}
    for share in targets.SHARES:
        assert {share.endpoint, share.limit} <= names
    assert set(targets.CONDITIONAL_PAGES) <= names
    assert {cost.kind for cost in targets.COSTS} <= set(KINDS)


def test_all_targets_come_out_in_one_table_with_a_column_per_database():
    run = {
        "rps": {},
        "non_2xx": {},
        "p99_ms": {},
        "p99_after_checkpoint_ms": {},
        "checkpoint_skipped": None,
        "connections": 8,
        "inprocess": {},
        "revalidations": {},
    }
    verdicts = targets.judge_all(**run)
    count = len(targets.SHARES) + 2 + len(targets.COSTS) + len(targets.CONDITIONAL_PAGES)
    assert len(verdicts) == len({verdict.target for verdict in verdicts}) == count
    lines = targets.table({"SQLite": verdicts, "PostgreSQL": verdicts[:1]})
    assert lines[0] == "| Target | SQLite | met | PostgreSQL | met |"
    assert len(lines) == 2 + count
    assert lines[2].startswith("| Page shell ≥ 60% of /healthz | not measured | not measured |")
    assert lines[-1].endswith("| – | – |")


def test_the_targets_missed_come_with_their_figures_and_why():
    page_shell = targets.Verdict("Page shell ≥ 60% of /healthz", "71%", True)
    study = targets.Verdict("Study page ≥ 50% of the signed-in limit", "27% (746 of 2,791)", False)
    p99 = targets.judge_p99({"Grade POST (htmx)": 70.1}, connections=8)
    lines = targets.shortfalls(
        {"SQLite": [page_shell, study], "PostgreSQL": [page_shell, study, p99]},
        {study.target: "The rendering.", "p99": "The commits."},
    )
    assert lines == [
        "- **Study page ≥ 50% of the signed-in limit**: SQLite 27% (746 of 2,791); "
        "PostgreSQL 27% (746 of 2,791).",
        "  The rendering.",
        "- **p99 < 50 ms at 8 connections, all but the dashboard**: PostgreSQL worst 70.1 ms "
        "(Grade POST (htmx)); 1 of 1 over.",
        "  The commits.",
    ]
    missed_without_reason = targets.shortfalls({"SQLite": [study]}, {})
    assert "No reason written yet" in missed_without_reason[1]
    assert targets.shortfalls({"SQLite": [page_shell]}, {"x": "y"}) == []


def test_every_reason_is_for_a_target_the_run_judges():
    verdicts = targets.judge_all(
        rps={},
        non_2xx={},
        p99_ms={},
        p99_after_checkpoint_ms={},
        checkpoint_skipped=None,
        connections=16,
        inprocess={},
        revalidations={},
    )
    assert set(shortfalls.REASONS) <= {verdict.key for verdict in verdicts}
