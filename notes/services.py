"""Importing notes: each note becomes a lesson, its decision-tree blocks become trees, its
flashcards block becomes the lesson's cards and, when asked, its emphasis suggests more cards
(notes/suggestions.py).

Used by `manage.py import_notes`, the admin's upload and a learner's own import (into a
private topic) alike.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flashcards.card_sync import (
    CardsChangedMeanwhile,
    CardsInvalid,
    CardsPlan,
    cards_plan,
    cards_plan_write,
)
from lessons.models import Lesson, Topic
from lessons.services import (
    LessonNotYours,
    lesson_change_from_note,
    lesson_upsert_from_note,
    private_slug,
    topic_slug,
)
from notes.parser import Note, NoteError, read_note
from notes.suggestions import (
    SuggestionsDecidedMeanwhile,
    SuggestionsPlan,
    suggestions_plan,
    suggestions_plan_write,
)
from portal.markdown import EMBED_MARKER, Rendered, parse_markdown, render_parsed
from portal.problems import Problem, ProblemList
from trees.models import Tree
from trees.selectors import trees_missing
from trees.services import TreeInvalid, tree_change, tree_compile, tree_save

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "Imported notes"
PRIVATE_TOPIC = "My notes"
# A learner's private lessons, all imports together: the notes' own limits (size, cards) are
# the instructors'; this bounds how much one account can store.
MAX_PRIVATE_LESSONS = 200


@dataclass(frozen=True)
class NoteFile:
    """A note as it arrived: a name to report errors against, and its raw bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Change:
    kind: str  # "lesson", "tree" or "cards"
    name: str
    slug: str
    action: str  # "create", "update" or "unchanged"
    changed: tuple[str, ...] = ()

    def describe(self, *, dry_run: bool) -> str:
        verbs = {
            "create": ("would create", "created"),
            "update": ("would update", "updated"),
            "unchanged": ("unchanged", "unchanged"),
        }
        verb = verbs[self.action][0 if dry_run else 1]
        what = {
            "tree": "tree ",
            "cards": "cards of ",
            "suggestions": "suggested cards of ",
        }.get(self.kind, "")
        detail = f" ({', '.join(self.changed)})" if self.changed else ""
        return f"{verb}: {what}{self.slug}{detail}  [{self.name}]"


def summarize(changes: list[Change], *, dry_run: bool) -> str:
    """One line of counts per kind, e.g. 'Lessons: created 5, updated 0, unchanged 0.'"""
    lines = []
    kinds = (
        ("lesson", "Lessons"),
        ("tree", "Trees"),
        ("cards", "Card sets"),
        ("suggestions", "Suggestion sets"),
    )
    for kind, label in kinds:
        of_kind = [change for change in changes if change.kind == kind]
        if kind != "lesson" and not of_kind:
            continue
        counts = {
            action: sum(c.action == action for c in of_kind)
            for action in ("create", "update", "unchanged")
        }
        created, updated = ("would create", "would update") if dry_run else ("created", "updated")
        lines.append(
            f"{label}: {created} {counts['create']}, {updated} {counts['update']}, "
            f"unchanged {counts['unchanged']}."
        )
    if dry_run:
        lines.append("Dry run: nothing was saved.")
    return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    changes: list[Change]
    # Not errors: a lesson may place a tree that another import will bring.
    warnings: list[str]


class NotesImportError(ProblemList):
    """One or more notes were bad; nothing was saved. Each problem names its file."""


def notes_import(
    *,
    files: Iterable[NoteFile],
    dry_run: bool = False,
    default_topic: str = DEFAULT_TOPIC,
    status: str | None = None,
    take_over_trees: bool = False,
    suggest: bool = False,
    accept_suggestions: bool = False,
    owner=None,
) -> ImportResult:
    """Create or update a lesson per note, a tree per decision-tree block and the lesson's
    cards from its flashcards block, all or nothing.

    Every file is parsed before anything is written. Lessons are written first, so a tree can
    link to sections of the lesson it sits in; then each tree is validated against the lessons
    as they now stand. If anything is wrong, NotesImportError lists every problem with its file
    and line, and the transaction is rolled back. A lesson or tree is matched by slug, so
    importing a note again updates it. `dry_run` does all of this and then rolls back.
    A tree imported from another note is that note's: declaring its slug is an error naming
    both, unless `take_over_trees` says this note now owns it. A dry run stops after the
    compute phase and reports what the write would do: it takes no write lock.

    `suggest` stores the cards each note's emphasis suggests (notes/suggest.py) for an
    instructor to decide on; `accept_suggestions` accepts them as cards at once. With `owner`
    (a learner), the notes become that learner's private lessons, in their private topic
    `default_topic`: published to them alone, with no decision trees, and a lesson's slug
    their own (`private_slug`), so a note can never touch a lesson that is not theirs.
    """
    files = list(files)
    parsed, errors = _parse_all(files)
    return _import(
        parsed,
        errors,
        order=[note_file.name for note_file in files],
        dry_run=dry_run,
        default_topic=default_topic,
        status=status,
        take_over_trees=take_over_trees,
        suggest=suggest,
        accept_suggestions=accept_suggestions,
        owner=owner,
    )


