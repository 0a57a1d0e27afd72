"""Which trees learners may see: a tree whose every host lesson is a draft is a draft."""

from __future__ import annotations

import pytest

from lessons.models import Lesson
from tests.conftest import make_lesson, make_tree
from trees.models import Tree

pytestmark = pytest.mark.django_db

DRAFT = Lesson.Status.DRAFT


def drafts() -> dict[str, bool]:
    return dict(Tree.objects.with_draft_flag().values_list("slug", "is_draft"))


def public() -> set[str]:
    return set(Tree.objects.public().values_list("slug", flat=True))


def test_a_tree_placed_only_in_draft_lessons_is_a_draft():
    make_tree(slug="ways")
    make_lesson(status=DRAFT, body="Intro.\n\n[[tree:ways]]\n")
    make_lesson(status=DRAFT, body="[[tree:ways]]\n")
    assert drafts() == {"ways": True}
    assert public() == set()


def test_one_published_host_makes_the_tree_public():
    make_tree(slug="ways")
    make_lesson(status=DRAFT, body="[[tree:ways]]\n")
    lesson = make_lesson(body="[[tree:ways]]\n")
    assert drafts() == {"ways": False} and public() == {"ways"}
    lesson.status = DRAFT
    lesson.save()
    assert drafts() == {"ways": True}


def test_a_tree_placed_nowhere_stays_public():
    make_tree(slug="ways")
    make_lesson(status=DRAFT, body="No tree here.\n")
    assert drafts() == {"ways": False} and public() == {"ways"}


def test_a_tree_imported_from_a_draft_note_is_a_draft_even_once_its_marker_is_gone():
    make_lesson(status=DRAFT, imported_from="secret.md", body="Marker edited out.\n")
    make_lesson(imported_from="other.md")
    make_tree(slug="ways", imported_from="secret.md")
    # A tree made in the admin has no note: lessons made there do not host it.
    make_tree(slug="admin-made", imported_from="")
    make_lesson(status=DRAFT, imported_from="")
    assert drafts() == {"ways": True, "admin-made": False}
    Lesson.objects.filter(imported_from="secret.md").update(status=Lesson.Status.PUBLISHED)
    assert drafts() == {"ways": False, "admin-made": False}


def test_only_a_real_marker_for_that_very_tree_makes_a_host():
    make_tree(slug="ways")
    make_tree(slug="ways-two")
    # A marker shown in a code block is text, and a longer slug names another tree.
    make_lesson(status=DRAFT, body="```\n[[tree:ways]]\n```\n\n[[tree:ways-two]]\n")
    assert drafts() == {"ways": False, "ways-two": True}
