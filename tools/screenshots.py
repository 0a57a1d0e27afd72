"""The README's screenshots, taken afresh: `make screenshots` (or `python -m tools.screenshots`).

Builds a throwaway SQLite database in a temporary folder, migrates it, imports the bundled
notes from content/, gives one learner two months of simulated study (`generate_dataset`) with
a few cards due now, serves the site with gunicorn on a free loopback port, and has Debian's
Chromium (through Playwright) photograph each page in SHOTS, light and dark, into
docs/screenshots/<name>-<scheme>.png. Nothing outside that folder and the temporary one is
touched. Intervals are not fuzzed and the data is seeded, so a rerun changes only what the
site itself changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from tools.chromium import CHROMIUM, LAUNCH_ARGS
from tools.servers import Server, free_port, gunicorn_command

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 1200}
SCHEMES = ("light", "dark")
LEARNER = "sam"
TREE = "which-restore-path"


# What to photograph ----------------------------------------------------------------------------


def tree_ready(page) -> None:
    page.locator(f"#tree-{TREE}[data-ready]").wait_for()


def answer_shown(page) -> None:
    page.locator("#study-card[data-ready]").wait_for()
    page.get_by_role("button", name="Show answer").click()
    page.locator("#study-card[data-ready] .grades").wait_for()


@dataclass(frozen=True)
class Shot:
    """One screenshot, taken once per colour scheme: docs/screenshots/<name>-<scheme>.png."""

    name: str
    path: str
    then: Callable | None = None  # what to do on the page before the picture
    until: str | None = None  # end the picture just below this element, not at the window's end
    since: str | None = None  # start it just above this element, not at the page's top
    signed_in: bool = True  # as the learner with a study history


# A new picture is one more row (and a line in the README's Screenshots section).
SHOTS = [
    # The section that holds the tree, one answer in so the widget shows the trail of answers.
    Shot(
        "lesson-with-tree",
        f"/lessons/restore-paths/?tree-{TREE}=1#choosing-a-restore-path",
        tree_ready,
        until=f"#tree-{TREE}",
        since="#choosing-a-restore-path",
    ),
    Shot("study-session", "/study/", answer_shown, until=".study-keys"),
    # Today's figures, the exam, mastery per lesson and the year's heatmap.
    Shot("dashboard", "/progress/", until="#heatmap-summary"),
]


# The throwaway site ----------------------------------------------------------------------------


def environment(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="1",  # static files straight from static/, no collectstatic
        DJANGO_LOG_LEVEL="ERROR",
        FLASHCARDS_FUZZ="0",
    )
    return env


def build_site(env: dict[str, str]) -> str:
    """Migrate, import the notes and make the learner; returns the learner's session id."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from flashcards.models import PromptState, StudySettings

    quiet = StringIO()
    call_command("migrate", "--no-input", verbosity=0)
    call_command("import_notes", str(ROOT / "content"), stdout=quiet)
    # 40 of the 56 bundled cards studied for two months; the other 16 are still new.
    call_command(
        "generate_dataset", learners=1, history=1, cards=40, days=60, prefix="shots", stdout=quiet
    )
    learner = get_user_model().objects.get(username="shots000000")
    learner.username = LEARNER
    learner.save(update_fields=["username"])
    # The simulation leaves every card due in the future; a few are due now, as on a real day.
    soonest = PromptState.objects.filter(user=learner).order_by("due")[:8]
    now = timezone.now()
    PromptState.objects.filter(pk__in=[state.pk for state in soonest]).update(
        due=now - dt.timedelta(hours=1)
    )
    # An exam four weeks ahead, so the dashboard shows expected recall on the day.
    StudySettings.objects.update_or_create(
        user=learner, defaults={"exam_date": timezone.localdate() + dt.timedelta(days=28)}
    )
    client = Client()
    client.force_login(learner)
    return client.cookies["sessionid"].value


def gunicorn(env: dict[str, str]) -> Server:
    port = free_port()
    return Server(gunicorn_command(port), port=port, env=env, name="gunicorn")


# The pictures ------------------------------------------------------------------------------------


def photograph(base_url: str, session_id: str, shots: list[Shot]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        for shot in shots:
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport=VIEWPORT, color_scheme=scheme, reduced_motion="reduce"
                )
                if shot.signed_in:
                    context.add_cookies(
                        [{"name": "sessionid", "value": session_id, "url": base_url}]
                    )
                page = context.new_page()
                page.goto(f"{base_url}{shot.path}")
                if shot.then:
                    shot.then(page)
                target = OUTPUT / f"{shot.name}-{scheme}.png"
                # A full-page picture, clipped: the element may end below the window.
                page.screenshot(
                    path=target,
                    animations="disabled",
                    caret="hide",
                    full_page=True,
                    clip=clip_between(page, shot.since, shot.until),
                )
                context.close()
                written.append(target)
        browser.close()
    return written


def clip_between(page, since: str | None, until: str | None) -> dict:
    """The page from a little above `since` (or its top) to a little below `until` (or one
    window's height), in page coordinates: an element's box is measured from the window, which
    the page may have scrolled (to the URL's #anchor, say)."""
    scrolled = page.evaluate("window.scrollY")
    top = 0
    if since is not None:
        top = max(0, round(page.locator(since).bounding_box()["y"] + scrolled) - 24)
    if until is None:
        return {"x": 0, "y": top, **VIEWPORT}
    box = page.locator(until).bounding_box()
    bottom = round(box["y"] + scrolled + box["height"]) + 32
    return {"x": 0, "y": top, "width": VIEWPORT["width"], "height": bottom - top}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="Only these shots (default: all).")
    args = parser.parse_args()
    unknown = set(args.names) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"no such shot: {', '.join(sorted(unknown))}")
    shots = [shot for shot in SHOTS if not args.names or shot.name in args.names]

    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as folder:
        env = environment(Path(folder) / "screenshots.sqlite3")
        session_id = build_site(env)
        with gunicorn(env) as server:
            written = photograph(server.url, session_id, shots)
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