def notes_import_parsed(
    *,
    parsed: list[tuple[str, Note]],
    dry_run: bool = False,
    default_topic: str = DEFAULT_TOPIC,
    status: str | None = None,
    write_also: Callable[[], None] | None = None,
) -> ImportResult:
    """`notes_import` of notes that are already parsed, each with the name its problems are
    reported against (names and slugs unique): for notes that come from elsewhere than a
    Markdown file (an Anki deck, decks/importing.py). `write_also` runs inside the write
    transaction after the lessons and cards are written (an Anki deck's images), so that it is
    all or nothing with them; it must only write, having computed everything before."""
    if not parsed:
        raise NotesImportError([Problem("no notes were given")])
    # Two notes of one address would be written as one lesson; a parsed note's slug is not its
    # author's choice (an Anki deck's name gives it), so say which two.
    seen: dict[str, str] = {}
    clashes = [_first_clash(name, [note.slug], seen, "the lesson address") for name, note in parsed]
    if any(clashes):
        raise NotesImportError([clash for clash in clashes if clash is not None])
    return _import(
        list(parsed),
        [],
        order=[name for name, _ in parsed],
        dry_run=dry_run,
        default_topic=default_topic,
        status=status,
        write_also=write_also,
    )


def _import(
    parsed: list[tuple[str, Note]],
    errors: list[Problem],
    *,
    order: list[str],
    dry_run: bool,
    default_topic: str,
    status: str | None,
    take_over_trees: bool = False,
    suggest: bool = False,
    accept_suggestions: bool = False,
    owner=None,
    write_also: Callable[[], None] | None = None,
) -> ImportResult:
    private_warnings: list[str] = []
    if owner is not None:
        parsed, problems, private_warnings = _as_private(
            parsed, owner=owner, default_topic=default_topic
        )
        errors += problems
        status = Lesson.Status.PUBLISHED
    errors += _addresses_of_others(parsed, owner=owner, default_topic=default_topic)
    # The notes that parsed are planned even when others did not, so one run reports every
    # problem (a card's missing section in one file beside a bad line in another). Planning
    # reads only; nothing is written unless no file has a problem.
    plan = _plan(
        parsed,
        take_over_trees=take_over_trees,
        every_note_parsed=not errors,
        suggest=suggest or accept_suggestions,
        accept_suggestions=accept_suggestions,
    )
    if errors or plan.errors:
        place = {name: index for index, name in enumerate(order)}
        problems = sorted([*errors, *plan.errors], key=lambda p: place.get(p.where, len(place)))
        raise NotesImportError(problems)
    if dry_run:
        return ImportResult(
            changes=_changes_planned(parsed, plan, status=status, owner=owner),
            warnings=[*private_warnings, *_missing_tree_warnings(parsed)],
        )

    # The write phase: everything is rendered and worked out, so the write lock (on SQLite the
    # database's only one) is held for a handful of queries rather than for the rendering.
    started = time.monotonic()
    with transaction.atomic():
        changes: list[Change] = []
        for name, note in parsed:
            try:
                action, changed = lesson_upsert_from_note(
                    note=note,
                    name=name,
                    default_topic=default_topic,
                    status=status,
                    rendered=plan.rendered[note.slug],
                    owner=owner,
                )
            except LessonNotYours:
                # Checked when planning; a lesson of that slug made meanwhile is caught here.
                errors.append(_slug_taken(name, note.slug, owner))
                continue
            changes.append(Change("lesson", name, note.slug, action, changed))
        if owner is not None:
            # Counted again under the write lock: two uploads at once each passed the
            # planning's count.
            owned = Lesson.objects.filter(topic__owner=owner).count()
            if owned > MAX_PRIVATE_LESSONS:
                errors.append(_too_many_notes(owned))
        if errors:
            raise NotesImportError(errors)
        for name, note in parsed:
            for block in note.trees:
                try:
                    # Validated again, cheaply, against the lessons as they now stand.
                    action, changed = tree_save(
                        slug=block.slug,
                        title=block.title,
                        intro=block.intro,
                        definition=block.definition,
                        spec=block.spec,
                        imported_from=name,
                        compiled=plan.compiled[block.slug],
                    )
                except TreeInvalid as invalid:
                    errors.extend(
                        p.about(f"decision tree '{block.slug}'").within(name)
                        for p in invalid.problems
                    )
                    continue
                changes.append(Change("tree", name, block.slug, action, changed))
        for name, note in parsed:
            lesson = Lesson.objects.get(slug=note.slug)
            cards = plan.cards[note.slug]
            try:
                cards_plan_write(plan=cards, lesson=lesson)
            except CardsChangedMeanwhile:
                errors.append(
                    Problem(
                        "flashcards: the lesson's cards were edited during the import; "
                        "import it again",
                        where=name,
                    )
                )
                continue
            synced = cards.change
            if note.cards or synced.retired:
                detail = (synced.describe(),) if synced.action == "update" else ()
                changes.append(Change("cards", name, note.slug, synced.action, detail))
            suggested = plan.suggestions.get(note.slug)
            if suggested is None:
                continue
            try:
                suggestions_plan_write(plan=suggested, lesson=lesson)
            except SuggestionsDecidedMeanwhile:
                errors.append(
                    Problem(
                        "suggested cards: the lesson's suggestions were decided on during the "
                        "import; import it again",
                        where=name,
                    )
                )
                continue
            changes.append(_suggestions_change(name, note, suggested))
        if errors:
            raise NotesImportError(errors)
        if write_also is not None:
            write_also()
        warnings = [*private_warnings, *_missing_tree_warnings(parsed)]
    logger.info("notes import: write phase took %.3f s", time.monotonic() - started)
    return ImportResult(changes=changes, warnings=warnings)


