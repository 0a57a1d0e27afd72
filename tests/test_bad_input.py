"""Bad input gets a 4xx with a message that says what is wrong, and writes nothing: oversized
bodies, unknown ratings, malformed ids and tokens, malformed query strings, notes that are
not UTF-8. A malformed query string is read for its valid part instead (200), never a 500.
"""

from __future__ import annotations

import html
import re
import time
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from flashcards.models import Card, PromptMark, PromptState, Review, StudySettings
from flashcards.tokens import TOKEN_MAX_AGE, grade_token, undo_token
from lessons.models import Lesson, Topic
from notes.parser import MAX_NOTE_BYTES
from tests.conftest import make_card, make_lesson, make_tree, make_user
from trees.models import Tree, TreeWalk

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
RATING_MESSAGE = "A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
TOO_LARGE = "This request is larger than the site accepts (2.5 MB of form data at most)."
NOTE = "# 2026-01-06 — Uploaded lesson\n\n**Source:** Upload\n\n## Part one\n\nText.\n"


@pytest.fixture
def client():
    """500s as responses, not exceptions: a test here asserts no request is ever a 500."""
    return Client(raise_request_exception=False)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def instructor_client(instructor):
    client = Client(raise_request_exception=False)
    client.force_login(instructor)
    return client


def everything() -> tuple:
    """What any of these requests could write."""
    return (
        list(PromptState.objects.order_by("pk").values()),
        list(PromptMark.objects.order_by("pk").values()),
        list(Review.objects.order_by("pk").values_list("pk", "rating")),
        list(StudySettings.objects.order_by("pk").values()),
        list(TreeWalk.objects.order_by("pk").values_list("pk", "path")),
        list(Lesson.objects.order_by("pk").values_list("slug", "title", "status", "body")),
        list(Topic.objects.order_by("pk").values_list("slug")),
        list(Tree.objects.order_by("pk").values_list("slug", "definition")),
        list(Card.objects.order_by("pk").values_list("pk", "front")),
        list(get_user_model().objects.order_by("pk").values_list("username", "password")),
    )


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page)[1])


def shown_token(client: Client) -> str:
    return hidden(client.get("/study/").content.decode(), "reveal")


# Oversized bodies ------------------------------------------------------------------------------

OVERSIZED = "x" * 3_000_000  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
@pytest.mark.parametrize(
    "path", ["/study/grade/", "/study/card/", "/study/undo/", "/study/settings/"]
)
def test_an_oversized_body_is_a_413_with_a_page_that_says_so(learner_client, path, encoding):
    make_card()
    before = everything()
    data = {"token": OVERSIZED, "rating": "3", "new_per_day": "3"}
    if encoding == "multipart":
        response = learner_client.post(path, data)
    else:
        response = learner_client.post(
            path, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    page = response.content.decode()
    assert response.status_code == 413
    assert "<html" in page and 'class="site-header"' in page
    assert TOO_LARGE in page and "Nothing was changed." in page
    assert everything() == before


def test_an_oversized_htmx_request_gets_the_message_as_text(learner_client):
    response = learner_client.post("/study/grade/", {"token": OVERSIZED, "rating": "3"}, **HTMX)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == f"{TOO_LARGE} Nothing was changed."


def test_an_oversized_sign_up_is_refused_and_creates_no_one(client):
    before = everything()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "big",
            "email": "big@example.com",
            "password1": OVERSIZED,
            "password2": OVERSIZED,
        },
    )
    assert response.status_code == 413 and TOO_LARGE in response.content.decode()
    assert everything() == before


def test_too_many_fields_is_a_400_that_says_so(learner_client):
    before = everything()
    response = learner_client.post("/study/settings/", {f"field{n}": "1" for n in range(1100)})
    assert response.status_code == 400
    assert "too many form fields (1,000 at most)" in response.content.decode()
    assert everything() == before


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/markdown")


def test_too_many_files_at_once_is_a_400_that_says_so(instructor_client):
    before = everything()
    files = [upload(f"note{n}.md", NOTE.encode()) for n in range(101)]
    response = instructor_client.post(
        "/admin/lessons/lesson/import/", {"notes": files, "topic": "Uploads"}
    )
    assert response.status_code == 400
    assert "too many files at once (100 at most)" in response.content.decode()
    assert everything() == before


def test_a_note_over_one_megabyte_is_refused_by_name(instructor_client):
    before = everything()
    big = (NOTE + "a" * MAX_NOTE_BYTES).encode()
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("good.md", NOTE.encode()), upload("huge.md", big)], "topic": "Up"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "huge.md: is 1,048,577 bytes; a note may be at most 1,048,576 bytes (1 MB)" in page
    assert "Nothing was imported." in page
    assert everything() == before


