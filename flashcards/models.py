"""
Cards, the prompts they are studied through, and each learner's memory of them.

A Card is what an instructor writes (basic, reversed or cloze), belonging to a lesson and
optionally one of its sections. It yields Prompts: one for a basic card, two for a reversed
card, one per deletion for a cloze card. Each learner has a PromptState per prompt they have
studied (FSRS's card state), and every grade is appended to the Review log, which is the
source of truth: `rebuild_card_states` recomputes the states from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from flashcards.cards import BASIC, CLOZE, EXAM_MAX, QUESTION, REVERSED
from lessons.models import studyable_lessons

LEECH_LAPSES = 8

# The bounds of a learner's study settings, enforced by the settings form and by a progress
# import alike: FSRS schedules sensibly only within them.
RETENTION_RANGE = (0.7, 0.99)
MAXIMUM_INTERVAL_RANGE = (1, 36500)
NEW_PER_DAY_MAX = 9999
# Learning cards due this many minutes ahead are served once nothing else is due (Anki's
# "learn ahead limit", 20 minutes by default); up to a day.
LEARN_AHEAD_RANGE = (0, 1440)
# The largest value a PositiveIntegerField holds on every database (PostgreSQL's integer).
INTEGER_MAX = 2**31 - 1
# Counters that grading increases (reps, lapses, version) start at most here, so that no
# number of grades a learner could make takes them past INTEGER_MAX.
COUNTER_MAX = 10**9
MATURE_DAYS = 21  # a prompt given an interval of three weeks or more is "mature", as in Anki


class Tag(models.Model):
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class CardQuerySet(models.QuerySet):
    def active(self) -> CardQuerySet:
        return self.filter(is_active=True)

    def exam(self) -> CardQuerySet:
        """Exam cards: those that name an exam anchor they test."""
        return self.exclude(exam="")


class Card(models.Model):
    class Kind(models.TextChoices):
        BASIC = BASIC, "Basic"
        REVERSED = REVERSED, "Basic and reversed"
        CLOZE = CLOZE, "Cloze"
        QUESTION = QUESTION, "Exam-style question"

    class Origin(models.TextChoices):
        NOTE = "note", "Imported from a note"
        ADMIN = "admin", "Written in the admin"
        # Accepted from a note's suggestions (notes.Suggestion): an ordinary card that
        # importing the note again leaves alone, like one written in the admin.
        SUGGESTION = "suggestion", "Accepted suggestion"

    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.PROTECT, related_name="cards")
    section = models.CharField(
        max_length=200, blank=True, help_text="Heading anchor of the lesson section it tests."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BASIC)
    front = models.TextField(
        help_text="Markdown. For a cloze card, the text with {{c1::...}}; "
        "for a question, its scenario (the stem)."
    )
    back = models.TextField(
        blank=True,
        help_text="Markdown. For a cloze card, an optional extra. For a question, its options, "
        "one '- [x] right' or '- [ ] wrong' line each, with a '  why: ...' line under each.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cards")
    key = models.SlugField(max_length=100, blank=True, help_text="Optional stable id in a note.")
    # Metadata like tags and section: changing it leaves the prompts, and learners' progress
    # on them, as they are (flashcards/card_sync.py).
    exam = models.CharField(
        max_length=EXAM_MAX,
        blank=True,
        help_text="The exam anchor this card tests, shown with its answer. "
        "Cards with one can be studied on their own (“Study exam anchors”).",
    )
    content_key = models.CharField(max_length=32, editable=False, db_index=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Retired cards are not studied; their history is kept."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["lesson", "position", "id"]

    def __str__(self) -> str:
        return self.front[:80]


def _live(through: str) -> dict[str, bool]:
    return {f"{through}is_active": True, f"{through}card__is_active": True}


def live_prompts(through: str = "") -> Q:
    """The prompt reached through `through` (e.g. "prompt__") is live: neither it nor its card
    is retired, whether or not its lesson is published (mastery on a draft's preview counts)."""
    return Q(**_live(through))


def studyable_prompts(through: str = "", user=None) -> Q:
    """The prompt reached through `through` can be studied: live, in a published lesson that
    is public, or in a private topic of `user`'s (`lessons.models.studyable_lessons`). Without a
    user, only public lessons count: what the site's analytics and rosters see.

    A condition rather than a subquery, so a query over PromptState joins to the prompt, card,
    lesson and topic and the planner can start from the (user, due) index (tests/flashcards/
    test_due_queue_plan.py). One Q, so the SQL is that of the conditions written out.
    """
    return Q(**_live(through)) & studyable_lessons(user, f"{through}card__lesson__")


class PromptQuerySet(models.QuerySet):
    def live(self) -> PromptQuerySet:
        return self.filter(live_prompts())

    def studyable(self, user=None) -> PromptQuerySet:
        """Prompts `user` may study (`studyable_prompts`); public ones only without a user."""
        return self.filter(studyable_prompts(user=user))


class Prompt(models.Model):
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="prompts")
    ordinal = models.PositiveSmallIntegerField()
    front_html = models.TextField()
    back_html = models.TextField()
    content_hash = models.CharField(max_length=32)
    # A question's options, rendered: [{"html", "why_html", "right"}] (flashcards/rendering.py);
    # empty for other cards.
    options = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its text last changed after learners had seen it."
    )

    objects = PromptQuerySet.as_manager()

    class Meta:
        ordering = ["card", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["card", "ordinal"], name="unique_prompt_per_card")
        ]

    def __str__(self) -> str:
        return f"{self.card} [{self.ordinal}]"


class StudySettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings"
    )
    desired_retention = models.FloatField(
        default=0.9, help_text="How likely you want to be to remember a card when it comes back."
    )
    maximum_interval = models.PositiveIntegerField(
        default=36500, help_text="The longest a card may wait, in days."
    )
    new_per_day = models.PositiveIntegerField(default=20, help_text="New cards a day.")
    learn_ahead_minutes = models.PositiveIntegerField(
        default=20,
        help_text="Once nothing else is due, cards still in learning that are due within this "
        "many minutes are shown rather than waited for.",
    )
    # Anki's "bury siblings": once one prompt of a card (a cloze deletion, a direction of a
    # reversed card) has been studied today, its other prompts wait for tomorrow, so the first
    # does not give the next away. New and review prompts each have their own switch.
    bury_new_siblings = models.BooleanField(
        default=True,
        help_text="Hold back a card's other new prompts (cloze deletions, the reverse side) "
        "until tomorrow once one of them has been studied today.",
    )
    bury_review_siblings = models.BooleanField(
        default=True,
        help_text="Hold back a card's other due reviews until tomorrow once one of its "
        "prompts has been studied today.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="Your days start at midnight here."
    )
    exam_date = models.DateField(
        null=True,
        blank=True,
        help_text="Until then, cards come back before it (on the day, if studied the day before).",
    )
    # FSRS's 21 parameters fitted to this learner's own log (flashcards/personal_fsrs.py);
    # null: FSRS's defaults. Kept only when they predict the learner's log better.
    fsrs_parameters = models.JSONField(null=True, blank=True)
    # Per scope ("lesson:tls", "tag:x", "exam", "all"): its own new cards a day and today's
    # extra ones from custom study, {"lesson:tls": {"limit": 5, "extra": 10, "extra_day":
    # "2026-12-01"}} (flashcards/allowance.py). Here rather than in a table of its own: every
    # study page and grade reads the settings row already, so the rule costs no query.
    scope_new_cards = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Study settings of {self.user}"


