"""Topics and the lessons grouped under them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.markdown import Rendered, nesting_problem, render_markdown

# Permission that lets a user read drafts on the site (instructors have it through their group).
PREVIEW_PERMISSION = "lessons.change_lesson"


class Topic(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(
        default=0, help_text="Topics are listed by this number, then by title."
    )
    # A learner's private topic: its lessons are theirs alone to read and study; nobody else
    # sees them anywhere on the site (`readable_topics` and the conditions built on it).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_topics",
        help_text="Set for a learner's private topic; empty for the site's own.",
    )

    class Meta:
        ordering = ["position", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:topic", args=[self.slug])


# Who may read which lesson, in one home: a learner's private topic stays theirs alone (not
# another learner's, not a visitor's, and not an instructor's either: an instructor's draft
# preview covers the site's own lessons, never a learner's notes). The conditions below are
# built on `readable_topics`, and so are `LessonQuerySet`'s methods and
# `flashcards.models.studyable_prompts`; search's raw SQL (search/backends.py) writes the same
# rule out, tested against it. The admin's lists and pickers go through `managed_topics`.


def readable_topics(user=None, prefix: str = "") -> Q:
    """The topic reached through `prefix` (e.g. "lesson__topic__") is the site's own or, for
    `user`, a private topic of theirs: the topics whose lessons `user` may ever see. Without
    a user, the site's own topics only."""
    site = Q(**{f"{prefix}owner__isnull": True})
    if user is not None and user.is_authenticated:
        return site | Q(**{f"{prefix}owner": user})
    return site


def public_lessons(prefix: str = "") -> Q:
    """The lesson reached through `prefix` (e.g. "card__lesson__") is one everyone may read:
    published, and not in a learner's private topic."""
    return studyable_lessons(None, prefix)


def studyable_lessons(user, prefix: str = "") -> Q:
    """The lesson reached through `prefix` is published and public or in a private topic of
    `user`'s: what they may read and study (a previewer's drafts are read, never studied)."""
    published = Q(**{f"{prefix}status": Lesson.Status.PUBLISHED})
    return published & readable_topics(user, f"{prefix}topic__")


def readable_lessons(user, prefix: str = "") -> Q:
    """The lesson reached through `prefix` is one `user` may read: a public one, one in a
    private topic of their own, and, for people who may preview drafts, the site's drafts."""
    if user is not None and user.is_authenticated and can_preview_drafts(user):
        return readable_topics(user, f"{prefix}topic__")
    return studyable_lessons(user, prefix)


def managed_topics(user, prefix: str = "") -> Q:
    """The topic reached through `prefix` (e.g. "lesson__topic__") is one `user` manages in
    the admin: the site's own topics for instructors; every topic, learners' private ones
    too, for a superuser (the site's operator, who may have to remove one)."""
    if user is not None and user.is_superuser:
        return Q()
    return readable_topics(None, prefix)


class LessonQuerySet(models.QuerySet):
    def published(self) -> LessonQuerySet:
        """What everyone may read: published lessons outside learners' private topics."""
        return self.filter(public_lessons())

    def visible_to(self, user) -> LessonQuerySet:
        """What `user` may read (`readable_lessons`): the published lessons, their own private
        ones, and the site's drafts for people who may preview them."""
        return self.filter(readable_lessons(user))

    def studyable_by(self, user) -> LessonQuerySet:
        """The published lessons `user` may read: the public ones and their own private ones
        (a previewer's drafts left out: their cards are not studied)."""
        # `studyable_lessons`, not `visible_to`: no permission lookup, so the pages that list
        # these (the dashboard, My cards) keep their query counts.
        return self.filter(studyable_lessons(user))

    def in_reading_order(self) -> LessonQuerySet:
        return self.order_by(*Lesson.READING_ORDER)


class Lesson(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # The order a learner reads in: topic by topic, then by position. `id` breaks ties so that
    # previous/next links are always well defined.
    READING_ORDER = ("topic__position", "topic__title", "topic_id", "position", "title", "id")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="lessons")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, help_text="One or two sentences shown in lists.")
    source = models.CharField(max_length=300, blank=True)
    theme = models.CharField(max_length=300, blank=True)
    date = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within the topic.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    body = models.TextField(help_text="Markdown. Rendered and sanitized when the lesson is saved.")
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    imported_from = models.CharField(
        max_length=300, blank=True, editable=False, help_text="File name of the imported note."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "topic__title", "position", "title"]
        indexes = [models.Index(fields=["topic", "position"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    # The body the stored HTML was last rendered from on this instance: an import renders
    # before it takes the write lock, and saving need not render the same body again.
    _rendered_body: str | None = None

    def clean(self) -> None:
        too_deep = nesting_problem(self.body)
        if too_deep is not None:
            raise ValidationError({"body": str(too_deep)})

    def save(self, *args, **kwargs) -> None:
        if self._rendered_body != self.body:
            self.render()
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "toc"}
        super().save(*args, **kwargs)

    def render(self) -> None:
        """Render the Markdown body into the stored HTML and table of contents."""
        self.use_rendering(render_markdown(self.body))

    def use_rendering(self, rendered: Rendered) -> None:
        """Take the HTML and table of contents of the body, rendered by the caller."""
        self.body_html = rendered.html
        self.toc = [entry.as_dict() for entry in rendered.toc]
        self._rendered_body = self.body

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def current_sections(self) -> dict[str, str]:
        """The sections of the body as it stands on this instance, saved or not.

        The admin checks inline cards against the body being saved, not the stored one, so a
        lesson and cards pointing at its new headings save in one go. The rendering is kept:
        saving this instance afterwards does not render the same body again.
        """
        if self._rendered_body != self.body and nesting_problem(self.body) is None:
            self.render()
        return self.sections()

    def sections(self) -> dict[str, str]:
        """Heading anchor -> heading text, for every entry of the table of contents."""
        found: dict[str, str] = {}
        # Reversed onto a stack, so that entries come out in the order the body has them.
        stack = list(reversed(self.toc))
        while stack:
            entry = stack.pop()
            found[entry["id"]] = entry["name"]
            stack.extend(reversed(entry.get("children", [])))
        return found


def can_preview_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PREVIEW_PERMISSION))
