"""Reading lessons: home, topic and lesson pages, drafts, and the lesson page's query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lessons.models import Lesson
from tests.conftest import make_lesson, make_topic, make_tree

pytestmark = pytest.mark.django_db


def test_home_lists_topics_with_their_published_lessons(client):
    topic = make_topic(title="Amazon RDS & Aurora")
    make_lesson(topic=topic, title="Backups", position=1)
    make_lesson(topic=topic, title="Secret draft", status=Lesson.Status.DRAFT)
    make_topic(title="Topic with nothing published")
    html = client.get("/").content.decode()
    assert "Amazon RDS &amp; Aurora" in html
    assert "Backups" in html
    assert "Secret draft" not in html
    assert "Topic with nothing published" not in html


def test_instructors_see_drafts_marked_on_the_home_page(instructor_client):
    make_lesson(title="Secret draft", status=Lesson.Status.DRAFT)
    html = instructor_client.get("/").content.decode()
    assert "Secret draft" in html
    assert "badge--draft" in html


def test_topic_page_lists_its_lessons_in_order(client):
    topic = make_topic(title="Security")
    make_lesson(topic=topic, title="Second", position=2)
    make_lesson(topic=topic, title="First", position=1)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.index("First") < html.index("Second")
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_lesson_page_has_contents_with_matching_anchors_breadcrumbs_and_neighbours(client):
    topic = make_topic(title="Backups topic")
    before = make_lesson(topic=topic, title="Before", position=1)
    lesson = make_lesson(
        topic=topic,
        title="Middle",
        position=2,
        body="## Automated backups\n\ntext\n\n### On Aurora\n\nmore\n",
    )
    after = make_lesson(topic=topic, title="After", position=3)
    html = client.get(lesson.get_absolute_url()).content.decode()

    assert '<h2 id="automated-backups">Automated backups</h2>' in html
    assert '<a href="#automated-backups">Automated backups</a>' in html
    assert '<a href="#on-aurora">On Aurora</a>' in html
    assert 'aria-label="Breadcrumb"' in html
    assert f'<a href="{topic.get_absolute_url()}">Backups topic</a>' in html
    assert f'href="{before.get_absolute_url()}" rel="prev"' in html
    assert f'href="{after.get_absolute_url()}" rel="next"' in html


def test_previous_and_next_cross_topics_in_reading_order(client):
    first_topic = make_topic(position=1)
    second_topic = make_topic(position=2)
    last_of_first = make_lesson(topic=first_topic, position=9)
    first_of_second = make_lesson(topic=second_topic, position=1)
    make_lesson(topic=second_topic, position=2, status=Lesson.Status.DRAFT)

    html = client.get(first_of_second.get_absolute_url()).content.decode()
    assert f'href="{last_of_first.get_absolute_url()}" rel="prev"' in html
    assert 'rel="next"' not in html  # the only later lesson is a draft
    html = client.get(last_of_first.get_absolute_url()).content.decode()
    assert 'rel="prev"' not in html
    assert f'href="{first_of_second.get_absolute_url()}" rel="next"' in html


def test_lessons_with_equal_positions_still_have_a_total_order(client):
    topic = make_topic()
    lessons = [make_lesson(topic=topic, title="Same", position=1) for _ in range(3)]
    middle = client.get(lessons[1].get_absolute_url()).content.decode()
    assert f'href="{lessons[0].get_absolute_url()}" rel="prev"' in middle
    assert f'href="{lessons[2].get_absolute_url()}" rel="next"' in middle


def test_drafts_are_not_found_for_visitors_and_learners(client, learner):
    draft = make_lesson(status=Lesson.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(learner)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_drafts_are_a_preview_for_instructors(instructor_client):
    draft = make_lesson(status=Lesson.Status.DRAFT, body="## Draft body\n")
    response = instructor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview." in response.content.decode()
    assert "Draft body" in response.content.decode()


def test_missing_lesson_is_not_found(client):
    assert client.get("/lessons/no-such-lesson/").status_code == 404


def test_lesson_body_is_wrapped_in_hx_disable(client):
    lesson = make_lesson()
    assert (
        '<div class="prose" hx-disable>' in client.get(lesson.get_absolute_url()).content.decode()
    )


def test_page_views_render_stored_html_without_running_markdown(client, monkeypatch):
    lesson = make_lesson(body="## Stored\n")

    def fail(*args, **kwargs):
        raise AssertionError("a page view rendered Markdown")

    monkeypatch.setattr("lessons.models.render_markdown", fail)
    assert client.get(lesson.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("as_instructor", [False, True])
def test_page_query_counts_stay_constant_as_lessons_grow(client, instructor, as_instructor):
    if as_instructor:
        client.force_login(instructor)
    topic = make_topic()
    lessons = [make_lesson(topic=topic) for _ in range(3)]
    middle = lessons[1].get_absolute_url()
    small = {url: count_queries(client, url) for url in ("/", topic.get_absolute_url(), middle)}

    for index in range(40):
        make_lesson(topic=topic if index % 2 else make_topic())
    large = {url: count_queries(client, url) for url in small}
    assert large == small
    # The lesson, the reading order (for the neighbours) and the lesson's card count (for
    # mastery); signed in, the session with its user and the user's and group permissions (for
    # draft previews) come first, and the study settings (the exam day sets when "known" is
    # measured) before the mastery query, which reads the learner's states in the same query.
    # A visitor reads the content version first (pagecache), which is all a revalidation or a
    # cached page costs.
    assert small[middle] == (7 if as_instructor else 4)


def test_a_trees_read_more_in_a_lesson_leaves_out_draft_lessons_for_learners(client, instructor):
    make_lesson(slug="secret", status=Lesson.Status.DRAFT, body="## Part\n\nHidden.\n")
    definition = "? q: Which?\n- A -> a\n- B -> a\n\n= a: Done\nlink: secret#part\n"
    make_tree(slug="ways", definition=definition)
    make_lesson(slug="guide", body="## Intro\n\n[[tree:ways]]\n")
    assert "/lessons/secret/" not in client.get("/lessons/guide/?tree-ways=1").content.decode()
    client.force_login(instructor)
    page = client.get("/lessons/guide/?tree-ways=1").content.decode()
    assert 'href="/lessons/secret/#part"' in page
