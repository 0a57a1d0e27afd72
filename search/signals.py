"""
Receivers that keep the search index current whenever a lesson, card or tree is saved.

Why signals rather than a call in each writer: content is written along many paths (the
admin's forms, its list_editable columns and card inlines, the note importer with the lessons,
trees and card-sync services it calls, `tree_save`, the shell, the tests' factories), and
every one of them ends in `Model.save()`. One receiver per model catches them all, and the
content apps need not know that search exists. What `post_save` does not see is covered by the
design instead of by more hooks:

- deletes: the index rows have CASCADE foreign keys to what they index;
- `QuerySet.update()` of a lesson's status or a card's `is_active` (the admin's publish and
  unpublish actions, retiring cards on import): visibility is checked when searching, not stored;
- a tree's outcome links are bulk-created after the tree row is saved: the tree is indexed
  from its `definition` text, which the row already holds.

Fixture loading (`raw`) is skipped: a fixture brings its own index rows, or
`manage.py rebuild_search_index` makes them.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from flashcards.models import Card
from lessons.models import Lesson
from search import services
from trees.models import Tree

# The fields each kind of row is made from; a save that names others (`update_fields`) leaves
# the index alone.
LESSON_FIELDS = {"title", "summary", "body", "body_html"}
CARD_FIELDS = {"kind", "front", "back", "section", "lesson", "lesson_id"}
TREE_FIELDS = {"title", "intro", "definition"}


def _indexed_fields_saved(update_fields, indexed: set[str]) -> bool:
    return update_fields is None or bool(indexed & set(update_fields))


@receiver(post_save, sender=Lesson, dispatch_uid="search_lesson_saved")
def lesson_saved(sender, instance: Lesson, raw: bool, update_fields, **kwargs) -> None:
    if not raw and _indexed_fields_saved(update_fields, LESSON_FIELDS):
        services.lesson_index(lesson=instance)


@receiver(post_save, sender=Card, dispatch_uid="search_card_saved")
def card_saved(sender, instance: Card, raw: bool, update_fields, **kwargs) -> None:
    if not raw and _indexed_fields_saved(update_fields, CARD_FIELDS):
        services.card_index(card=instance)


@receiver(post_save, sender=Tree, dispatch_uid="search_tree_saved")
def tree_saved(sender, instance: Tree, raw: bool, update_fields, **kwargs) -> None:
    if not raw and _indexed_fields_saved(update_fields, TREE_FIELDS):
        services.tree_index(tree=instance)
