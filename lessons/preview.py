"""The lesson as learners will see it, from the admin form as typed (portal/preview.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.text import slugify

from flashcards.preview import InlineCardPreview
from lessons.models import Lesson
from lessons.selectors import BodyPart, lesson_body_parts
from portal.markdown import EMBED_MARKER, nesting_problem
from portal.problems import Problem


@dataclass
class LessonPreview:
    lesson: Lesson  # unsaved: body_html and toc rendered as saving would
    body_parts: list[BodyPart] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    drawable: bool = True  # False when the body cannot be rendered at all
    cards: list[InlineCardPreview] = field(default_factory=list)  # written under the lesson

    def context(self) -> dict | None:
        if not self.drawable:
            return None
        # The lesson page's own context names; a preview always shows a missing tree's warning.
        return {
            "lesson": self.lesson,
            "body_parts": self.body_parts,
            "can_edit_trees": True,
            "cards": self.cards,
        }


def lesson_preview(*, data: Mapping[str, str], user, saved_pk: int | None = None) -> LessonPreview:
    """The lesson the form `data` describes, rendered as saving renders it (Lesson.render: the
    one Markdown and sanitizer path), its trees drawn at their first step. Writes nothing.

    `saved_pk` is the lesson an edit page previews: the unsaved copy takes its id, so that the
    cards already saved under it bind to it as they do when the form is saved."""
    lesson = Lesson(
        pk=saved_pk,
        title=data.get("title", "").strip() or "Untitled lesson",
        slug=slugify(data.get("slug", "")) or "new-lesson",
        summary=data.get("summary", "").strip(),
        source=data.get("source", "").strip(),
        theme=data.get("theme", "").strip(),
        date=_date(data.get("date", "")),
        body=data.get("body", ""),
    )
    too_deep = nesting_problem(lesson.body)
    if too_deep is not None:
        return LessonPreview(lesson=lesson, problems=[too_deep], drawable=False)
    lesson.render()
    parts = lesson_body_parts(
        body_html=lesson.body_html,
        user=user,
        page_path=reverse("lessons:lesson", args=[lesson.slug]),
        query=QueryDict(),
    )
    missing = {part.slug for part in parts if part.kind == "tree" and part.widget is None}
    return LessonPreview(lesson=lesson, body_parts=parts, problems=_missing_trees(lesson, missing))


def _missing_trees(lesson: Lesson, missing: set[str]) -> list[Problem]:
    problems = []
    for number, line in enumerate(lesson.body.split("\n"), start=1):
        match = EMBED_MARKER.match(line.strip())
        if match and match["slug"] in missing:
            message = f"[[tree:{match['slug']}]] names no tree; learners see nothing there"
            problems.append(Problem(message, number))
    return problems


def _date(value: str) -> dt.date | None:
    try:
        return parse_date(value.strip())
    except ValueError:
        return None
