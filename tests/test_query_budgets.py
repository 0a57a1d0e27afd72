"""Query budgets: every page and htmx endpoint makes a fixed number of queries, the same on a
small and a large data set (more lessons, cards, learners, states, reviews and walks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decks.models import DeckImage
from flashcards.card_actions import cards_act
from flashcards.models import PromptState, Review
from lessons.models import Lesson
from notes.models import Suggestion
from notes.services import NoteFile, notes_import
from practice.models import Answer
from practice.selectors import PracticeScope
from practice.services import answer_save, attempt_start, attempt_submit
from tests.conftest import make_card, make_lesson, make_tree, make_user, table_statistics_refreshed
from tests.flashcards.conftest import make_question
from tests.practice.conftest import four_option_questions, submitted_attempt
from trees.models import Tree, TreeWalk

pytestmark = pytest.mark.django_db

LESSON = "/lessons/restore-paths/"
TREE = "/trees/which-restore-path/"
STEP = "?tree-which-restore-path=3"
SEARCH = "/search/?q=percona"
# An imported Anki deck's image (issue 16), stored by the `clients` fixture.
IMAGE_BYTES = b"\x89PNG\r\n\x1a\n budget"
IMAGE = f"/anki/media/{hashlib.sha256(IMAGE_BYTES).hexdigest()}.png"

# (who, method, path, htmx): queries. "learner" has studied cards and has some due. Each is
# counted on a second visit, once the session exists. A tree comes whole in one query; a tree
# step at an outcome reads the outcome's links in one more (tests/trees/test_views.py).
BUDGETS = {
    ("anonymous", "get", "/healthz", False): 0,
    # A visitor without a session is served the reading pages from the page cache on a second
    # visit: the content version is the one query (pagecache/pages.py). Rendered, the home and
    # topic pages cost 3, the lesson 5, the tree list and a tree 2 (that read, then the page's).
    ("anonymous", "get", "/", False): 1,
    ("anonymous", "get", "/topics/amazon-rds-aurora/", False): 1,
    ("anonymous", "get", LESSON, False): 1,
    # A visitor's plain GET of a step records no walk and starts no session (trees/widgets.py),
    # so it is cached too.
    ("anonymous", "get", LESSON + STEP, False): 1,
    ("anonymous", "get", "/trees/", False): 1,
    ("anonymous", "get", TREE, False): 1,
    # A visitor's htmx step is recorded (a walk, and a session), so it is never served from
    # the cache; from here on this visitor has a session and pages are rendered for them.
    ("anonymous", "get", TREE + STEP, True): 4,
    ("anonymous", "get", TREE + "map/", False): 2,
    ("anonymous", "get", "/accounts/login/", False): 1,
    ("anonymous", "get", "/accounts/signup/", False): 1,
    ("anonymous", "get", SEARCH, False): 2,
    # The session too (issue 21): who searches decides whether their private notes are found,
    # and the partial, which draws no header, would otherwise never read it.
    ("anonymous", "get", SEARCH, True): 2,
    ("learner", "get", "/", False): 7,
    ("learner", "get", LESSON, False): 8,
    ("learner", "get", TREE + STEP, True): 4,
    # The full page asks whether exam cards exist, to offer their scope; the card alone does not.
    # The queue's counts (due, done today, new) are one query (flashcards.selectors.queue_counts).
    ("learner", "get", "/study/", False): 5,
    ("learner", "get", "/study/", True): 4,
    ("learner", "get", "/study/?reveal=", True): 4,
    # A grade of a card studied before reads its state (locked) with its card in one query.
    ("learner", "post", "/study/grade/", True): 12,
    # A card action: the settings, the card is live, the marks read (locked) and written, then
    # the next card as after a grade.
    ("learner", "post", "/study/card/", True): 12,
    # An undo locks the learner, finds the review's card, locks its state, then checks it is the
    # latest grade and that no forget or set due date in "My cards" came since (grade_undo),
    # restores; then the card is shown again.
    ("learner", "post", "/study/undo/", True): 17,
    # Personal FSRS adds two: the learner's review count (against the threshold) and their fit.
    ("learner", "get", "/study/settings/", False): 4,
    # The settings (time zone), the lessons for the filter, the count and the page.
    ("learner", "get", "/study/cards/", False): 5,
    ("learner", "get", "/accounts/password/", False): 1,
    # The session with its user (one query): the page shows what the user row holds.
    ("learner", "get", "/accounts/", False): 1,
    # The export's eight (settings, reviews, states, marks, changes by hand, practice tests,
    # their questions, answers to questions; this learner has taken tests) and nothing else.
    ("learner", "get", "/accounts/progress.json", False): 9,
    ("learner", "get", SEARCH, False): 2,
    # My notes (issue 21): the session with its user, the learner's notes with card counts.
    ("learner", "get", "/notes/", False): 2,
    # The Anki export (issue 16): the page reads the lessons and the tags with cards to offer;
    # the package reads the prompts, their tags, the settings and states, whatever its size.
    ("anonymous", "get", "/anki/", False): 3,
    ("learner", "get", "/anki/", False): 3,
    ("anonymous", "get", "/anki/deck.apkg?scope=all", False): 3,
    ("learner", "get", "/anki/deck.apkg?scope=all&schedule=on", False): 5,
    # An imported deck's image: the one row, read by its hash; never the session (the image
    # is the same for everyone, so it stays cacheable by anyone).
    ("anonymous", "get", IMAGE, False): 1,
    ("learner", "get", IMAGE, False): 1,
    # Bringing Anki reviews back: the form reads nothing but the session with its user.
    ("learner", "get", "/anki/reviews/", False): 1,
    # Mastery is one query (prompts left-joined to the learner's states), not two. The
    # practice-test panel adds one: the scores per test and lesson. The lessons listed, which
    # have questions and whether exam cards exist are read once per content version (the
    # version itself is one query; pagecache.kept), so not on this second visit.
    ("learner", "get", "/progress/", False): 10,
    # The mastery spread reads the exam days still to come: "known" is taken on each one.
    ("instructor", "get", "/analytics/", False): 12,
    # The session with its user, the permission (the user's and the groups'), every question with
    # its answer counts, and the page's questions' picks.
    ("instructor", "get", "/analytics/questions/", False): 5,
    ("instructor", "get", LESSON, False): 8,
    # The roster (issue 14): the session with its user, the permission (the user's and groups'),
    # the lesson filter's lesson, the exam days "known" is taken on, the cards it is a share of,
    # the count, the page (every figure a subquery of it) and the lessons to filter by; sorted
    # by known, the time of the snapshot it is sorted by (analytics.models.KnownSnapshot).
    ("instructor", "get", "/analytics/learners/?sort=-known&lesson=restore-paths", False): 10,
}


def grow() -> None:
    """Make the data set several times larger in every direction the pages read."""
    for number in range(30):
        make_lesson(title=f"Extra lesson {number}")
    call_command(
        "generate_dataset", learners=40, history=5, days=60, prefix="load", stdout=StringIO()
    )
    tree = Tree.objects.get(slug="which-restore-path")
    TreeWalk.objects.bulk_create(
        TreeWalk(tree=tree, walker=f"session:{n}", last_node_key="engine") for n in range(300)
    )
    learner = get_user_model().objects.get(username="budget-learner")
    more = four_option_questions(5, lesson=make_lesson(title="More questions"))
    for letter in "ABCD":
        submitted_attempt(learner, [(prompt, letter) for prompt in more])
    table_statistics_refreshed()


def measure(make_clients) -> dict:
    """Query counts per endpoint, with fresh clients: a first-time visitor, logged-in users."""
    clients = make_clients()
    counts = {}
    for who, method, path, htmx in BUDGETS:
        client = clients[who]
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        data = None
        if path == "/study/?reveal=" or method == "post":
            page = client.get("/study/").content.decode()
            token = re.search(r'name="reveal" value="([^"]+)"', page)[1]
            if path == "/study/card/":
                data = {"token": token, "flag": "2"}
            elif path == "/study/undo/":
                client.post("/study/grade/", {"token": token, "rating": "3"})
                page = client.get("/study/").content.decode()
                data = {
                    "token": re.search(
                        r'name="token" value="([^"]+)"', page.split('class="undo"')[1]
                    )[1]
                }
            elif method == "post":
                data = {"token": token, "rating": "3"}
            else:
                path = f"/study/?reveal={token}"
        # The session (and a tree step's walk) exists from here on.
        client.get(path if method == "get" else "/study/", **extra)
        with CaptureQueriesContext(connection) as captured:
            response = (
                getattr(client, method)(path, data, **extra) if data else client.get(path, **extra)
            )
        assert response.status_code == 200, (who, path, response.status_code)
        counts[
            (
                who,
                method,
                path.split("?reveal=")[0] + ("?reveal=" if "reveal=" in path else ""),
                htmx,
            )
        ] = len(captured.captured_queries)
    return counts


@pytest.fixture
def clients(bundled_content, instructor):
    call_command(
        "generate_dataset", learners=4, history=2, days=30, prefix="load", stdout=StringIO()
    )
    learner = make_user(username="budget-learner")
    # Some of the deck studied and due now, the rest new.
    PromptState.objects.bulk_create(
        PromptState(
            user=learner,
            prompt=state.prompt,
            state=2,
            stability=3,
            difficulty=5,
            due=state.due,
            version=1,
        )
        # Cards, not questions: the table counts a card's front and revealed answer (a
        # question's front and back are counted in QUESTION_BUDGETS below).
        for state in PromptState.objects.filter(user__username="load000003").exclude(
            prompt__card__kind="question"
        )[:40]
    )
    PromptState.objects.filter(user=learner).update(due="2000-01-01T00:00:00Z")
    # Practice (issue 17): questions, and a practice test the learner submitted.
    asked = four_option_questions(3, lesson=make_lesson(title="Questions"))
    submitted_attempt(learner, [(prompt, "B") for prompt in asked])
    DeckImage.objects.create(
        sha256=IMAGE.split("/")[-1].split(".")[0],
        content_type="image/png",
        size=len(IMAGE_BYTES),
        data=IMAGE_BYTES,
    )
    table_statistics_refreshed()

    def make_clients() -> dict[str, Client]:
        result = {"anonymous": Client(), "learner": Client(), "instructor": Client()}
        result["learner"].force_login(learner)
        result["instructor"].force_login(instructor)
        return result

    return make_clients


def test_every_page_keeps_its_query_budget_as_the_data_grows(clients):
    small = measure(clients)
    grow()
    large = measure(clients)
    assert large == small
    assert small == BUDGETS


# The roster and a learner's page at 10 and at 1,000 learners ---------------------------------


def add_learners(count: int, prompts: list, now) -> None:
    """`count` learners, each with a state and a few reviews of every prompt (bulk, cheaply)."""
    first = get_user_model().objects.count()
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"many{first + number:05}", password="!")
        for number in range(count)
    )
    PromptState.objects.bulk_create(
        PromptState(
            user=user,
            prompt=prompt,
            state=2,
            stability=5 + number % 20,
            difficulty=5,
            due=now - dt.timedelta(days=number % 3),
            last_review=now - dt.timedelta(days=number % 9),
            lapses=number % 10,
        )
        for number, user in enumerate(users)
        for prompt in prompts
    )
    Review.objects.bulk_create(
        Review(
            user=user,
            prompt=prompt,
            rating=1 + (number + days) % 4,
            state_after=2,
            after={},
            reviewed_at=now - dt.timedelta(days=days),
        )
        for number, user in enumerate(users)
        for prompt in prompts
        for days in (1, 8, 40)
    )


ROSTER_PAGES = (
    "/analytics/learners/",
    "/analytics/learners/?sort=-known",
    "/analytics/learners/?sort=last_active&page=2",
    "/analytics/learners/?lesson={lesson}&sort=-leeches",
    "/analytics/learners/{learner}/",
)


def test_the_roster_and_a_learners_page_cost_the_same_at_10_and_1000_learners(instructor):
    now = timezone.now()
    lesson = make_lesson()
    prompts = [make_card(lesson=lesson).prompts.get() for _ in range(3)]
    add_learners(10, prompts, now)
    learner = get_user_model().objects.get(username="many00001")
    tree = make_tree()
    TreeWalk.objects.create(tree=tree, walker="w", user=learner, last_node_key="start")
    client = Client()
    client.force_login(instructor)

    def counts() -> list[int]:
        found = []
        for page in ROSTER_PAGES:
            path = page.format(lesson=lesson.slug, learner=learner.pk)
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    small = counts()
    add_learners(990, prompts, now)
    # A learner's page: the roster's row for them (as above, less the count and the lessons),
    # their settings, the lessons, their mastery, hardest cards, walks and the walks' trees.
    assert counts() == small
    assert small == [8, 9, 8, 9, 13]  # sorted by known: the snapshot's time


# Practice tests (issue 17): each page the same at 3 questions and at 65 -----------------------

# The session with its user, then: a question page reads the test and its questions (each with
# its prompt, card and lesson, for the map and the question shown); an answer reads the test,
# then in its transaction (a savepoint here, inside the test's) locks it, reads and writes the
# question, and for htmx shows the next as the page does; the review page reads the test and
# its questions; the result page the same, every option's verdict worked out from the prompts
# already read; past tests are one query.
PRACTICE_BUDGETS = {
    ("get", "{test}/1/", False): 3,
    ("post", "{test}/1/", False): 7,
    ("post", "{test}/1/", True): 8,
    ("get", "{test}/review/", False): 3,
    ("get", "{done}/result/", False): 3,
    ("get", "", False): 2,
}


def test_the_practice_pages_keep_their_query_budget_as_a_test_grows(learner):
    client = Client()
    client.force_login(learner)

    def counts(size: int) -> dict:
        prompts = four_option_questions(size)
        scope = PracticeScope("lesson", prompts[0].card.lesson.slug, "Questions")
        now = timezone.now()
        tests = [
            attempt_start(
                user=learner,
                scope=scope,
                count=size,
                timed=True,
                # A minute apart: a second start within moments resumes the first.
                now=now - dt.timedelta(minutes=minutes),
                seconds_per_question=120,
            )
            for minutes in (0, 1)
        ]
        for position in range(1, size + 1):
            answer_save(attempt=tests[1], position=position, picks="A", flagged=False, now=now)
        attempt_submit(attempt=tests[1], now=now)
        found = {}
        for method, page, htmx in PRACTICE_BUDGETS:
            path = "/practice/" + page.format(test=tests[0].pk, done=tests[1].pk)
            extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            data = {"picks": "B", "flagged": "1", "go": "next"} if method == "post" else None
            client.get("/practice/")
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(path, data, **extra)
            assert response.status_code in (200, 302), (path, response.status_code)
            found[(method, page, htmx)] = len(captured.captured_queries)
        return found

    small = counts(3)
    assert counts(65) == small
    assert small == PRACTICE_BUDGETS


# A question in a study session (issue 17) ------------------------------------------------------

# (method, path, htmx): queries, for a learner whose next card is a new question. The front
# and its checked back each cost one query more than a card's front and revealed back: the
# answer checked at this version of the learner's state, which is what shows the back (so a
# reload after a check shows it, rather than asking again). The check POST looks for that
# answer, logs one if there is none, and answers with the back.
QUESTION_BUDGETS = {
    ("get", "/study/", False): 7,
    ("get", "/study/", True): 6,
    ("get", "/study/?reveal=", True): 6,
    ("post", "/study/check/", True): 15,
}


def test_a_question_keeps_the_study_pages_budget_and_its_check_has_its_own():
    def measure_for(user, *, question: bool) -> dict:
        client = Client()
        client.force_login(user)
        client.get("/study/")  # the session exists from here on
        counts = {}
        for method, path, htmx in QUESTION_BUDGETS:
            if path == "/study/check/" and not question:
                continue
            extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            page = client.get("/study/").content.decode()
            token = re.search(r'name="token" value="([^"]+)"', page)[1]
            if question and path.endswith("?reveal="):
                client.post("/study/check/", {"token": token, "pick": "A"})
            if path == "/study/check/":
                Answer.objects.filter(user=user).delete()  # the check measured logs an answer
            with CaptureQueriesContext(connection) as captured:
                if method == "post":
                    response = client.post(path, {"token": token, "pick": "B"}, **extra)
                elif path.endswith("?reveal="):
                    response = client.get("/study/", {"reveal": token}, **extra)
                else:
                    response = client.get(path, **extra)
            assert response.status_code == 200, (path, response.status_code)
            counts[(method, path, htmx)] = len(captured.captured_queries)
        return counts

    card_learner, question_learner = make_user(username="cards"), make_user(username="asks")
    basic = make_lesson(title="Basics")
    make_card(lesson=basic, front="A card?", back="An answer.")
    asked = make_lesson(title="Questions", body="## Snapshots\n\ntext\n")
    make_question(lesson=asked)
    # Each learner sees one lesson's card: the other lesson's is suspended for them.
    for user, other in ((card_learner, asked), (question_learner, basic)):
        prompt_ids = list(other.cards.values_list("prompts__id", flat=True))
        cards_act(user=user, action="suspend", prompt_ids=prompt_ids, now=timezone.now())

    cards = measure_for(card_learner, question=False)
    questions = measure_for(question_learner, question=True)
    assert questions[("get", "/study/", False)] == cards[("get", "/study/", False)] + 1
    assert questions[("get", "/study/", True)] == cards[("get", "/study/", True)] + 1
    assert (
        questions[("get", "/study/?reveal=", True)] == cards[("get", "/study/?reveal=", True)] + 1
    )
    assert questions == QUESTION_BUDGETS
    # The answer log's size changes nothing.
    prompt = asked.cards.get().prompts.get()
    Answer.objects.bulk_create(
        Answer(
            user=question_learner,
            prompt=prompt,
            content_hash=prompt.content_hash,
            chosen="A",
            is_right=False,
            source="study",
            answered_at=timezone.now(),
            showing=f"{prompt.pk}:0:{number}",
        )
        for number in range(300)
    )
    assert measure_for(question_learner, question=True) == QUESTION_BUDGETS


# The review of a lesson's suggested cards (issue 21, notes/admin.py) ---------------------------

# The session with its user, the permissions (the user's and the groups'), the lesson (its waiting
# count a subquery of it) and its suggestions with who decided each: each suggestion's card is
# drawn from the row itself (flashcards/preview.py), and the section from the lesson's headings.
SUGGESTIONS_BUDGET = 5


def note_with_facts(count: int) -> bytes:
    facts = "\n".join(f"- Fact {number}: **value {number}**." for number in range(count))
    return f"# Many facts\n\n**Source:** Notes\n\n## Facts\n\n{facts}\n".encode()


def test_the_suggestions_review_costs_the_same_at_4_and_40_suggestions(instructor):
    client = Client()
    client.force_login(instructor)
    counts = []
    for count in (4, 40):
        notes_import(files=[NoteFile(name="facts.md", data=note_with_facts(count))], suggest=True)
        lesson = Lesson.objects.get(slug="many-facts")
        decided = Suggestion.objects.filter(lesson=lesson).pending()
        decided.filter(pk__in=list(decided.values_list("pk", flat=True)[:2])).update(
            status="rejected", decided_by=instructor
        )
        path = f"/admin/lessons/lesson/{lesson.pk}/suggestions/"
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        assert response.content.decode().count('class="module suggestion ') == count
        counts.append(len(captured.captured_queries))
    assert counts == [SUGGESTIONS_BUDGET, SUGGESTIONS_BUDGET]