# Ratings ------------------------------------------------------------------------------------

UNKNOWN_RATINGS = ["0", "5", "-1", "abc", "3.5", "", " 3", "3 ", "²", "٣", "9" * 50, "0x3"]


@pytest.mark.parametrize("rating", [*UNKNOWN_RATINGS, None], ids=repr)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_unknown_rating_is_a_400_that_lists_the_grades(learner_client, rating, htmx):
    make_card()
    data = {"token": shown_token(learner_client)}
    if rating is not None:
        data["rating"] = rating
    before = everything()
    response = learner_client.post("/study/grade/", data, **(HTMX if htmx else {}))
    assert response.status_code == 400
    assert response.content.decode() == RATING_MESSAGE
    assert everything() == before


# Tokens ---------------------------------------------------------------------------------------


def tampered(token: str) -> str:
    """The token with one character of its payload changed."""
    index = 2 if token[2] != "A" else 3
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


def signed_long_ago(make_token, monkeypatch) -> str:
    """A token signed a little more than its lifetime ago (make_token signs it)."""
    signed_at = time.time() - TOKEN_MAX_AGE - 60
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: signed_at)
        return make_token()


def grade_tokens(learner, monkeypatch) -> dict[str, tuple[str, int, str]]:
    """Bad grade tokens: (token, status, message)."""
    prompt = make_card().prompts.get()
    good = grade_token(user_id=learner.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now())
    other = make_user()
    not_shown = "That grade did not come from a card shown to you."
    return {
        "garbage": ("garbage", 400, not_shown),
        "empty": ("", 400, not_shown),
        "truncated": (good[:-6], 400, not_shown),
        "tampered": (tampered(good), 400, not_shown),
        "an undo token": (undo_token(user_id=learner.pk, review_id=1), 400, not_shown),
        "another learner's": (
            grade_token(user_id=other.pk, prompt_id=prompt.pk, version=0, shown_at=timezone.now()),
            404,
            "That card is not in your study session.",
        ),
        "expired": (
            signed_long_ago(
                lambda: grade_token(
                    user_id=learner.pk,
                    prompt_id=prompt.pk,
                    version=0,
                    shown_at=timezone.now(),
                ),
                monkeypatch,
            ),
            400,
            "This card was shown too long ago; here it is again.",
        ),
    }


@pytest.mark.parametrize(
    "kind",
    ["garbage", "empty", "truncated", "tampered", "an undo token", "another learner's", "expired"],
)
def test_a_bad_grade_token_is_refused_and_writes_nothing(
    learner_client, learner, monkeypatch, kind
):
    token, status, message = grade_tokens(learner, monkeypatch)[kind]
    before = everything()
    for extra in ({}, HTMX):
        response = learner_client.post("/study/grade/", {"token": token, "rating": "3"}, **extra)
        assert response.status_code == status
        assert response.content.decode() == message
    assert everything() == before


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "truncated",
        "tampered",
        "a grade token",
        "another learner's",
        "expired",
        "not the latest",
        "no such review",
    ],
)
def test_a_bad_undo_token_is_refused_and_writes_nothing(learner_client, learner, monkeypatch, kind):
    make_card()
    make_card()
    learner_client.post("/study/grade/", {"token": shown_token(learner_client), "rating": "3"})
    first = Review.objects.get()
    learner_client.post("/study/grade/", {"token": shown_token(learner_client), "rating": "3"})
    latest = Review.objects.latest("id")
    good = undo_token(user_id=learner.pk, review_id=latest.pk)
    other = make_user()
    tokens = {
        "garbage": (good.replace(":", "")[:40], 400, "There is nothing to undo."),
        "truncated": (good[:-4], 400, "There is nothing to undo."),
        "tampered": (tampered(good), 400, "There is nothing to undo."),
        "a grade token": (
            grade_token(
                user_id=learner.pk, prompt_id=latest.prompt_id, version=1, shown_at=timezone.now()
            ),
            400,
            "There is nothing to undo.",
        ),
        "another learner's": (
            undo_token(user_id=other.pk, review_id=latest.pk),
            404,
            "There is nothing of yours to undo.",
        ),
        "expired": (
            signed_long_ago(
                lambda: undo_token(user_id=learner.pk, review_id=latest.pk), monkeypatch
            ),
            400,
            "There is nothing to undo.",
        ),
        "not the latest": (
            undo_token(user_id=learner.pk, review_id=first.pk),
            400,
            "Only your most recent grade can be undone.",
        ),
        "no such review": (
            undo_token(user_id=learner.pk, review_id=10**12),
            400,
            "Only your most recent grade can be undone.",
        ),
    }
    token, status, message = tokens[kind]
    before = everything()
    response = learner_client.post("/study/undo/", {"token": token})
    assert response.status_code == status
    assert response.content.decode() == message
    assert everything() == before