@dataclass
class _Plan:
    """An import's compute phase: every note rendered, every tree validated and compiled, every
    card set worked out, against the database as read without locks."""

    rendered: dict[str, Rendered]  # by lesson slug
    compiled: dict[str, dict]  # by tree slug
    cards: dict[str, CardsPlan]  # by lesson slug
    errors: list[Problem]
    suggestions: dict[str, SuggestionsPlan] = dataclasses.field(default_factory=dict)


def _plan(
    parsed: list[tuple[str, Note]],
    *,
    take_over_trees: bool,
    every_note_parsed: bool = True,
    suggest: bool = False,
    accept_suggestions: bool = False,
) -> _Plan:
    """The compute phase. With `every_note_parsed` false (some file of the run failed to
    parse), trees' links are not checked: a link into the failed note's lesson would be
    reported missing, falsely; they are checked once every note parses. Cards are checked
    either way, against their own note's sections."""
    plan = _Plan(rendered={}, compiled={}, cards={}, errors=[])
    if not take_over_trees:
        plan.errors += _trees_of_other_notes(parsed)
    sections: dict[str, dict[str, str]] = {}
    now = timezone.now()
    existing = dict(
        Lesson.objects.filter(slug__in=[note.slug for _, note in parsed]).values_list("slug", "pk")
    )
    for _name, note in parsed:
        body = parse_markdown(note.body)
        rendered = render_parsed(body)
        lesson = Lesson(slug=note.slug, body=note.body)
        lesson.use_rendering(rendered)
        plan.rendered[note.slug] = rendered
        sections[note.slug] = lesson.sections()
        if suggest:
            # Here, while the parse that was just rendered is at hand: the rules read the same
            # tree, and a 1 MB note takes seconds to parse. The rules' own sections are the
            # body's headings: nothing here can be invalid.
            plan.suggestions[note.slug] = suggestions_plan(
                note=note,
                lesson_id=existing.get(note.slug),
                sections=sections[note.slug],
                accept=accept_suggestions,
                now=now,
                tokens=body.tokens,
            )
    pending = {slug: set(found) for slug, found in sections.items()}
    for name, note in parsed if every_note_parsed else []:
        for block in note.trees:
            compiled, problems = tree_compile(block.spec, pending_anchors=pending)
            plan.errors.extend(
                p.about(f"decision tree '{block.slug}'").within(name) for p in problems
            )
            if compiled is not None:
                plan.compiled[block.slug] = compiled
    for name, note in parsed:
        try:
            plan.cards[note.slug] = cards_plan(
                lesson_id=existing.get(note.slug),
                lesson_slug=note.slug,
                lesson_title=note.title,
                sections=sections[note.slug],
                specs=list(note.cards),
                now=now,
            )
        except CardsInvalid as invalid:
            plan.errors.extend(p.about("flashcards").within(name) for p in invalid.problems)
    return plan


