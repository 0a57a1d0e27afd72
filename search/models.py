"""
The search index: one row per lesson section, card and tree, as plain text.

The rows are ordinary Django rows; each database adds its own full-text index over
(title, context, body) in migration 0001: an FTS5 table kept in step by triggers on SQLite, a
generated, weighted `tsvector` column with a GIN index on PostgreSQL. Writers therefore only
ever write these rows (search.services), and search.backends reads them through the index.

Who may see a row is not stored: a lesson's status and a card's `is_active` change through
`QuerySet.update()` (the admin's publish actions, retiring cards on import), which sends no
signal, so the search query joins the content and checks them as it stands.
"""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    class Kind(models.TextChoices):
        SECTION = "section", "Lesson section"
        CARD = "card", "Flashcard"
        TREE = "tree", "Decision tree"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # CASCADE: deleting the content deletes its rows, through any path, with no receiver.
    # A card's row names its lesson too, to link to it and check that it is published.
    lesson = models.ForeignKey(
        "lessons.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    card = models.ForeignKey(
        "flashcards.Card", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tree = models.ForeignKey(
        "trees.Tree", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Text, not a CharField: an anchor is made from its heading, which has no length limit.
    anchor = models.TextField(blank=True, help_text="Heading anchor, if any.")
    position = models.PositiveIntegerField(default=0, help_text="Section order in the lesson.")
    title = models.TextField()
    context = models.TextField(blank=True, help_text="The lesson's title; matched, weighted low.")
    body = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["card"], name="search_one_entry_per_card"),
            models.UniqueConstraint(fields=["tree"], name="search_one_entry_per_tree"),
        ]

    def __str__(self) -> str:
        return f"Search index: {self.title}"
