"""Notes as an import reads them: a note's text, with a decision tree or flashcards to embed."""

from __future__ import annotations


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