class FsrsFit(models.Model):
    """A learner's latest request to fit FSRS to their review log, and its outcome.

    One row per learner: a new request replaces the last. Small logs are fitted in the request
    itself; larger ones wait here, QUEUED, for `manage.py fit_fsrs --queued` (flashcards/
    personal_fsrs.py says where the line is and why).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Fitting"
        DONE = "done", "Done"
        REFUSED = "refused", "Not enough reviews"
        FAILED = "failed", "Failed"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fsrs_fit"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reschedule = models.BooleanField(default=False)  # the learner asked to reschedule open cards
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    review_count = models.PositiveIntegerField(null=True, blank=True)
    item_count = models.PositiveIntegerField(null=True, blank=True)  # the library's training items
    default_log_loss = models.FloatField(null=True, blank=True)
    default_rmse = models.FloatField(null=True, blank=True)
    fitted_log_loss = models.FloatField(null=True, blank=True)
    fitted_rmse = models.FloatField(null=True, blank=True)
    parameters = models.JSONField(null=True, blank=True)  # fitted, whether kept or not
    kept_fitted = models.BooleanField(null=True, blank=True)
    rescheduled = models.PositiveIntegerField(null=True, blank=True)
    # Simulated reviews a day and cards remembered after a year at a few desired retentions.
    workload = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"FSRS fit of {self.user} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PromptState(models.Model):
    """A learner's memory of one prompt: FSRS's card state, plus counters."""

    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    # No index of its own: the (user, due) index leads with user and serves those lookups, and
    # a second one tempts PostgreSQL into filtering due dates row by row.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="states")
    state = models.PositiveSmallIntegerField(choices=State.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # Increases with every change; a grade must name the version it answers (see services).
    version = models.PositiveIntegerField(default=0)

    # The columns a study session reads (scheduling fields, counters, identity).
    STUDY_FIELDS = (
        "id",
        "user_id",
        "prompt_id",
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "lapses",
        "version",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "prompt"], name="one_state_per_user_prompt")
        ]
        indexes = [models.Index(fields=["user", "due"], name="state_user_due")]

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


class PromptMark(models.Model):
    """A learner's own marks on one prompt: a flag, suspended, or buried until a moment.

    A row exists only once a learner marks a prompt (new prompts too, which have no state).
    Sibling burying is not stored here: it follows from today's reviews (flashcards/
    selectors.py, `Holds`), so it ends at the learner's midnight and an undo lifts it.
    """

    class Flag(models.IntegerChoices):
        NONE = 0, "No flag"
        RED = 1, "Red"
        ORANGE = 2, "Orange"
        GREEN = 3, "Green"
        BLUE = 4, "Blue"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="marks")
    flag = models.PositiveSmallIntegerField(choices=Flag.choices, default=Flag.NONE)
    suspended = models.BooleanField(default=False)  # until the learner unsuspends it
    buried_until = models.DateTimeField(null=True, blank=True)  # the learner's next midnight

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "prompt"], name="one_mark_per_user_prompt")
        ]

    def __str__(self) -> str:
        return f"Marks of {self.user} on {self.prompt_id}"


class NewAgain(models.Model):
    """A prompt made new again by undoing its first grade, and the version it is at.

    The undo deletes the prompt's state row, which held its version; without this row the
    prompt would be back at version 0, and the undone grade's token would apply again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "prompt"], name="one_new_again_per_user_prompt")
        ]


class ManualChange(models.Model):
    """A learner's change to a prompt's schedule by hand, from "My cards": kept so that
    `states_rebuild`, which replays the review log, reaches the same states.

    FORGET makes the prompt new again (its reviews stay in the log; the next grade starts it
    afresh); RESCHEDULE gives it the due date `due`, until its next review.
    """

    class Kind(models.TextChoices):
        FORGET = "forget", "Forget"
        RESCHEDULE = "reschedule", "Reschedule"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    due = models.DateTimeField(null=True, blank=True)  # for a reschedule

    class Meta:
        indexes = [models.Index(fields=["user", "prompt"], name="manual_change_user_prompt")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="forget", due__isnull=True)
                | Q(kind="reschedule", due__isnull=False),
                name="manual_change_due_for_reschedule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.prompt_id} for {self.user}"


class Review(models.Model):
    """One grade, appended and never edited; removed only by an undo."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    # Served by the (user, reviewed_at) index, as PromptState.user is by (user, due).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # For a prompt in review before this grade, the interval it had been given, in whole days:
    # retention figures call a prompt "mature" from MATURE_DAYS on. Null when it was not in
    # review (new, learning, relearning).
    interval_days = models.PositiveIntegerField(null=True, blank=True)
    # The prompt's state before (null: the prompt was new) and after this grade, as stored in
    # PromptState, so an undo restores it exactly and a rebuild can take the due date the
    # learner was given (FSRS fuzzes intervals at random).
    state_before = models.PositiveSmallIntegerField(null=True, blank=True)
    state_after = models.PositiveSmallIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()
    # A review done in Anki and brought back (decks/reviews.py): its row id in Anki's review
    # log, which is the moment of the review in unix milliseconds. Unique per learner, so that
    # uploading the same collection twice adds each review once. Null for the portal's own.
    anki_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="review_user_time"),
            models.Index(fields=["prompt", "user"], name="review_prompt_user"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="rating_1_to_4"),
            models.UniqueConstraint(
                fields=["user", "anki_id"],
                condition=Q(anki_id__isnull=False),
                name="one_review_per_user_anki_id",
            ),
        ]
