"""
Receivers that keep each process's cached tree specs (trees.selectors) honest.

A cached spec is keyed by its tree's `updated_at`, which `tree_save` moves whenever the nodes
change. The one thing a spec shows that the tree does not own is the slug of each lesson an
outcome links to: renaming a lesson moves `updated_at` on every tree that links to it, so each
worker's next read of those trees builds their specs again.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from lessons.models import Lesson
from trees.models import Tree


@receiver(pre_save, sender=Lesson)
def note_lesson_slug(
    sender, instance: Lesson, raw: bool = False, update_fields=None, **kwargs
) -> None:
    """Remember the stored slug when this save may change it (None: it cannot, or is new)."""
    instance._stored_slug = None
    if instance.pk and not raw and (update_fields is None or "slug" in update_fields):
        instance._stored_slug = (
            Lesson.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        )


@receiver(post_save, sender=Lesson)
def lesson_renamed(sender, instance: Lesson, **kwargs) -> None:
    stored = instance._stored_slug
    if stored is not None and stored != instance.slug:
        Tree.objects.filter(nodes__links__lesson=instance).update(updated_at=timezone.now())