@pytest.mark.parametrize("reveal", ["garbage", "", "\x00", "a" * 10_000, "%%%", "1:2:3"])
def test_a_bad_reveal_token_just_does_not_reveal(learner_client, reveal):
    make_card(front="Front?", back="The hidden answer.")
    response = learner_client.get("/study/", {"reveal": reveal})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Front?" in page and "The hidden answer." not in page


# Query strings --------------------------------------------------------------------------------

PICK = "? a: A?\n- One -> b\n- Other -> c\n\n? b: B?\n- Two -> c\n- Three -> c\n\n= c: Done\n"


@pytest.mark.parametrize(
    ("raw", "valid_part"),
    [
        ("1.2.abc", "1.2"),
        ("1.abc.2", "1"),
        ("1.²", "1"),
        ("²", ""),
        ("٣", ""),
        ("0", ""),
        ("-1", ""),
        ("1..2", "1"),
        ("1.99", "1"),
        ("9" * 5000, ""),
        ("1." + "9" * 5000, "1"),
        (".".join(["1"] * 5000), "1.1"),
        ("1\x002", ""),
    ],
)
@pytest.mark.parametrize("page", ["tree", "lesson", "htmx"])
def test_a_malformed_tree_path_opens_at_its_valid_part(learner_client, raw, valid_part, page):
    # A learner: their steps are recorded whatever the page, and the walk shows the path read.
    client = learner_client
    tree = make_tree(slug="pick", definition=PICK)
    lesson = make_lesson(body="## Part\n\n[[tree:pick]]\n")
    path = {"tree": "/trees/pick/", "lesson": lesson.get_absolute_url(), "htmx": "/trees/pick/"}
    response = client.get(path[page], {"tree-pick": raw}, **(HTMX if page == "htmx" else {}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "does not match this tree as it is now" in body
    walk = TreeWalk.objects.filter(tree=tree).first()
    assert (walk.path if walk else "") == valid_part


@pytest.mark.parametrize(
    "query",
    [
        {"scope": "lesson:"},
        {"scope": "lesson:no-such-lesson"},
        {"scope": "tag:"},
        {"scope": "tag:\x00"},
        {"scope": "lesson:\x00bad"},
        {"scope": "lesson:" + "x" * 10_000},
        {"scope": "nonsense"},
        {"scope": "exam"},
        {"scope": "exam:"},
        {"scope": "exam:\x00"},
        {"scope": "EXAM"},
        {"scope": "exam" * 5_000},
        {"again": "garbage"},
        {"again": "²"},
        {"again": "-1"},
        {"again": "9" * 30},
        {"again": "9" * 5000},
        {"again": "1.5"},
        {"reveal": "x", "again": "x", "scope": "x:y:z"},
    ],
    ids=repr,
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_malformed_study_query_is_read_for_what_is_valid(learner_client, query, htmx):
    make_card(front="Still studied?")
    before = everything()
    response = learner_client.get("/study/", query, **(HTMX if htmx else {}))
    assert response.status_code == 200
    assert everything() == before


def test_an_unusable_scope_studies_everything_and_an_unknown_one_nothing(learner_client):
    make_card(front="Anywhere?")
    assert "Anywhere?" in learner_client.get("/study/", {"scope": "lesson:\x00"}).content.decode()
    page = learner_client.get("/study/", {"scope": "lesson:no-such-lesson"}).content.decode()
    assert "Anywhere?" not in page
    # Malformed exam scopes are unusable too; the exam scope itself has no exam cards here.
    assert "Anywhere?" in learner_client.get("/study/", {"scope": "exam:x"}).content.decode()
    assert "Anywhere?" not in learner_client.get("/study/", {"scope": "exam"}).content.decode()


def test_a_grade_posted_with_a_malformed_scope_is_applied_and_answered(learner_client):
    make_card()
    make_card()
    token = shown_token(learner_client)
    response = learner_client.post(
        "/study/grade/", {"token": token, "rating": "3", "scope": "lesson:\x00"}, **HTMX
    )
    assert response.status_code == 200
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    "q", ["a" * 10_000, "word " * 2_000, "\x00", "\x00restore", "' OR 1=1 --", "*", '"', "NEAR(a"]
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_any_search_is_answered(client, q, htmx):
    make_lesson(title="Restore paths", body="## Restore\n\nRestoring a snapshot.\n")
    response = client.get("/search/", {"q": q}, **(HTMX if htmx else {}))
    assert response.status_code == 200
    if len(q) > 200 and not htmx:
        assert "only the first 200 were searched" in response.content.decode()


@pytest.mark.parametrize(
    "current", ["http://[::1", "http://testserver/lessons/%00/", "\x00", "not a url", "http://"]
)
def test_a_malformed_hx_current_url_is_no_page(client, current):
    make_tree(slug="pick")
    for path in ("/trees/pick/?tree-pick=1", "/search/?q=pick"):
        response = client.get(path, HTTP_HX_CURRENT_URL=current, **HTMX)
        assert response.status_code == 200, path


def test_log_in_with_a_username_longer_than_anyone_has_is_a_wrong_password(client):
    response = client.post("/accounts/login/", {"username": "u" * 10_000, "password": "x" * 12})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_a_nul_in_a_username_is_a_form_error(client):
    for path, data in (
        ("/accounts/login/", {"username": "a\x00b", "password": "whatever-it-is"}),
        (
            "/accounts/signup/",
            {
                "username": "a\x00b",
                "email": "ax00b@example.com",
                "password1": "x" * 12,
                "password2": "x" * 12,
            },
        ),
    ):
        response = client.post(path, data)
        assert response.status_code == 200
        assert "Null characters are not allowed." in response.content.decode()
    assert not get_user_model().objects.exists()


# Notes that are not UTF-8 -----------------------------------------------------------------------

NOT_UTF8 = {
    "latin-1": (
        "# Café notes\n\n**Source:** Déjà vu\n\nBody.\n".encode("latin-1"),
        "is not UTF-8 text (undecodable byte at offset 5); save it as UTF-8",
    ),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "is a binary file"),
    "utf-16": (NOTE.encode("utf-16"), "is UTF-16 text, not UTF-8; save it as UTF-8"),
    "utf-16-be": ("\ufeff".encode("utf-16-be") + NOTE.encode("utf-16-be"), "is UTF-16 text"),
    "utf-32": (NOTE.encode("utf-32"), "is UTF-32 text, not UTF-8; save it as UTF-8"),
}


@pytest.mark.parametrize("kind", NOT_UTF8)
def test_the_admin_upload_refuses_a_note_that_is_not_utf8_by_name(instructor_client, kind):
    data, message = NOT_UTF8[kind]
    before = everything()
    response = instructor_client.post(
        "/admin/lessons/lesson/import/",
        {"notes": [upload("fine.md", NOTE.encode()), upload("odd.md", data)], "topic": "Up"},
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"odd.md: {message}" in page and "Nothing was imported." in page
    assert everything() == before


@pytest.mark.parametrize("kind", NOT_UTF8)
def test_import_notes_refuses_a_note_that_is_not_utf8_by_name(tmp_path, kind):
    data, message = NOT_UTF8[kind]
    (tmp_path / "fine.md").write_text(NOTE, encoding="utf-8")
    (tmp_path / "odd.md").write_bytes(data)
    before = everything()
    with pytest.raises(CommandError) as raised:
        call_command("import_notes", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert str(raised.value).startswith(f"{tmp_path / 'odd.md'}: {message}")
    assert everything() == before


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (
            NOTE.replace("**Source:** Upload", "**Order:** 99999999999"),
            "line 3: Order must be a whole number of at most 9 digits, not '99999999999'",
        ),
        (
            NOTE.replace("**Source:** Upload", "**Order:** ²"),
            "line 3: Order must be a whole number of at most 9 digits, not '²'",
        ),
        (
            NOTE + "\n```flashcards\nC: Too many {{c40000::deletions}}\n```\n",
            "flashcards: a cloze card needs at least one {{c1::...}} deletion",
        ),
    ],
)
def test_numbers_too_big_to_store_are_refused_before_anything_is_written(tmp_path, note, message):
    path = tmp_path / "big-numbers.md"
    path.write_text(note, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_notes", str(path), stdout=StringIO())
    assert not Lesson.objects.exists()


# Error pages ------------------------------------------------------------------------------------


def test_the_csrf_page_says_what_to_do(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    page = client.post("/study/settings/", {"new_per_day": "3"})
    assert page.status_code == 403
    body = page.content.decode()
    assert "<html" in body and "Form expired" in body and "Reload the page and try again" in body
    fragment = client.post("/study/grade/", {"rating": "3"}, **HTMX)
    assert fragment.status_code == 403 and fragment["Content-Type"].startswith("text/plain")
    assert "Reload the page and try again." in fragment.content.decode()


def test_the_403_page_is_in_the_sites_style(learner_client):
    response = learner_client.get("/analytics/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="site-header"' in body and "may not see this page" in body


def test_a_malformed_multipart_body_is_a_400_that_says_so(learner_client):
    response = learner_client.post(
        "/study/grade/",
        data=b'--zzz\r\nContent-Disposition: form-data; name="rating"\r\n\r\n3\r\n',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