def _suggestions_change(name: str, note: Note, plan: SuggestionsPlan) -> Change:
    change = plan.change
    detail = (change.describe(),) if change.action == "update" else ()
    # The first suggestions stored for a lesson "create" its set, as a note's first cards do.
    action = "create" if change.action == "update" and not plan.seen else change.action
    return Change("suggestions", name, note.slug, action, detail)


def _as_private(
    parsed: list[tuple[str, Note]], *, owner, default_topic: str
) -> tuple[list[tuple[str, Note]], list[Problem], list[str]]:
    """The notes as `owner`'s private lessons: each slug made theirs, no decision trees, no
    tags (a tag is shared by the whole site: its name would show in instructors' tag lists),
    and no lesson that is not theirs touched. Returns the notes, the problems and warnings."""
    problems: list[Problem] = []
    warnings: list[str] = []
    private: list[tuple[str, Note]] = []
    for name, note in parsed:
        if note.trees:
            problems.append(
                Problem(
                    "declares decision trees; a private note may not (trees are shared by "
                    "the whole site): remove its ```decision-tree blocks",
                    note.trees[0].line,
                    where=name,
                )
            )
            continue
        cards = note.cards
        if any(card.tags for card in cards):
            cards = tuple(dataclasses.replace(card, tags=[]) for card in cards)
            warnings.append(
                f"{name}: its cards' tags are left out: tags are shared by the whole site, "
                "so a private note's cards have none"
            )
        private.append(
            (name, dataclasses.replace(note, slug=private_slug(note.slug, owner), cards=cards))
        )
    slugs = [note.slug for _, note in private]
    theirs = set(
        Lesson.objects.filter(slug__in=slugs, topic__owner=owner).values_list("slug", flat=True)
    )
    owned = Lesson.objects.filter(topic__owner=owner).count()
    new = sum(note.slug not in theirs for _, note in private)
    if owned + new > MAX_PRIVATE_LESSONS:
        problems.append(_too_many_notes(owned, new))
    return private, problems, warnings


def _too_many_notes(owned: int, new: int | None = None) -> Problem:
    """`owned` before these notes and the `new` they add; or, without `new`, with them."""
    have = (
        f"you would have {owned} notes of your own"
        if new is None
        else (f"you have {owned} notes of your own and these would add {new}")
    )
    return Problem(f"{have}; one person may keep at most {MAX_PRIVATE_LESSONS}")


def _slug_taken(name: str, slug: str, owner=None) -> Problem:
    fix = "give the note another title" if owner is not None else "give the note another Slug"
    return Problem(f"its lesson's address '{slug}' is taken; {fix}", where=name)


def _addresses_of_others(
    parsed: list[tuple[str, Note]], *, owner, default_topic: str
) -> list[Problem]:
    """A note's lesson or topic address that is someone else's: a learner's private one for
    the site's import (no `owner`), the site's or another learner's for a learner's. A
    learner's addresses end in `-u<id>` by construction, but a note may spell one out
    (`Slug: notes-u5`, a topic titled "My notes u5"): that would overwrite another's lesson
    or file one in their topic, so it is refused, naming nobody. The write phase checks the
    lessons again (`LessonNotYours`)."""
    theirs = {"owner": owner} if owner is not None else {"owner__isnull": True}
    slugs = {note.slug for _, note in parsed}
    taken = set(
        Lesson.objects.filter(slug__in=slugs)
        .exclude(**{f"topic__{key}": value for key, value in theirs.items()})
        .values_list("slug", flat=True)
    )
    problems = [_slug_taken(name, note.slug, owner) for name, note in parsed if note.slug in taken]
    topics = {name: topic_slug(note.topic or default_topic, owner) for name, note in parsed}
    foreign = set(
        Topic.objects.filter(slug__in=set(topics.values()))
        .exclude(**theirs)
        .values_list("slug", flat=True)
    )
    problems += [
        Problem(f"its topic's address '{slug}' is taken; name another topic", where=name)
        for name, slug in topics.items()
        if slug in foreign
    ]
    return problems


