"""Lessons' own logic: Markdown rendered on save, sections, who sees drafts, reading order."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from lessons.models import (
    Lesson,
    Topic,
    can_preview_drafts,
    managed_topics,
    public_lessons,
    readable_lessons,
    readable_topics,
    studyable_lessons,
)
from tests.conftest import make_lesson, make_topic, make_user

pytestmark = pytest.mark.django_db


def test_saving_renders_the_body_even_when_only_the_body_is_named():
    lesson = make_lesson(body="## One\n")
    assert lesson.toc[0]["id"] == "one"
    lesson.body = "## Two\n\nText."
    lesson.save(update_fields=["body"])
    stored = Lesson.objects.get(pk=lesson.pk)
    assert '<h2 id="two">Two</h2>' in stored.body_html
    assert [entry["id"] for entry in stored.toc] == ["two"]


def test_sections_name_every_heading_of_the_contents_nested_or_not():
    lesson = make_lesson(body="## Outer\n\n### Inner\n\n### Other\n\n## Last\n")
    assert lesson.sections() == {
        "outer": "Outer",
        "inner": "Inner",
        "other": "Other",
        "last": "Last",
    }


def test_drafts_are_visible_only_to_those_who_may_preview_them(instructor):
    published = make_lesson()
    draft = make_lesson(status=Lesson.Status.DRAFT)
    learner = make_user()
    for reader in (AnonymousUser(), learner, None):
        assert not can_preview_drafts(reader)
        assert list(Lesson.objects.visible_to(reader)) == [published]
    assert can_preview_drafts(instructor)
    assert set(Lesson.objects.visible_to(instructor)) == {published, draft}
    assert published.is_published and not draft.is_published


def test_reading_order_is_topic_by_topic_then_by_position():
    second, first = make_topic(position=2), make_topic(position=1)
    a = make_lesson(topic=second, position=1, title="A")
    b = make_lesson(topic=first, position=2, title="B")
    c = make_lesson(topic=first, position=1, title="C")
    d = make_lesson(topic=first, position=1, title="D")  # same position: title, then id
    assert list(Lesson.objects.in_reading_order()) == [c, d, b, a]


def test_who_reads_and_studies_which_lesson_is_one_rule(instructor):
    """The visibility rule in its one home: a learner's private topic is theirs alone (not a
    visitor's, another learner's or an instructor's); drafts are read by previewers only and
    studied by nobody; the QuerySet methods agree with the conditions."""
    owner, other = make_user(), make_user()
    public = make_lesson()
    draft = make_lesson(status=Lesson.Status.DRAFT)
    private = make_lesson(topic=make_topic(owner=owner))
    private_draft = make_lesson(topic=private.topic, status=Lesson.Status.DRAFT)
    readers = {"visitor": AnonymousUser(), "owner": owner, "other": other, "instr": instructor}
    readable = {
        "visitor": {public},
        "owner": {public, private},
        "other": {public},
        "instr": {public, draft},
    }
    for name, reader in readers.items():
        assert set(Lesson.objects.filter(readable_lessons(reader))) == readable[name], name
        assert set(Lesson.objects.visible_to(reader)) == readable[name], name
        studyable = readable[name] - {draft}
        assert set(Lesson.objects.filter(studyable_lessons(reader))) == studyable, name
        assert set(Lesson.objects.studyable_by(reader)) == studyable, name
        topics = Topic.objects.filter(readable_topics(reader))
        assert (private.topic in topics) == (name == "owner"), name
    assert set(Lesson.objects.filter(public_lessons())) == {public}
    assert set(Lesson.objects.published()) == {public}
    assert private_draft not in Lesson.objects.visible_to(owner)  # theirs, but not published
    # The admin: instructors manage the site's topics; a superuser every topic.
    assert set(Topic.objects.filter(managed_topics(instructor))) == {public.topic, draft.topic}
