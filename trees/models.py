"""
A decision tree is a set of nodes: questions, whose choices lead to other nodes, and outcomes,
which end a walk. The tree's `definition` text is what instructors write; saving it (through
`trees.services.tree_save`) checks it and compiles it into `compiled`, the one stored form
that pages read, as lessons store their HTML. Outcomes' links to lesson sections are rows
(`OutcomeLink`), for the integrity their foreign keys give.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse

from lessons.models import Lesson, readable_topics
from trees.definition import TreeSpec


def host_lessons() -> models.QuerySet[Lesson]:
    """The lessons that host the tree of the outer query, for a subquery.

    A tree's host lessons are the lessons whose body places it (`[[tree:slug]]`, found as the
    marker's `data-embed` in the stored HTML, so a marker shown in a code block does not
    count) and the lesson of the note it was imported from (`imported_from`, the note's file
    name on both), which hosts it even if the marker is later edited out. A tree made in the
    admin and placed nowhere has no host.

    A learner's private lesson is never a host: placing an instructor's draft tree in one's
    own note must not publish it, nor placing a public one make it a draft for everyone
    else, and a private note's file name is no claim on a tree of the same note name.
    """
    marker = Concat(Value('data-embed="tree:'), OuterRef("slug"), Value('"'))
    same_note = Q(imported_from=OuterRef("imported_from")) & ~Q(imported_from="")
    return Lesson.objects.filter(
        Q(body_html__contains=marker) | same_note, readable_topics(None, "topic__")
    )


class TreeQuerySet(models.QuerySet):
    """Which trees learners may see: a tree is a draft when it has host lessons (see
    `host_lessons`) and every one of them is a draft; a published host makes it public, and
    so does having no host at all. A draft tree is a 404 for learners, as a draft lesson is."""

    def _draft(self) -> Q:
        hosts = host_lessons()
        return Exists(hosts) & ~Exists(hosts.filter(status=Lesson.Status.PUBLISHED))

    def with_draft_flag(self) -> TreeQuerySet:
        """Each tree with `is_draft`, in the same query (trees.selectors decides who sees it)."""
        return self.annotate(is_draft=ExpressionWrapper(self._draft(), output_field=BooleanField()))

    def public(self) -> TreeQuerySet:
        """The trees learners may see, for reads with no one to ask (search)."""
        return self.exclude(self._draft())


class Tree(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="One or two sentences above the first question.")
    definition = models.TextField(
        help_text="Questions, choices and outcomes; see the syntax guide."
    )
    # None until `tree_save` compiles the definition: such a tree (made some other way) has no
    # page and is not searched.
    compiled = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The checked definition, as TreeSpec.to_dict.",
    )
    imported_from = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TreeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trees:tree", args=[self.slug])

    def to_spec(self) -> TreeSpec:
        """The tree as last compiled; no query, as `compiled` comes with the row."""
        return TreeSpec.from_dict(self.compiled)


class OutcomeLink(models.Model):
    """An outcome's pointer to the lesson section that covers it.

    A row rather than part of `Tree.compiled`: the foreign key stops a linked lesson from being
    deleted, and a link shows the lesson's slug as it is now, read with the link.
    """

    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="outcome_links")
    node_key = models.CharField(max_length=100, help_text="The outcome's key.")
    # PROTECT: a lesson that a tree points at cannot be deleted out from under it.
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.PROTECT, related_name="+")
    anchor = models.CharField(max_length=200)
    label = models.CharField(max_length=300, help_text="The section heading, as it was when saved.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tree", "node_key", "position"]


class TreeWalk(models.Model):
    """One learner's walk through a tree, for the instructors' figures.

    Updated at each step: where the walk is now (`last_node_key`) and whether that is an
    outcome. Node keys, not ids, so the figures survive an instructor editing the tree.
    """

    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="walks")
    walker = models.CharField(
        max_length=64, help_text="The user, or a token kept in the visitor's session."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_node_key = models.CharField(max_length=100)
    path = models.CharField(max_length=400, blank=True, help_text="The answers taken, as in URLs.")
    finished = models.BooleanField(default=False)
    steps = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["tree", "finished", "last_node_key"])]


class AnswerTakenBack(models.Model):
    """An answer a learner went back on: they stepped back past it, with Back or the trail.

    For the instructors' figures: the questions where learners pick an answer and then change
    their minds, which is where a question or its answers may be unclear.
    """

    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="+")
    node_key = models.CharField(max_length=100)
    choice_label = models.CharField(max_length=300)
    # Null for answers recorded before this was kept: counted in neither.
    signed_in = models.BooleanField(
        null=True, help_text="Taken back by a signed-in learner rather than a visitor."
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tree", "node_key"])]