def _changes_planned(
    parsed: list[tuple[str, Note]], plan: _Plan, *, status: str | None, owner=None
) -> list[Change]:
    """The changes the write phase would make, in its order, read without locks."""
    changes = [
        Change(
            "lesson",
            name,
            note.slug,
            *lesson_change_from_note(note=note, status=status, owner=owner),
        )
        for name, note in parsed
    ]
    for name, note in parsed:
        for block in note.trees:
            action, changed = tree_change(
                slug=block.slug,
                title=block.title,
                intro=block.intro,
                definition=block.definition,
                imported_from=name,
            )
            changes.append(Change("tree", name, block.slug, action, changed))
    for name, note in parsed:
        synced = plan.cards[note.slug].change
        if note.cards or synced.retired:
            detail = (synced.describe(),) if synced.action == "update" else ()
            changes.append(Change("cards", name, note.slug, synced.action, detail))
        if note.slug in plan.suggestions:
            changes.append(_suggestions_change(name, note, plan.suggestions[note.slug]))
    return changes


def _trees_of_other_notes(parsed: list[tuple[str, Note]]) -> list[Problem]:
    """A tree declared here that another note brought. A note is known by its lesson as well as
    by its file's name, so the same note read from another path (a new checkout, `content/`
    given as an absolute path) is still the tree's own."""
    declared = {block.slug: (name, note.slug) for name, note in parsed for block in note.trees}
    owners = dict(
        Tree.objects.filter(slug__in=declared)
        .exclude(imported_from="")
        .values_list("slug", "imported_from")
    )
    owner_lessons = dict(
        # A learner's private note of the same file name is no claim on the site's trees.
        Lesson.objects.filter(
            imported_from__in=set(owners.values()), topic__owner__isnull=True
        ).values_list("imported_from", "slug")
    )
    return [
        Problem(
            f"declares decision tree '{slug}', which {owner} brought; import with "
            "--take-over-trees (admin: 'Take over trees') to move it to this note",
            where=declared[slug][0],
        )
        for slug, owner in sorted(owners.items())
        if owner != declared[slug][0] and owner_lessons.get(owner) != declared[slug][1]
    ]


def _missing_tree_warnings(parsed: list[tuple[str, Note]]) -> list[str]:
    placed = {
        (name, note.slug, match["slug"])
        for name, note in parsed
        for line in note.body.split("\n")
        if (match := EMBED_MARKER.match(line.strip()))
    }
    declared = {block.slug for _, note in parsed for block in note.trees}
    missing = set(trees_missing({slug for _, _, slug in placed} - declared))
    return [
        f"{name}: lesson '{lesson}' places tree '{slug}', which does not exist yet; "
        "learners see nothing there until it does"
        for name, lesson, slug in sorted(placed)
        if slug in missing
    ]


def _parse_all(files: Iterable[NoteFile]) -> tuple[list[tuple[str, Note]], list[Problem]]:
    parsed: list[tuple[str, Note]] = []
    errors: list[Problem] = []
    lesson_files: dict[str, str] = {}
    tree_files: dict[str, str] = {}
    for note_file in files:
        try:
            note = read_note(note_file.data)
        except NoteError as error:
            errors.extend(problem.within(note_file.name) for problem in error.problems)
            continue
        clash = _first_clash(note_file.name, [note.slug], lesson_files, "the slug")
        clash = clash or _first_clash(
            note_file.name, [tree.slug for tree in note.trees], tree_files, "the tree slug"
        )
        if clash:
            errors.append(clash)
            continue
        parsed.append((note_file.name, note))
    if not parsed and not errors:
        errors.append(Problem("no notes were given"))
    return parsed, errors


def _first_clash(name: str, slugs: list[str], seen: dict[str, str], what: str) -> Problem | None:
    for slug in slugs:
        if slug in seen:
            message = f"gives {what} {slug!r}, as {seen[slug]} does; each must be unique"
            return Problem(message, where=name)
    for slug in slugs:
        seen[slug] = name
    return None
