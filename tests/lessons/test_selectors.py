"""Reads for the lesson pages: topics with the lessons a reader may see, and a lesson with its
neighbours in reading order."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from lessons.models import Lesson
from lessons.selectors import (
    Neighbour,
    lesson_page_for_reader,
    topic_for_reader,
    topics_for_reader,
)
from tests.conftest import make_lesson, make_topic

pytestmark = pytest.mark.django_db

VISITOR = AnonymousUser()


def test_topics_list_the_lessons_a_reader_may_see_and_leave_out_empty_topics(instructor):
    topic, drafts_only = make_topic(), make_topic()
    later = make_lesson(topic=topic, position=2)
    first = make_lesson(topic=topic, position=1)
    draft = make_lesson(topic=drafts_only, status=Lesson.Status.DRAFT)
    shown = topics_for_reader(VISITOR)
    assert [(t, t.visible_lessons) for t in shown] == [(topic, [first, later])]
    assert [t.visible_lessons for t in topics_for_reader(instructor)] == [[first, later], [draft]]


def test_a_topic_with_nothing_to_read_is_not_found(instructor):
    topic = make_topic()
    make_lesson(topic=topic, status=Lesson.Status.DRAFT)
    with pytest.raises(Http404):
        topic_for_reader(VISITOR, topic.slug)
    with pytest.raises(Http404):
        topic_for_reader(VISITOR, "no-such-topic")
    assert topic_for_reader(instructor, topic.slug) == topic


def test_a_lesson_page_has_its_neighbours_in_reading_order_among_what_the_reader_sees(
    instructor,
):
    topic = make_topic()
    one = make_lesson(topic=topic, position=1)
    hidden = make_lesson(topic=topic, position=2, status=Lesson.Status.DRAFT)
    three = make_lesson(topic=topic, position=3)
    page = lesson_page_for_reader(VISITOR, one.slug)
    assert page.lesson == one and page.previous is None
    assert page.next == Neighbour(three.slug, three.title)
    last = lesson_page_for_reader(VISITOR, three.slug)
    assert last.previous == Neighbour(one.slug, one.title) and last.next is None
    assert lesson_page_for_reader(instructor, one.slug).next.slug == hidden.slug
    assert last.previous.get_absolute_url() == f"/lessons/{one.slug}/"


def test_a_draft_or_missing_lesson_is_not_found_by_a_visitor():
    draft = make_lesson(status=Lesson.Status.DRAFT)
    for slug in (draft.slug, "no-such-lesson"):
        with pytest.raises(Http404):
            lesson_page_for_reader(VISITOR, slug)
