"""A learner's private notes: theirs alone to read and study, nobody else's anywhere.

The owner imports a note; another learner, a visitor and an instructor then look for it
everywhere the site shows lessons or cards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flashcards.models import Card, Prompt, PromptState, Review, Tag
from lessons.models import Lesson, Topic
from lessons.services import LessonNotYours, lesson_upsert_from_note
from notes.models import Suggestion
from notes.parser import read_note
from notes.private import (
    private_lesson_delete,
    private_notes_delete_all,
    private_notes_delete_each,
    private_notes_of,
)
from notes.services import NoteFile, NotesImportError, notes_import
from practice.models import Attempt
from practice.selectors import scope_resolve
from practice.services import attempt_start
from search.models import Entry
from search.selectors import search
from tests.conftest import grade_now, make_card, make_lesson, make_tree, make_user
from tests.notes.conftest import note_text
from tests.practice.conftest import four_option_questions, question_text

pytestmark = pytest.mark.django_db

BODY = (
    "## Backups\n\n"
    "- Retention is **1 to 35 days** for automated quaggabackups.\n"
    "- Walrusdump: a tool that copies a whole zebrabase at once.\n"
)
SECRET = "quaggabackups"  # a word only the private note has


def private_import(owner, *, title="Quagga notes", body=BODY, topic="My notes"):
    result = notes_import(
        files=[NoteFile("quagga.md", note_text(title=title, body=body).encode())],
        owner=owner,
        default_topic=topic,
        accept_suggestions=True,
    )
    slug = next(change.slug for change in result.changes if change.kind == "lesson")
    return Lesson.objects.select_related("topic").get(slug=slug)


@pytest.fixture
def owner(db):
    return make_user(username="owner")


@pytest.fixture
def note(owner):
    return private_import(owner)


@pytest.fixture(params=["visitor", "other learner", "instructor"])
def outsider(request, client, db):
    """A client that is not the owner: a visitor, another learner, an instructor."""
    if request.param == "other learner":
        client.force_login(make_user(username="other"))
    elif request.param == "instructor":
        client.force_login(request.getfixturevalue("instructor"))
    return client


def test_the_import_makes_a_published_lesson_with_cards_in_the_owners_private_topic(owner, note):
    assert note.topic.owner == owner and note.slug.endswith(f"-u{owner.pk}")
    assert note.status == Lesson.Status.PUBLISHED
    assert Card.objects.filter(lesson=note, is_active=True).count() == 2


def test_outsiders_get_a_404_on_the_private_lesson_and_its_topic(outsider, note):
    assert outsider.get(note.get_absolute_url()).status_code == 404
    assert outsider.get(note.topic.get_absolute_url()).status_code == 404


def test_outsiders_never_see_it_in_the_lesson_lists_or_search(outsider, note):
    assert note.title not in outsider.get("/").content.decode()
    found = outsider.get("/search/", {"q": SECRET}).content.decode()
    assert note.slug not in found and note.title not in found and "35 days" not in found
    signed_in = outsider.session.get("_auth_user_id")
    searcher = get_user_model().objects.get(pk=signed_in) if signed_in else None
    assert search(SECRET, user=searcher).total == 0


def test_signed_in_outsiders_cannot_study_or_test_on_it_nor_see_its_cards(client, note):
    client.force_login(make_user(username="other"))
    assert client.get("/practice/new/", {"scope": f"lesson:{note.slug}"}).status_code == 404
    assert client.get("/practice/new/", {"scope": f"topic:{note.topic.slug}"}).status_code == 404
    study = client.get("/study/", {"scope": f"lesson:{note.slug}"}).content.decode()
    assert SECRET not in study
    assert SECRET not in client.get("/study/").content.decode()
    cards = client.get("/study/cards/", {"q": "zebrabase"}).content.decode()
    assert "Walrusdump" not in cards and note.title not in cards
    assert note.title not in client.get("/progress/").content.decode()


def test_the_owner_reads_finds_and_studies_it_right_after_the_import(client, owner, note):
    client.force_login(owner)
    assert client.get(note.get_absolute_url()).status_code == 200
    assert client.get(note.topic.get_absolute_url()).status_code == 200
    assert note.title in client.get("/").content.decode()
    assert SECRET in client.get("/search/", {"q": SECRET}).content.decode()
    assert "Walrusdump" in client.get("/study/cards/", {"q": "zebrabase"}).content.decode()
    study = client.get("/study/", {"scope": f"lesson:{note.slug}"}).content.decode()
    assert "zebrabase" in study or SECRET in study  # the first card, ready now
    assert note.title in client.get("/progress/").content.decode()


def test_an_instructors_draft_preview_does_not_reach_a_learners_private_lesson(
    instructor, instructor_client, note
):
    draft = make_lesson(status=Lesson.Status.DRAFT)
    previewed = set(Lesson.objects.visible_to(instructor).values_list("pk", flat=True))
    assert draft.pk in previewed and note.pk not in previewed
    assert instructor_client.get(note.get_absolute_url()).status_code == 404


def test_instructors_analytics_leave_out_learners_private_cards(instructor_client, owner, note):
    public = make_card(front="Public walrusfront?", back="Yes.")
    now = timezone.now()
    for prompt in [*Prompt.objects.filter(card__lesson=note), public.prompts.get()]:
        grade_now(owner, prompt, 1, now)
    page = instructor_client.get(f"/analytics/learners/{owner.pk}/").content.decode()
    assert "walrusfront" in page  # the public card the owner failed is listed
    assert SECRET not in page and "zebrabase" not in page and note.title not in page
    overview = instructor_client.get("/analytics/").content.decode()
    assert SECRET not in overview and note.title not in overview


def test_a_private_lesson_placing_a_draft_tree_does_not_publish_it(client, owner):
    draft_host = make_lesson(status=Lesson.Status.DRAFT, body="## A\n\n[[tree:hidden-way]]\n")
    tree = make_tree(slug="hidden-way")
    assert draft_host and client.get(f"/trees/{tree.slug}/").status_code == 404
    private_import(owner, body="## Part\n\n[[tree:hidden-way]]\n\nText.\n")
    assert client.get(f"/trees/{tree.slug}/").status_code == 404


def test_a_private_lesson_placing_a_public_tree_does_not_make_it_a_draft(client, owner):
    tree = make_tree(slug="open-way")  # placed nowhere: public
    assert client.get(f"/trees/{tree.slug}/").status_code == 200
    private_import(owner, body="## Part\n\n[[tree:open-way]]\n\nText.\n")
    assert client.get(f"/trees/{tree.slug}/").status_code == 200


def test_the_site_import_refuses_a_slug_or_topic_of_a_learners_private_note(note):
    own_slug = note_text(title="Anything", slug=note.slug)
    with pytest.raises(NotesImportError) as refused:
        notes_import(files=[NoteFile("sneaky.md", own_slug.encode())])
    assert f"'{note.slug}' is taken" in str(refused.value)
    in_their_topic = note_text(title="Anything else", topic=f"My notes u{note.topic.owner_id}")
    with pytest.raises(NotesImportError) as refused:
        notes_import(files=[NoteFile("sneaky.md", in_their_topic.encode())])
    assert f"'{note.topic.slug}' is taken" in str(refused.value)
    assert Lesson.objects.get(pk=note.pk).title == note.title
    assert not Lesson.objects.filter(topic=note.topic).exclude(pk=note.pk).exists()


def test_reimporting_the_same_note_updates_it_without_proposing_decided_cards_again(owner, note):
    rejected = Suggestion.objects.filter(lesson=note).first()
    rejected.status = Suggestion.Status.REJECTED
    rejected.save()
    again = private_import(owner, body=BODY + "- Extra: **more facts** here today.\n")
    assert again.pk == note.pk
    assert Suggestion.objects.get(pk=rejected.pk).status == Suggestion.Status.REJECTED
    assert Card.objects.filter(lesson=note, is_active=True).count() == 3


def test_my_notes_lists_only_the_learners_own_with_their_card_counts(owner, note):
    private_import(make_user(), title="Someone else's")
    (row,) = private_notes_of(owner)
    assert (row.slug, row.cards, row.topic) == (note.slug, 2, "My notes")


def test_deleting_a_note_removes_its_cards_their_history_suggestions_and_search_rows(owner, note):
    prompt = Prompt.objects.filter(card__lesson=note).first()
    grade_now(owner, prompt, 3, timezone.now() - dt.timedelta(minutes=5))
    keep = make_card()
    assert private_lesson_delete(owner=owner, slug=note.slug) == note.title
    assert not Lesson.objects.filter(pk=note.pk).exists()
    assert not Topic.objects.filter(owner=owner).exists()
    assert not Card.objects.filter(lesson_id=note.pk).exists()
    assert not PromptState.objects.filter(user=owner).exists()
    assert not Review.objects.filter(user=owner).exists()
    assert not Suggestion.objects.filter(lesson_id=note.pk).exists()
    assert not Entry.objects.filter(lesson_id=note.pk).exists()
    assert Card.objects.filter(pk=keep.pk).exists()


def test_nobody_deletes_a_note_that_is_not_theirs(note):
    with pytest.raises(Lesson.DoesNotExist):
        private_lesson_delete(owner=make_user(), slug=note.slug)
    assert Lesson.objects.filter(pk=note.pk).exists()


def test_all_of_a_learners_notes_go_when_asked(owner, note):
    other = private_import(make_user(), title="Kept")
    assert private_notes_delete_all(owner=owner) == 1
    assert not Topic.objects.filter(owner=owner).exists()
    assert Lesson.objects.filter(pk=other.pk).exists()


def test_an_accounts_notes_go_one_by_one_before_the_account_itself(owner, note, monkeypatch):
    from accounts import services as accounts

    private_import(owner, title="Second note")
    other = private_import(make_user(), title="Kept")

    def refuse(**kwargs):
        raise RuntimeError("the account's own transaction failed")

    monkeypatch.setattr(accounts, "_account_rows_delete", refuse)
    with pytest.raises(RuntimeError):
        accounts.account_delete(user=owner)
    # Each note went in its own transaction; the account's failure did not bring them back.
    assert not Lesson.objects.filter(topic__owner=owner).exists()
    assert get_user_model().objects.filter(pk=owner.pk).exists()
    assert Lesson.objects.filter(pk=other.pk).exists()
    assert private_notes_delete_each(owner=owner) == 0


def test_a_changed_fact_retires_its_old_card_when_the_note_is_imported_again(owner, note):
    old = Card.objects.get(lesson=note, front__contains="1 to 35 days")
    changed = private_import(owner, body=BODY.replace("1 to 35 days", "1 to 30 days"))

    active = list(
        Card.objects.filter(lesson=changed, is_active=True).values_list("front", flat=True)
    )
    assert any("1 to 30 days" in front for front in active)
    assert not any("1 to 35 days" in front for front in active)
    old.refresh_from_db()
    assert not old.is_active and not old.prompts.filter(is_active=True).exists()
    assert not Suggestion.objects.filter(card=old).exists()  # its sentence is gone


def test_tags_of_a_private_notes_cards_are_left_out_with_a_warning(owner):
    body = "## Part\n\n```flashcards\ntags: divorce-planning\n\nQ: Private?\nA: Yes.\n```\n"
    result = notes_import(
        files=[NoteFile("tagged.md", note_text(title="Tagged", body=body).encode())], owner=owner
    )
    assert not Tag.objects.filter(slug="divorce-planning").exists()
    assert Card.objects.get(front="Private?").tags.count() == 0
    assert any("tagged.md: its cards' tags are left out" in w for w in result.warnings)


def test_the_write_phase_refuses_a_lesson_of_another_owner_made_meanwhile(owner):
    note = read_note(note_text(title="Raced").encode())
    mine = dataclasses.replace(note, slug=f"raced-u{owner.pk}")
    make_lesson(slug=mine.slug)  # the site's lesson, made after the planning read
    with pytest.raises(LessonNotYours):
        lesson_upsert_from_note(note=mine, name="r.md", default_topic="T", status=None, owner=owner)
    private = private_import(owner, title="Taken back")
    site_note = dataclasses.replace(note, slug=private.slug)
    with pytest.raises(LessonNotYours):
        lesson_upsert_from_note(note=site_note, name="s.md", default_topic="T", status=None)


def test_deleting_a_note_reads_no_lesson_or_card_text(owner, note):
    with CaptureQueriesContext(connection) as queries:
        private_lesson_delete(owner=owner, slug=note.slug)
    reads = [
        query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")
    ]
    assert any("lessons_lesson" in sql for sql in reads)
    for column in ('"body"', '"body_html"', '"front"', '"back"', '"summary"'):
        assert not [sql for sql in reads if column in sql], column


def test_deleting_a_note_deletes_the_practice_tests_drawn_from_it_alone(owner):
    """A test whose questions all came from the note goes with it (it would be listed under
    the note's title with nothing in it); one drawn from several lessons keeps the others'."""
    questions = "\n```questions\n" + question_text(1) + "\n" + question_text(2) + "```\n"
    note = private_import(owner, body=BODY + questions)
    (public,) = four_option_questions(1)
    now = timezone.now()

    def start(user, scope, count):
        return attempt_start(
            user=user,
            scope=scope_resolve(scope, user),
            count=count,
            timed=False,
            now=now,
            seconds_per_question=60,
        )

    from_note = start(owner, f"lesson:{note.slug}", 2)
    mixed = start(owner, "all", 3)
    other = make_user()
    theirs = start(other, "all", 1)
    private_lesson_delete(owner=owner, slug=note.slug)
    assert not Attempt.objects.filter(pk=from_note.pk).exists()
    kept = Attempt.objects.get(pk=mixed.pk).questions.values_list("prompt", flat=True)
    assert list(kept) == [public.pk]
    assert Attempt.objects.get(pk=theirs.pk).questions.count() == 1


def test_the_cap_on_private_notes_holds_when_two_imports_race(owner, note, monkeypatch):
    from notes import services

    monkeypatch.setattr(services, "MAX_PRIVATE_LESSONS", 1)
    planned = services._as_private

    def planned_before_the_other_import_wrote(parsed, **kwargs):
        private, problems, warnings = planned(parsed, **kwargs)
        return private, [p for p in problems if "at most" not in p.message], warnings

    monkeypatch.setattr(services, "_as_private", planned_before_the_other_import_wrote)
    with pytest.raises(NotesImportError) as refused:
        private_import(owner, title="One too many")
    assert "you would have 2 notes of your own; one person may keep at most 1" in str(refused.value)
    assert Lesson.objects.filter(topic__owner=owner).count() == 1


def test_a_learners_import_refuses_an_address_that_is_the_sites_or_another_learners(owner):
    site_lesson = make_lesson(slug=f"claimed-u{owner.pk}")
    with pytest.raises(NotesImportError) as refused:
        private_import(owner, title="Claimed")
    assert f"quagga.md: its lesson's address '{site_lesson.slug}' is taken" in str(refused.value)
    Topic.objects.create(title="Site", slug=f"mine-u{owner.pk}")
    with pytest.raises(NotesImportError) as refused:
        private_import(owner, title="Fresh", topic="Mine")
    assert f"quagga.md: its topic's address 'mine-u{owner.pk}' is taken" in str(refused.value)
    assert not Lesson.objects.filter(topic__owner=owner).exists()
