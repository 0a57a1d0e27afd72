"""Notes as an import reads them: a note's text, with a decision tree or flashcards to embed."""

from __future__ import annotations

from lessons.models import Lesson
from notes.services import NoteFile, notes_import


def note_text(title="Backups", body="## Part\n\nText.\n", **fields) -> str:
    lines = [f"# 2026-01-06 — {title}", ""]
    lines += [f"**{key.capitalize()}:** {value}" for key, value in fields.items()]
    return "\n".join([*lines, "", "> Epigraph.", "", "---", "", body])


TREE = """```decision-tree
slug: ways
title: Which way?
intro: Pick one.

? first: Which way?
- Left -> left
- Right -> right

= left: Left
link: backups#part

= right: Right
```"""


CARDS = """```flashcards
section: part

Q: First?
A: One.

C: A {{c1::cloze}} card.
```"""


# A note whose emphasis suggests four cards: a definition, two bold phrases, an exam anchor.
SUGGESTING_NOTE = """# 2026-01-06 — Backups

**Source:** Notes
**Theme:** Backups

## RDS backups

**Automated backups**

- Retention: **1–35 days**.
- Can be disabled by setting retention to **0**.

## Restore

Restoring creates a **new** DB instance.

## Exam anchors

- RDS automated backups: **can be disabled**
"""


def import_suggesting_note(text: str = SUGGESTING_NOTE, slug: str = "backups") -> Lesson:
    """The note imported with suggestions on; its lesson (`slug`, made from its title)."""
    notes_import(files=[NoteFile(name=f"{slug}.md", data=text.encode())], suggest=True)
    return Lesson.objects.get(slug=slug)
