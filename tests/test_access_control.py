"""Who may do what, URL by URL: one table of every URL the site has, for anonymous visitors,
learners, instructors and superusers, GET and POST; per-user objects are a 404 to anyone
else; and every POST is refused without the CSRF token, htmx's included.

A new URL fails `test_every_url_pattern_is_in_the_table` until it has a row here.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ResetRequest, Session
from decks.package import DeckNote, build_package
from decks.selectors import deck_export_for
from flashcards.models import ManualChange, PromptMark, PromptState, Review, StudySettings
from flashcards.selectors import Scope
from flashcards.tokens import grade_token, read_grade_token, undo_token
from lessons.models import Lesson
from notes.services import NoteFile, notes_import
from practice.models import Answer, Attempt, AttemptQuestion
from practice.selectors import PracticeScope
from practice.services import attempt_start, attempt_submit
from tests.conftest import PASSWORD, grade_now, make_lesson, make_tree, make_user
from tests.decks.anki_study import one_review_each, package_with_reviews
from tests.flashcards.conftest import make_question, token_for
from tests.notes.conftest import TREE as NOTE_TREE
from tests.notes.conftest import note_text
from tests.practice.conftest import four_option_questions
from trees.models import AnswerTakenBack, TreeWalk

pytestmark = pytest.mark.django_db

TOPIC = "/topics/amazon-rds-aurora/"
LESSON = "/lessons/restore-paths/"
DRAFT = "/lessons/draft-only/"
TREE = "/trees/which-restore-path/"
STEP = "?tree-which-restore-path=1"
# Trees whose every host lesson is a draft: one placed only in the draft lesson, one imported
# from a note imported as a draft.
DRAFT_TREE = "/trees/draft-tree/"
DRAFT_NOTE_TREE = "/trees/ways/"
# The table learner's own note (issue 21), imported into their private topic: theirs alone.
PRIVATE_LESSON = "/lessons/private-notes-uLEARNER_ID/"
PRIVATE_TOPIC = "/topics/my-notes-uLEARNER_ID/"
ROLES = ("anonymous", "learner", "instructor", "superuser")
HTMX = {"HTTP_HX_REQUEST": "true"}

# Expected answers besides plain status codes: a redirect, and to where.
LOGIN = "302 to log in"
ADMIN_LOGIN = "302 to the admin's log in"
HOME = "302 home"
ADMIN_HOME = "302 to the admin index"
NEW_TEST = "302 to the practice test start page"
REDIRECTS = {
    NEW_TEST: "/practice/new/?scope=all",
    LOGIN: "/accounts/login/?next=",
    ADMIN_LOGIN: "/admin/login/?next=",
    HOME: "/",
    ADMIN_HOME: "/admin/",
}

Expected = int | str


@dataclass(frozen=True)
class Row:
    path: str
    answers: dict[str, tuple[Expected, Expected]]  # role -> (GET, POST)
    htmx: bool = False

    def __str__(self) -> str:
        return self.path + (" (htmx)" if self.htmx else "")

    def url(self, site: dict) -> str:
        """The path with the table learner's id for LEARNER_ID and their tests' ids for
        OPEN_TEST and DONE_TEST."""
        return with_ids(self.path, site)


def with_ids(text: str, site: dict) -> str:
    """`text` (a path, or a redirect's expected answer) with the table's ids in it."""
    return (
        text.replace("LEARNER_ID", str(site["learner"].pk))
        .replace("OPEN_TEST", str(site["open_test"].pk))
        .replace("DONE_TEST", str(site["done_test"].pk))
    )


def by_role(anonymous, learner, instructor, superuser) -> dict[str, tuple[Expected, Expected]]:
    return dict(zip(ROLES, (anonymous, learner, instructor, superuser), strict=True))


def everyone(get: Expected, post: Expected) -> dict[str, tuple[Expected, Expected]]:
    return dict.fromkeys(ROLES, (get, post))


def signed_in(anonymous, signed_in_answer) -> dict[str, tuple[Expected, Expected]]:
    """Anonymous visitors get one answer; every signed-in role the other."""
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], signed_in_answer)}


def staff(anonymous_and_learners, instructor, superuser=None) -> dict:
    """The admin: visitors and learners (not staff) are sent to the admin's log-in."""
    return {
        "anonymous": anonymous_and_learners,
        "learner": anonymous_and_learners,
        "instructor": instructor,
        "superuser": superuser or instructor,
    }


# Every URL of the site. POSTs carry no data: the point is who gets past the door, and what
# the view answers to a request it cannot use. Readers' pages take GET only (405 to a POST).
TABLE = [
    Row("/healthz", everyone(200, 405)),
    Row("/favicon.ico", everyone(301, 405)),
    Row("/", everyone(200, 405)),
    Row(TOPIC, everyone(200, 405)),
    Row("/topics/no-such-topic/", everyone(404, 405)),
    Row(LESSON, everyone(200, 405)),
    Row(LESSON + STEP, everyone(200, 405)),
    # A draft is a 404 to readers and a preview to whoever may edit lessons.
    Row(DRAFT, by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row("/lessons/no-such-lesson/", everyone(404, 405)),
    Row("/trees/", everyone(200, 405)),
    Row(TREE, everyone(200, 405)),
    Row(TREE + STEP, everyone(200, 405), htmx=True),
    Row(TREE + "map/", everyone(200, 405)),
    # A draft tree, on every one of its URLs, is a 404 to readers and a preview to whoever may
    # edit lessons, as a draft lesson is.
    Row(DRAFT_TREE, by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row(DRAFT_TREE + "?tree-draft-tree=2", by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row(
        DRAFT_TREE + "?tree-draft-tree=2",
        by_role((404, 405), (404, 405), (200, 405), (200, 405)),
        htmx=True,
    ),
    Row(DRAFT_TREE + "map/", by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row(DRAFT_NOTE_TREE, by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row(DRAFT_NOTE_TREE + "?tree-ways=1", by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row(DRAFT_NOTE_TREE + "map/", by_role((404, 405), (404, 405), (200, 405), (200, 405))),
    Row("/trees/no-such-tree/", everyone(404, 405)),
    Row("/trees/no-such-tree/map/", everyone(404, 405)),
    Row("/search/?q=snapshot", everyone(200, 405)),
    Row("/search/?q=snapshot", everyone(200, 405), htmx=True),
    # Account pages: a signed-in user is sent home from sign-up and log-in.
    Row("/accounts/signup/", signed_in((200, 200), (HOME, HOME))),
    Row("/accounts/login/", signed_in((200, 200), (HOME, HOME))),
    Row("/accounts/logout/", everyone(405, HOME)),
    Row("/accounts/password/", signed_in((LOGIN, LOGIN), (200, 200))),
    Row("/accounts/password/done/", signed_in((LOGIN, LOGIN), (200, 405))),
    # The account page re-renders an empty email form; the download is a GET.
    Row("/accounts/", signed_in((LOGIN, LOGIN), (200, 200))),
    Row("/accounts/progress.json", signed_in((LOGIN, LOGIN), (200, 405))),
    # Staff and superusers are told why they cannot delete their account here, and refused.
    Row("/accounts/delete/", by_role((LOGIN, LOGIN), (200, 200), (200, 403), (200, 403))),
    # Password reset, for anyone: an empty request shows the form again; a link that is not
    # valid shows a page saying so, to GET and POST alike.
    Row("/accounts/password/reset/", everyone(200, 200)),
    Row("/accounts/password/reset/sent/", everyone(200, 405)),
    Row("/accounts/password/reset/MQ/not-a-token/", everyone(200, 200)),
    Row("/accounts/password/reset/done/", everyone(200, 405)),
    # Studying needs an account; a grade, a card action or an undo without a token is a 400.
    Row("/study/", signed_in((LOGIN, LOGIN), (200, 405))),
    Row("/study/?scope=lesson:restore-paths", signed_in((LOGIN, LOGIN), (200, 405)), htmx=True),
    Row("/study/grade/", signed_in((LOGIN, LOGIN), (405, 400))),
    Row("/study/grade/", signed_in((LOGIN, LOGIN), (405, 400)), htmx=True),
    Row("/study/check/", signed_in((LOGIN, LOGIN), (405, 400))),
    Row("/study/check/", signed_in((LOGIN, LOGIN), (405, 400)), htmx=True),
    Row("/study/card/", signed_in((LOGIN, LOGIN), (405, 400))),
    Row("/study/card/", signed_in((LOGIN, LOGIN), (405, 400)), htmx=True),
    Row("/study/undo/", signed_in((LOGIN, LOGIN), (405, 400))),
    Row("/study/undo/", signed_in((LOGIN, LOGIN), (405, 400)), htmx=True),
    Row("/study/settings/", signed_in((LOGIN, LOGIN), (200, 200))),
    # My cards: a POST without an action comes back to the page with a message.
    Row("/study/cards/", signed_in((LOGIN, LOGIN), (200, 303))),
    # Custom study: a POST naming no action shows the page again; preview only reads.
    Row("/study/custom/?scope=lesson:restore-paths", signed_in((LOGIN, LOGIN), (200, 200))),
    Row("/study/preview/?scope=lesson:restore-paths", signed_in((LOGIN, LOGIN), (200, 405))),
    Row("/progress/", signed_in((LOGIN, LOGIN), (200, 405))),
    Row("/anki/", everyone(200, 405)),
    Row("/anki/?scope=lesson:restore-paths", everyone(200, 405)),
    Row("/anki/deck.apkg?scope=lesson:restore-paths", everyone(200, 405)),
    Row("/anki/deck.apkg?scope=all&schedule=on", everyone(200, 405)),
    Row("/anki/deck.apkg?scope=lesson:draft-only", everyone(404, 405)),
    Row("/anki/deck.apkg?scope=lesson:no-such-lesson", everyone(404, 405)),
    # An imported deck's image, by its hash (issue 16); none has this one. Headers and a
    # served image: tests/decks/test_views.py.
    Row("/anki/media/" + "0" * 64 + ".png", everyone(404, 405)),
    # Bringing Anki reviews back: anyone signed in, into their own log; a POST without a file
    # is the form again saying so.
    Row("/anki/reviews/", signed_in((LOGIN, LOGIN), (200, 200))),
    # Practice tests (issue 17): a test is its learner's own, a 404 to anyone else.
    # OPEN_TEST is the learner's test under way, DONE_TEST one submitted; an empty POST to a
    # question keeps no picks and shows it again, and a submitted test takes no more answers.
    Row("/practice/", signed_in((LOGIN, LOGIN), (200, 405))),
    Row("/practice/new/?scope=lesson:restore-paths", signed_in((LOGIN, LOGIN), (200, 200))),
    Row("/practice/new/?scope=lesson:no-such-lesson", signed_in((LOGIN, LOGIN), (404, 404))),
    # The first path, before it took a slash: sent on, query string and all.
    Row("/practice/new?scope=all", everyone(NEW_TEST, 405)),
    Row(
        "/practice/OPEN_TEST/1/",
        by_role((LOGIN, LOGIN), (200, "302 to /practice/OPEN_TEST/1/"), (404, 404), (404, 404)),
    ),
    Row(
        "/practice/OPEN_TEST/1/",
        by_role((LOGIN, LOGIN), (200, 200), (404, 404), (404, 404)),
        htmx=True,
    ),
    Row("/practice/OPEN_TEST/9/", by_role((LOGIN, LOGIN), (404, 404), (404, 404), (404, 404))),
    Row(
        "/practice/OPEN_TEST/review/",
        by_role((LOGIN, LOGIN), (200, 405), (404, 405), (404, 405)),
    ),
    Row(
        "/practice/OPEN_TEST/result/",
        by_role(
            (LOGIN, LOGIN), ("302 to /practice/OPEN_TEST/review/", 405), (404, 405), (404, 405)
        ),
    ),
    Row(
        "/practice/DONE_TEST/1/",
        by_role(
            (LOGIN, LOGIN),
            ("302 to /practice/DONE_TEST/result/", "302 to /practice/DONE_TEST/result/"),
            (404, 404),
            (404, 404),
        ),
    ),
    Row(
        "/practice/DONE_TEST/submit/",
        by_role(
            (LOGIN, LOGIN), (405, "302 to /practice/DONE_TEST/result/"), (405, 404), (405, 404)
        ),
    ),
    Row(
        "/practice/DONE_TEST/result/",
        by_role((LOGIN, LOGIN), (200, 405), (404, 405), (404, 405)),
    ),
    Row(
        "/practice/DONE_TEST/study-missed/",
        by_role(
            (LOGIN, LOGIN), (405, "302 to /practice/DONE_TEST/result/"), (405, 404), (405, 404)
        ),
    ),
    # Analytics: whoever may change lessons; a learner is refused outright.
    Row("/analytics/", by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405))),
    # Each learner's progress (issue 14): the same permission. LEARNER_ID is the learner's id.
    Row("/analytics/learners/", by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405))),
    Row(
        "/analytics/learners/?sort=-known&lesson=restore-paths",
        by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405)),
    ),
    Row("/analytics/learners.csv", by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405))),
    # Each exam-style question's figures (issue 17): the same permission; no learner named.
    Row("/analytics/questions/", by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405))),
    Row(
        "/analytics/learners/LEARNER_ID/",
        by_role((LOGIN, LOGIN), (403, 403), (200, 405), (200, 405)),
    ),
    # The admin: entry points, the note upload, the tree preview, and what only a superuser
    # may see (users, log-in attempts).
    Row("/admin/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    # Staff already signed in are sent on to the index; a POST just shows the form again.
    Row("/admin/login/", staff((200, 200), (ADMIN_HOME, 200))),
    Row("/admin/lessons/lesson/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    # An empty POST shows the upload form again (a refused upload is a 400: test_bad_input.py).
    Row("/admin/lessons/lesson/import/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    # The Anki deck upload (issue 16), with the notes upload's rights; an empty POST, the form.
    Row("/admin/lessons/lesson/import-anki/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    # Moving a lesson takes POST only; no lesson has this id (the door is the point).
    Row("/admin/lessons/lesson/999999/move/up/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (405, 404))),
    # A lesson's suggested cards (issue 21, notes/admin.py); no lesson has this id. Who may
    # decide, and CSRF, are tested with a real lesson in tests/notes/test_admin.py.
    Row(
        "/admin/lessons/lesson/999999/suggestions/",
        staff((ADMIN_LOGIN, ADMIN_LOGIN), (404, 404)),
    ),
    Row("/admin/notes/suggestion/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    Row("/admin/trees/tree/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    # The live previews beside the editors (portal/preview.py): POST only, and they save nothing.
    Row("/admin/lessons/lesson/preview/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (405, 200))),
    Row("/admin/trees/tree/preview/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (405, 200))),
    Row("/admin/flashcards/card/preview/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (405, 200))),
    Row("/admin/flashcards/card/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (200, 200))),
    Row("/admin/auth/user/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (403, 403), (200, 200))),
    Row("/admin/axes/accessattempt/", staff((ADMIN_LOGIN, ADMIN_LOGIN), (403, 403), (200, 200))),
    # A learner's own notes (issue 21): the owner (the table's learner) reads them; everyone
    # else, instructors and the superuser included, gets a 404, as for no lesson at all.
    Row(PRIVATE_LESSON, by_role((404, 405), (200, 405), (404, 405), (404, 405))),
    Row(PRIVATE_TOPIC, by_role((404, 405), (200, 405), (404, 405), (404, 405))),
    Row(
        "/practice/new/?scope=lesson:private-notes-uLEARNER_ID",
        by_role((LOGIN, LOGIN), (200, 200), (404, 404), (404, 404)),
    ),
    Row(
        "/practice/new/?scope=topic:my-notes-uLEARNER_ID",
        by_role((LOGIN, LOGIN), (200, 200), (404, 404), (404, 404)),
    ),
    # The Anki export (issue 16): anyone exports what they may study; another learner's note,
    # like a draft or nothing at all, is a 404 (nothing in it they may study).
    Row(
        "/anki/deck.apkg?scope=lesson:private-notes-uLEARNER_ID",
        by_role((404, 405), (200, 405), (404, 405), (404, 405)),
    ),
    Row(
        "/anki/deck.apkg?scope=topic:my-notes-uLEARNER_ID&schedule=on",
        by_role((404, 405), (200, 405), (404, 405), (404, 405)),
    ),
    # My notes: anyone signed in imports their own; an empty upload is refused with the
    # problems listed (400 to a plain post, the form again with 200 to htmx).
    Row("/notes/", signed_in((LOGIN, LOGIN), (200, 400))),
    Row("/notes/", signed_in((LOGIN, LOGIN), (200, 200)), htmx=True),
    # Deleting a note asks first (GET) and deletes on POST, the owner's only: last in the
    # table, since the owner's POST deletes it.
    Row(
        "/notes/private-notes-uLEARNER_ID/delete/",
        by_role((LOGIN, LOGIN), (200, "302 to /notes/"), (404, 404), (404, 404)),
    ),
]


@pytest.fixture
def site(bundled_content, instructor, superuser, learner):
    """The bundled notes imported, a draft lesson placing a tree of its own, a note imported as
    a draft with its tree, and a user of every role."""
    topic = Lesson.objects.get(slug="restore-paths").topic
    make_lesson(
        topic=topic,
        slug="draft-only",
        title="Draft only",
        status=Lesson.Status.DRAFT,
        body="## Secret part\n\n[[tree:draft-tree]]\n",
    )
    make_tree(slug="draft-tree", title="Draftquest tree")
    draft_note = note_text(title="Backups", body=f"## Part\n\nText.\n\n{NOTE_TREE}\n")
    notes_import(
        files=[NoteFile(name="draft-note.md", data=draft_note.encode())],
        status=Lesson.Status.DRAFT,
    )
    questions = four_option_questions(2)
    scope = PracticeScope("lesson", questions[0].card.lesson.slug, "Questions")
    tests = [
        attempt_start(
            user=learner,
            scope=scope,
            count=2,
            timed=False,
            # A minute apart: a second start within moments resumes the first (a double click).
            now=timezone.now() - dt.timedelta(minutes=minutes),
            seconds_per_question=120,
        )
        for minutes in (1, 0)
    ]
    attempt_submit(attempt=tests[1], now=timezone.now())
    own_note = note_text(title="Private notes", body="## Part\n\nA **private** fact here.\n")
    notes_import(
        files=[NoteFile(name="mine.md", data=own_note.encode())],
        owner=learner,
        default_topic="My notes",
        accept_suggestions=True,
    )
    return {
        "open_test": tests[0],
        "done_test": tests[1],
        "anonymous": None,
        "learner": learner,
        "instructor": instructor,
        "superuser": superuser,
        # A learner of their own for the CSRF case that deletes its account.
        "leaver": make_user(username="leaver"),
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def answer(response) -> Expected:
    """The response as the table writes it: a status, or a redirect with where it goes."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    for name, prefix in REDIRECTS.items():
        if location == prefix or (prefix.endswith("=") and location.startswith(prefix)):
            return name
    return f"302 to {location}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(site, role):
    wrong = []
    for row in TABLE:
        for method, expected in zip(("get", "post"), row.answers[role], strict=True):
            client = client_for(site[role])
            extra = HTMX if row.htmx else {}
            got = answer(getattr(client, method)(row.url(site), **extra))
            if isinstance(expected, str):
                expected = with_ids(expected, site)
            if got != expected:
                wrong.append(f"{method.upper()} {row}: expected {expected!r}, got {got!r}")
    assert not wrong, "\n".join(wrong)


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = ""
) -> Iterator[tuple[str, str | None]]:
    """Every pattern of the URLconf, includes followed, with `route` set to its full route."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            yield route, pattern.name


# What ModelAdmin generates for every model; anything else under admin/ is a view of ours.
GENERATED_ADMIN_VIEWS = ("_changelist", "_add", "_history", "_delete", "_change")


def test_every_url_pattern_is_in_the_table():
    patterns = set(url_patterns())
    routes = {route for route, _name in patterns}
    covered = {
        resolve(re.sub("LEARNER_ID|OPEN_TEST|DONE_TEST", "1", row.path.split("?")[0])).route
        for row in TABLE
    }
    # The admin's own URLs are many and generated; the table covers its entry points, one
    # change list per app of ours, our own admin views and the superuser-only pages.
    site_routes = {route for route in routes if not route.startswith("admin/")}
    assert site_routes - covered == set(), "add a row to TABLE for each new URL"
    admin_rows = {row.path for row in TABLE if row.path.startswith("/admin/")}
    assert {"/admin/", "/admin/login/", "/admin/lessons/lesson/import/"} <= admin_rows
    ours = {
        route
        for route, name in patterns
        if re.fullmatch(r"admin/\w+/\w+/.+", route)
        and name
        and not name.endswith(GENERATED_ADMIN_VIEWS)
    }
    assert {"admin/lessons/lesson/import/", "admin/trees/tree/preview/"} <= ours
    assert ours - covered == set(), "a custom admin view needs a row in TABLE"


def test_the_table_gives_every_role_an_answer():
    for row in TABLE:
        assert set(row.answers) == set(ROLES), row


# Per-user objects ---------------------------------------------------------------------------


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page)[1])


@pytest.fixture
def two_learners(site):
    """The learner from the table, who has graded a card, and another learner."""
    owner = site["learner"]
    other = make_user(username="other-learner")
    owner_client = client_for(owner)
    page = owner_client.get("/study/").content.decode()
    grade = owner_client.post("/study/grade/", {"token": hidden(page, "reveal"), "rating": 3})
    assert grade.status_code == 303
    return owner, owner_client, other, client_for(other)


def snapshot() -> tuple:
    """Every per-learner row, to show a refused request wrote nothing."""
    return (
        list(PromptState.objects.order_by("pk").values()),
        list(PromptMark.objects.order_by("pk").values()),
        list(Review.objects.order_by("pk").values()),
        list(StudySettings.objects.order_by("pk").values()),
        list(PromptMark.objects.order_by("pk").values()),
        list(TreeWalk.objects.order_by("pk").values()),
        AnswerTakenBack.objects.count(),
        list(ManualChange.objects.order_by("pk").values()),
        list(Attempt.objects.order_by("pk").values()),
        list(AttemptQuestion.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
    )


def test_another_learners_grade_token_is_a_404(two_learners):
    owner, owner_client, other, other_client = two_learners
    page = owner_client.get("/study/").content.decode()
    theirs = hidden(page, "reveal")
    before = snapshot()
    for extra in ({}, HTMX):
        response = other_client.post("/study/grade/", {"token": theirs, "rating": 3}, **extra)
        assert response.status_code == 404
        assert "not in your study session" in response.content.decode()
    assert snapshot() == before


def test_another_learners_token_checks_no_answer_to_a_question(two_learners):
    owner, _owner_client, other, other_client = two_learners
    theirs = token_for(owner, make_question())
    for extra in ({}, HTMX):
        response = other_client.post("/study/check/", {"token": theirs, "pick": "B"}, **extra)
        assert response.status_code == 404
        assert "not in your study session" in response.content.decode()
    assert not Answer.objects.exists()


def test_another_learners_undo_token_is_a_404(two_learners):
    owner, owner_client, other, other_client = two_learners
    page = owner_client.get("/study/").content.decode()
    theirs = hidden(page.split('class="undo"')[1], "token")
    before = snapshot()
    response = other_client.post("/study/undo/", {"token": theirs})
    assert response.status_code == 404 and "nothing of yours" in response.content.decode()
    assert snapshot() == before
    # The owner can still take it back: the refusal spent nothing.
    assert owner_client.post("/study/undo/", {"token": theirs}).status_code == 303


def test_an_undo_token_forged_for_another_learners_review_is_refused(two_learners):
    owner, _owner_client, other, other_client = two_learners
    review = Review.objects.get(user=owner)
    # Signed for the other learner, naming the owner's review: still only their own reviews.
    token = undo_token(user_id=other.pk, review_id=review.pk)
    before = snapshot()
    response = other_client.post("/study/undo/", {"token": token})
    assert response.status_code == 400
    assert snapshot() == before


def test_another_learners_reveal_token_shows_nothing(two_learners):
    owner, _owner_client, other, other_client = two_learners
    page = other_client.get("/study/").content.decode()
    shown_to_other = read_grade_token(hidden(page, "reveal"), user_id=other.pk).prompt_id
    # The owner's token for the very card the other learner is looking at.
    theirs = grade_token(
        user_id=owner.pk, prompt_id=shown_to_other, version=0, shown_at=timezone.now()
    )
    shown = other_client.get("/study/", {"reveal": theirs})
    assert shown.status_code == 200
    assert 'class="grade__interval"' not in shown.content.decode()
    assert other_client.get("/study/", {"reveal": hidden(page, "reveal")}).status_code == 200


def test_study_settings_are_only_ever_the_requesters(two_learners):
    owner, owner_client, other, other_client = two_learners
    StudySettings.objects.create(user=owner, new_per_day=7, time_zone="Europe/Paris")
    page = other_client.get("/study/settings/").content.decode()
    assert 'value="7"' not in page and 'Europe/Paris" selected' not in page
    response = other_client.post(
        "/study/settings/",
        {
            "user": owner.pk,
            "desired_retention": "0.8",
            "maximum_interval": "100",
            "new_per_day": "3",
            "time_zone": "UTC",
            "exam_date": "",
        },
    )
    assert response.status_code == 302
    assert StudySettings.objects.get(user=owner).new_per_day == 7
    assert StudySettings.objects.get(user=other).new_per_day == 3


def test_a_learners_tree_walk_is_only_moved_by_their_own_session(site):
    first, second = client_for(site["learner"]), client_for(make_user(username="walker-two"))
    first.get(TREE + "?tree-which-restore-path=1")
    mine = TreeWalk.objects.get(user=site["learner"])
    # Another learner walking the same tree, back and forth, has a walk of their own.
    second.get(TREE + "?tree-which-restore-path=2")
    second.get(TREE + "?tree-which-restore-path=2.1")
    second.get(TREE)
    mine.refresh_from_db()
    assert (mine.path, mine.steps) == ("1", 1)
    assert TreeWalk.objects.filter(user__username="walker-two").count() == 1
    # The walk's id lives only in the server-side session; the cookie is an opaque key, and
    # one learner's session key is not another's.
    assert first.cookies[settings.SESSION_COOKIE_NAME].value != (
        second.cookies[settings.SESSION_COOKIE_NAME].value
    )


def test_the_dashboard_shows_only_the_requesters_own_figures(two_learners):
    owner, owner_client, other, other_client = two_learners
    mine = owner_client.get("/progress/")
    theirs = other_client.get("/progress/")
    assert mine.context["board"] != theirs.context["board"]
    assert Review.objects.filter(user=other).count() == 0
    assert theirs.context["board"].reviewed_today == 0
    assert mine.context["board"].reviewed_today == 1


def test_search_never_finds_a_draft(site):
    make_lesson(
        slug="secret-draft",
        title="Quokkaquest secrets",
        status=Lesson.Status.DRAFT,
        body="## Quokkaquest\n\nUnpublished.\n",
    )
    for role in ROLES:
        page = client_for(site[role]).get("/search/", {"q": "quokkaquest"}).content.decode()
        assert "secret-draft" not in page, role


def test_a_draft_tree_is_nowhere_a_learner_looks(site):
    """Not listed, not searched, and no link names the draft lessons that hold them."""
    for role in ("anonymous", "learner"):
        client = client_for(site[role])
        listing = client.get("/trees/").content.decode()
        assert "Draftquest" not in listing and DRAFT_NOTE_TREE not in listing, role
        for query in ("draftquest", "which way"):
            found = client.get("/search/", {"q": query}).content.decode()
            assert DRAFT_TREE not in found and DRAFT_NOTE_TREE not in found, role
    instructor = client_for(site["instructor"])
    listing = instructor.get("/trees/").content.decode()
    assert DRAFT_TREE in listing and DRAFT_NOTE_TREE in listing
    for url in (DRAFT_TREE, DRAFT_NOTE_TREE + "map/"):
        assert "Draft preview." in instructor.get(url).content.decode(), url
    # The draft note's tree links to its own draft lesson: shown to instructors only.
    outcome = instructor.get(DRAFT_NOTE_TREE + "?tree-ways=1").content.decode()
    assert 'href="/lessons/backups/#part"' in outcome


# CSRF -----------------------------------------------------------------------------------------


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        user.refresh_from_db()  # an earlier case may have changed the password
        client.force_login(user)
    return client


def test_every_post_without_a_token_is_refused_before_the_view(site):
    """CsrfViewMiddleware stands before every view: no view of ours is exempt."""
    for role in ROLES:
        client = csrf_client(site[role])
        for row in TABLE:
            response = client.post(row.url(site), **(HTMX if row.htmx else {}))
            assert response.status_code == 403, (role, str(row), response.status_code)


def csrf_cookie(client: Client, page: str) -> str:
    client.get(page)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def world() -> tuple:
    user_model = get_user_model()
    return (
        *snapshot(),
        sorted(Session.objects.values_list("session_key", flat=True)),
        list(
            user_model.objects.order_by("pk").values(
                "pk", "username", "email", "password", "last_login"
            )
        ),
        list(Lesson.objects.order_by("pk").values_list("slug", "status")),
        ResetRequest.objects.count(),
        Answer.objects.count(),
    )


@dataclass(frozen=True)
class CsrfCase:
    path: str
    role: str
    page: str  # a page that carries the token, loaded first
    data: dict


def csrf_cases(site, studied_page: str) -> list[CsrfCase]:
    open_test, done_test = site["open_test"], site["done_test"]
    new_password = "another long passphrase"
    lesson = Lesson.objects.get(slug="restore-paths")
    note = b"# 2026-02-01 \xe2\x80\x94 CSRF note\n\n**Source:** s\n**Theme:** t\n\nBody.\n"
    return [
        CsrfCase(
            "/accounts/signup/",
            "anonymous",
            "/accounts/signup/",
            {
                "username": "csrf-newcomer",
                "email": "csrf-newcomer@example.com",
                "password1": new_password,
                "password2": new_password,
            },
        ),
        CsrfCase(
            "/accounts/login/",
            "anonymous",
            "/accounts/login/",
            {"username": "learner", "password": PASSWORD},
        ),
        CsrfCase("/accounts/logout/", "learner", "/", {}),
        CsrfCase(
            "/accounts/",
            "learner",
            "/accounts/",
            {"email": "csrf-changed@example.com", "current_password": PASSWORD},
        ),
        CsrfCase("/accounts/delete/", "leaver", "/accounts/delete/", {"password": PASSWORD}),
        CsrfCase(
            "/accounts/password/",
            "learner",
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": new_password,
                "new_password2": new_password,
            },
        ),
        CsrfCase(
            "/accounts/password/reset/",
            "anonymous",
            "/accounts/password/reset/",
            {"email": "learner@example.com"},
        ),
        CsrfCase(
            f"/accounts/password/reset/{reset_uid(site['learner'])}/set-password/",
            "anonymous",
            "the learner's reset link, made in prepare()",
            {"new_password1": "a reset passphrase", "new_password2": "a reset passphrase"},
        ),
        CsrfCase(
            "/study/grade/",
            "learner",
            "/study/",
            {"token": hidden(studied_page, "reveal"), "rating": "3"},
        ),
        CsrfCase("/study/check/", "learner", "/study/", {"token": "filled in below", "pick": "B"}),
        CsrfCase(
            "/study/card/",
            "learner",
            "/study/",
            {"token": hidden(studied_page, "reveal"), "flag": "2"},
        ),
        CsrfCase("/study/undo/", "learner", "/study/", {"token": "filled in below"}),
        CsrfCase(
            "/study/cards/",
            "learner",
            "/study/cards/",
            {"action": "suspend", "prompt": [str(lesson.cards.first().prompts.first().pk)]},
        ),
        CsrfCase(
            "/study/settings/",
            "learner",
            "/study/settings/",
            {
                "desired_retention": "0.8",
                "maximum_interval": "100",
                "new_per_day": "3",
                "time_zone": "UTC",
                "exam_date": "",
            },
        ),
        CsrfCase(
            "/study/custom/",
            "learner",
            "/study/custom/?scope=lesson:restore-paths",
            {"scope": "lesson:restore-paths", "count": "3", "more_new": ""},
        ),
        # Practice tests: a question's picks before the submit of the same test.
        CsrfCase(
            "/practice/new/",
            "learner",
            f"/practice/new/?scope={open_test.scope}",
            {"scope": open_test.scope, "count": "2"},
        ),
        CsrfCase(
            f"/practice/{open_test.pk}/1/",
            "learner",
            f"/practice/{open_test.pk}/1/",
            {"picks": "A", "go": "next"},
        ),
        CsrfCase(
            f"/practice/{open_test.pk}/submit/", "learner", f"/practice/{open_test.pk}/review/", {}
        ),
        # A missed question studied before (prepare() grades it) becomes due now.
        CsrfCase(
            f"/practice/{done_test.pk}/study-missed/",
            "learner",
            f"/practice/{done_test.pk}/result/",
            {},
        ),
        # A learner's own notes: an upload, then deleting the table learner's note.
        CsrfCase(
            "/notes/",
            "learner",
            "/notes/",
            {"notes": _upload(note), "topic": "CSRF notes"},
        ),
        CsrfCase(
            f"/notes/private-notes-u{site['learner'].pk}/delete/",
            "learner",
            f"/notes/private-notes-u{site['learner'].pk}/delete/",
            {},
        ),
        # Anki reviews brought back: a package of the public lesson with one review a card.
        CsrfCase(
            "/anki/reviews/",
            "learner",
            "/anki/reviews/",
            {"package": _anki_reviews_upload()},
        ),
        CsrfCase(
            "/admin/login/",
            "anonymous",
            "/admin/login/",
            {"username": "admin", "password": PASSWORD},
        ),
        CsrfCase(
            "/admin/lessons/lesson/import/",
            "instructor",
            "/admin/lessons/lesson/import/",
            {"notes": _upload(note), "topic": "CSRF", "status": ""},
        ),
        CsrfCase(
            "/admin/lessons/lesson/import-anki/",
            "instructor",
            "/admin/lessons/lesson/import-anki/",
            {"packages": _anki_upload(), "topic": "CSRF decks"},
        ),
        CsrfCase(
            "/admin/lessons/lesson/",
            "instructor",
            "/admin/lessons/lesson/",
            {"action": "unpublish", "_selected_action": [lesson.pk]},
        ),
        CsrfCase(
            "/admin/trees/tree/preview/",
            "instructor",
            "/admin/trees/tree/add/",
            {"definition": "? q: Why?\n- A -> a\n\n= a: A\n"},
        ),
        CsrfCase(
            "/admin/lessons/lesson/preview/",
            "instructor",
            f"/admin/lessons/lesson/{lesson.pk}/change/",
            {"title": "CSRF", "body": "## A heading\n"},
        ),
        CsrfCase(
            "/admin/flashcards/card/preview/",
            "instructor",
            "/admin/flashcards/card/add/",
            {"kind": "basic", "front": "Why?", "back": "Because."},
        ),
    ]


def reset_uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _anki_reviews_upload() -> SimpleUploadedFile:

    now = timezone.now()
    notes = deck_export_for(
        user=None,
        scope=Scope.parse("lesson:restore-paths"),
        base_url="http://testserver/",
        with_schedule=False,
    ).notes
    data = package_with_reviews(
        build_package(notes, now=now), one_review_each(now - dt.timedelta(days=1))
    )
    return SimpleUploadedFile("collection.colpkg", data, content_type="application/zip")


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("csrf.md", data, content_type="text/markdown")


def _anki_upload() -> SimpleUploadedFile:
    """A one-note Anki package (the export's own writer) to upload."""
    note = DeckNote(guid="csrf-note", kind="basic", deck="CSRF::Deck", fields=("F", "B", "", ""))
    data = build_package([note], now=timezone.now())
    return SimpleUploadedFile("csrf.apkg", data, content_type="application/octet-stream")


def test_every_site_url_that_takes_a_post_has_a_csrf_case(site):
    """A URL outside the admin whose POST some role may use needs a case with real data."""
    takes_post = {
        row.url(site).split("?")[0]
        for row in TABLE
        if not row.path.startswith("/admin/")
        and any(post not in (405, 403, LOGIN) for _get, post in row.answers.values())
    }
    # By route: a case for a reset link stands for every reset link.
    cases = {resolve(case.path).route for case in csrf_cases(site, 'name="reveal" value="x"')}
    assert {resolve(path).route for path in takes_post} - cases == set()


# The token as the site hands it out: in each form, and for htmx in <body hx-headers>.
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HTMX_TOKEN = re.compile(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'")


def prepare(site, case: CsrfCase) -> tuple[Client, dict, str]:
    """A client of the case's role that has loaded the page, the data to post, and the page."""
    client = csrf_client(site[case.role])
    data = dict(case.data)
    if case.path == "/study/undo/":
        # Grade first, through the CSRF-checked client, to have something to undo.
        page = client.get("/study/").content.decode()
        graded = client.post(
            "/study/grade/",
            {"token": hidden(page, "reveal"), "rating": "1"},
            HTTP_X_CSRFTOKEN=HTMX_TOKEN.search(page)[1],
        )
        assert graded.status_code == 303
        page = client.get("/study/").content.decode()
        data["token"] = hidden(page.split('class="undo"')[1], "token")
    elif case.path.endswith("/study-missed/"):
        missed = site["done_test"].questions.first().prompt
        grade_now(site["learner"], missed, 3, timezone.now() - dt.timedelta(days=3))
        page = client.get(case.page).content.decode()
    elif case.path == "/study/check/":
        # A question of its own, shown to the learner now: its check logs an answer.
        page = client.get(case.page).content.decode()
        prompt = make_question()
        data["token"] = grade_token(
            user_id=site["learner"].pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now()
        )
    elif case.path.endswith("/set-password/"):
        # A reset link made now: an earlier case may have changed the password, spending any
        # link made before. Following it puts the token in the session, as Django does.
        learner = get_user_model().objects.get(pk=site["learner"].pk)
        token = default_token_generator.make_token(learner)
        link = f"/accounts/password/reset/{reset_uid(learner)}/{token}/"
        page = client.get(link, follow=True).content.decode()
    else:
        page = client.get(case.page).content.decode()
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)
    return client, data, page


@pytest.mark.parametrize(
    "how",
    ["no token", "no token, htmx", "wrong header, htmx", "wrong form field", "token of another"],
)
def test_every_post_is_refused_without_the_right_csrf_token(site, how):
    studied = csrf_client(site["learner"]).get("/study/").content.decode()
    for case in csrf_cases(site, studied):
        client, data, _page = prepare(site, case)
        before = world()
        extra = {}
        if "htmx" in how:
            extra.update(HTMX)
        if how == "wrong header, htmx":
            extra["HTTP_X_CSRFTOKEN"] = "x" * 32
        elif how == "wrong form field":
            data["csrfmiddlewaretoken"] = "y" * 64
        elif how == "token of another":
            data["csrfmiddlewaretoken"] = csrf_cookie(Client(), "/accounts/login/")
        response = client.post(case.path, data, **extra)
        assert response.status_code == 403, (case.path, how, response.status_code)
        assert "Reload the page and try again." in response.content.decode(), case.path
        assert world() == before, (case.path, how)


@pytest.mark.parametrize("how", ["form field", "htmx header"])
def test_every_post_is_accepted_with_the_token_the_page_hands_out(site, how):
    studied = csrf_client(site["learner"]).get("/study/").content.decode()
    for case in csrf_cases(site, studied):
        client, data, page = prepare(site, case)
        in_form = FORM_TOKEN.search(page)
        for_htmx = HTMX_TOKEN.search(page)
        assert in_form, case.page
        # The admin has no htmx; visitors' pages carry no htmx token (nothing of theirs posts
        # through htmx without its form's own field), so a visitor's page is the same for all.
        assert bool(for_htmx) == (case.role != "anonymous" and not case.page.startswith("/admin/"))
        extra = {}
        if how == "form field":
            data["csrfmiddlewaretoken"] = html.unescape(in_form[1])
        else:
            extra = {**HTMX, "HTTP_X_CSRFTOKEN": (for_htmx or in_form)[1]}
        before = world()
        response = client.post(case.path, data, **extra)
        assert response.status_code in (200, 302, 303), (case.path, how, response.status_code)
        if not case.path.endswith("/preview/"):  # the previews only show; they save nothing
            assert world() != before, (case.path, how)
