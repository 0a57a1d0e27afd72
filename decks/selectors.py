"""Which cards an Anki export holds for a reader, as the notes `decks.package` writes.

The cards are those the reader may study in the scope (`Scope.prompts`, built on the one
visibility rule, `flashcards.models.studyable_prompts`): public lessons for everyone, a learner's
private notes for their owner alone, never a draft. Fixed queries whatever the deck's size.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from decks.guids import card_guid
from decks.models import DeckImage, extension_of
from decks.package import BASIC, CLOZE, REVERSED, DeckNote, Schedule, deck_name
from flashcards.cards import QUESTION
from flashcards.models import Card, Prompt, PromptState, Tag
from flashcards.options import LETTERS
from flashcards.selectors import Scope, study_settings_for
from portal.markdown import render_markdown

# A question (an exam-style card with options) goes to Anki as a Basic note: its stem and
# lettered options on the front, the answer sheet (right or wrong, and why, for each) on the back.
_NOTE_KIND = {Card.Kind.BASIC: BASIC, QUESTION: BASIC, Card.Kind.REVERSED: REVERSED}
# Anki cards (prompts) in one package at most. 5,000 cards (8,500 prompts) take about 3 s and
# 450 KB here (docs/NOTES.md); a larger scope is refused, to be exported a topic at a time,
# rather than hold a worker for half a minute.
EXPORT_MAX_PROMPTS = 20_000


# An imported deck's image, as a card's stored HTML shows it (decks/models.py `image_url`).
_IMAGE_SRC = re.compile(r'src="/anki/media/(?P<name>[0-9a-f]{64}\.(?:png|jpg|gif|webp))"')
# The images one package carries at most: each is at most 10 MB (decks/reading.py), and the
# package is built in memory.
EXPORT_MAX_MEDIA_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class DeckExport:
    notes: list[DeckNote]
    scheduled: int = 0  # Anki cards given the reader's schedule; the others arrive new
    too_large: bool = False  # more than `limit` prompts, or images: no notes
    # The images the notes show ({"<sha256>.<ext>": bytes}), named in their fields as Anki
    # names media: relative to the collection's media folder.
    media: dict[str, bytes] = field(default_factory=dict)


def deck_export_for(
    *, user, scope: Scope, base_url: str, with_schedule: bool, limit: int = EXPORT_MAX_PROMPTS
) -> DeckExport:
    """The notes of the cards `user` may study in `scope` (a visitor: `user` None or anonymous),
    in reading order. `base_url` ("https://portal.example") makes the lesson links absolute:
    a card in Anki is read far from the site. `with_schedule` (a signed-in learner only) adds
    their FSRS state to every prompt they have studied. More than `limit` prompts: too large."""
    reader = user if user is not None and user.is_authenticated else None
    prompts = (
        scope.base.prompts(reader)
        .select_related("card__lesson__topic")
        .order_by(
            "card__lesson__topic__position",
            "card__lesson__topic__title",
            "card__lesson__topic_id",
            "card__lesson__position",
            "card__lesson__title",
            "card__lesson_id",
            "card__position",
            "card_id",
            "ordinal",
        )
    )
    found = list(prompts[: limit + 1])
    if len(found) > limit:
        return DeckExport([], too_large=True)
    by_card: dict[int, list[Prompt]] = defaultdict(list)
    for prompt in found:
        by_card[prompt.card_id].append(prompt)
    tags = _tags_of(list(by_card))
    schedules = _schedules_of(reader, prompts) if with_schedule and reader else {}
    notes = []
    for card_prompts in by_card.values():
        card = card_prompts[0].card
        notes.append(
            DeckNote(
                guid=card_guid(card, card.lesson.slug),
                kind=_NOTE_KIND.get(card.kind, CLOZE),
                deck=deck_name(card.lesson.topic.title, card.lesson.title),
                fields=_fields(card, card_prompts[0], base_url),
                tags=tuple(tags.get(card.pk, ())),
                schedules={
                    prompt.ordinal - 1: schedules[prompt.pk]
                    for prompt in card_prompts
                    if prompt.pk in schedules
                },
            )
        )
    notes, names = _images_as_media(notes)
    # Their sizes first, so that a package over the cap never loads the images' bytes.
    sizes = dict(
        DeckImage.objects.filter(sha256__in=[name.split(".")[0] for name in names]).values_list(
            "sha256", "size"
        )
    )
    if sum(sizes.values()) > EXPORT_MAX_MEDIA_BYTES:
        return DeckExport([], too_large=True)
    media = {
        f"{sha}.{extension_of(content_type)}": bytes(data)
        for sha, content_type, data in DeckImage.objects.filter(sha256__in=list(sizes)).values_list(
            "sha256", "content_type", "data"
        )
    }
    return DeckExport(notes, sum(len(note.schedules) for note in notes), media=media)


def _images_as_media(notes: list[DeckNote]) -> tuple[list[DeckNote], set[str]]:
    """The notes with each imported image's address (`/anki/media/<name>`) made the media name
    Anki looks up (`<name>`), and the names."""
    names: set[str] = set()

    def local(match: re.Match) -> str:
        names.add(match["name"])
        return f'src="{match["name"]}"'

    changed = [
        dataclasses.replace(note, fields=tuple(_IMAGE_SRC.sub(local, f) for f in note.fields))
        if any("/anki/media/" in f for f in note.fields)
        else note
        for note in notes
    ]
    return changed, names


def _tags_of(card_ids: list[int]) -> dict[int, list[str]]:
    through = Card.tags.through.objects.filter(card_id__in=card_ids).order_by("tag__slug")
    found: dict[int, list[str]] = defaultdict(list)
    for card_id, slug in through.values_list("card_id", "tag__slug"):
        found[card_id].append(slug)
    return found


def _schedules_of(user, prompts) -> dict[int, Schedule]:
    retention = study_settings_for(user).desired_retention
    states = PromptState.objects.filter(user=user, prompt__in=prompts.values("pk"))
    return {
        state.prompt_id: Schedule(
            state=state.state,
            due=state.due,
            stability=state.stability,
            difficulty=state.difficulty,
            last_review=state.last_review,
            reps=state.reps,
            lapses=state.lapses,
            desired_retention=retention,
        )
        for state in states
    }


def _fields(card: Card, first: Prompt, base_url: str) -> tuple[str, str, str, str]:
    """(front or cloze text, back or extra, exam tip, lesson link), sanitized HTML each."""
    link = _lesson_link(card, base_url)
    exam = format_html("{}", card.exam) if card.exam else ""
    if card.kind == Card.Kind.CLOZE:
        # The stored prompts have their blanks filled in already; Anki wants the deletions
        # themselves ({{c1::text::hint}}), which the Markdown renderer passes through as text.
        extra = render_markdown(card.back).html if card.back.strip() else ""
        return render_markdown(card.front).html, extra, exam, link
    if card.kind == QUESTION:
        options = format_html_join(
            "",
            '<li><span class="option-letter">{}.</span> {}</li>',
            (
                (letter, mark_safe(o["html"]))
                for letter, o in zip(LETTERS, first.options, strict=False)
            ),
        )
        front = format_html('{}<ol class="options">{}</ol>', mark_safe(first.front_html), options)
        return str(front), first.back_html, exam, link
    # Basic, and a reversed card as its first direction: the second's faces are the first's
    # swapped, and it is all that is left when the first direction has been retired.
    if first.ordinal == 2:
        return first.back_html, first.front_html, exam, link
    return first.front_html, first.back_html, exam, link


def _lesson_link(card: Card, base_url: str) -> str:
    url = base_url.rstrip("/") + card.lesson.get_absolute_url()
    if card.section:
        url += f"#{card.section}"
    return str(format_html('<a href="{}">Read this in the lesson</a>', url))


def export_scopes(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scopes worth offering `user` on the export page, grouped as a `<select>` shows them:
    each topic, lesson and tag with at least one card they may study. Three queries."""
    reader = user if user is not None and user.is_authenticated else None
    # The studyable-prompt conditions joined in, not an IN over a subquery of prompts: nested
    # IN subqueries let PostgreSQL's planner pick a plan that ran for minutes on the tag query
    # (a test database without statistics), where the joins take milliseconds.
    cards = Card.objects.filter(Scope().conditions("prompts__", reader))
    lessons = (
        cards.order_by(
            "lesson__topic__position",
            "lesson__topic__title",
            "lesson__topic_id",
            "lesson__position",
            "lesson__title",
            "lesson_id",
        )
        .values_list("lesson__topic__slug", "lesson__topic__title", "lesson__slug", "lesson__title")
        .distinct()
    )
    topics: dict[str, str] = {}
    lesson_choices = []
    for topic_slug, topic_title, lesson_slug, lesson_title in lessons:
        topics.setdefault(topic_slug, topic_title)
        lesson_choices.append((f"lesson:{lesson_slug}", f"{topic_title} › {lesson_title}"))
    tags = (
        Tag.objects.filter(Scope().conditions("cards__prompts__", reader))
        .order_by("slug")
        .values_list("slug", flat=True)
        .distinct()
    )
    groups = [("", [("all", "Every card you can study")])]
    groups.append(("Topics", [(f"topic:{slug}", title) for slug, title in topics.items()]))
    groups.append(("Lessons", lesson_choices))
    groups.append(("Tags", [(f"tag:{slug}", f"#{slug}") for slug in tags]))
    return [(label, choices) for label, choices in groups if choices]
