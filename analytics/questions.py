"""Each exam-style question's figures, for instructors: how hard it is and how often each of
its options is picked, from the Answer log (practice/models.py) of study sessions and
practice tests together.

Only answers to a question's current wording count (an Answer's content_hash equal to its
prompt's): an edited question's old picks say nothing of its new options. Figures only: no
learner is named here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from analytics.roster import Column
from analytics.selectors import wilson_lower_bound
from flashcards.models import Card, Prompt, studyable_prompts
from flashcards.options import LETTERS
from lessons.models import Lesson
from practice.models import Answer

PAGE_SIZE = 25
# A wrong option picked by fewer than RARE_PICK of the answers, once a question has at least
# FLAG_AFTER of them, distracts nobody: too few answers, and a rare pick is only chance.
RARE_PICK = 0.05
FLAG_AFTER = 20

# The sortable columns: a click shows the hardest (or most answered) first.
COLUMNS = (
    Column("difficulty", "Wrong, at least"),
    Column("answers", "Answers"),
)
SORT_KEYS = {column.key for column in COLUMNS}
DEFAULT_SORT = "-difficulty"


@dataclass(frozen=True)
class OptionFigures:
    letter: str
    html: str
    right: bool
    picks: int  # answers that picked it
    share: float  # of all the question's answers
    flagged: bool  # a distractor nobody picks: rewrite it


@dataclass
class QuestionFigures:
    prompt: Prompt  # with its card and lesson
    answers: int
    right: int
    options: list[OptionFigures] = field(default_factory=list)  # filled for a page's questions

    @property
    def share_right(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def wrong_at_least(self) -> float:
        """How hard the question is, as the hardest cards are ranked: the lower end of the
        95% Wilson interval of its wrong-answer rate, so 3 wrong in 4 ranks below 30 in 40."""
        return wilson_lower_bound(self.answers - self.right, self.answers)

    @property
    def section_title(self) -> str:
        card = self.prompt.card
        return card.lesson.sections().get(card.section, "") if card.section else ""

    @property
    def flagged(self) -> int:
        return sum(option.flagged for option in self.options)


def question_figures(sort: str = DEFAULT_SORT, card_id: int | None = None) -> list[QuestionFigures]:
    """Every studyable question (or the one of card `card_id`, as its admin page links to it)
    with its answers and right answers, sorted by `sort` (a COLUMNS key, "-" for largest
    first). Questions nobody has answered come last whatever the order: they have no figures
    to compare. One query."""
    current = Q(answers__content_hash=F("content_hash"))
    questions = Prompt.objects.filter(studyable_prompts(), card__kind=Card.Kind.QUESTION)
    if card_id is not None:
        questions = questions.filter(card_id=card_id)
    prompts = (
        questions.select_related("card__lesson")
        .only(
            "id",
            "front_html",
            "options",
            "content_hash",
            "card__id",
            "card__section",
            "card__position",
            "card__lesson__id",
            "card__lesson__title",
            "card__lesson__slug",
            "card__lesson__toc",
        )
        .annotate(
            answer_count=Count("answers", filter=current),
            right_count=Count("answers", filter=current & Q(answers__is_right=True)),
        )
        .order_by(
            *(f"card__lesson__{name}" for name in Lesson.READING_ORDER), "card__position", "pk"
        )
    )
    figures = [QuestionFigures(p, p.answer_count, p.right_count) for p in prompts]
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    answered = [row for row in figures if row.answers]
    answered.sort(
        key=lambda row: row.wrong_at_least if key == "difficulty" else row.answers,
        reverse=descending,
    )  # a stable sort: ties stay in reading order
    return answered + [row for row in figures if not row.answers]


def options_fill(rows: list[QuestionFigures]) -> None:
    """Each row's options with their pick rates, from one query over the rows' answers to
    their current wording."""
    picks: dict[int, dict[str, int]] = {row.prompt.pk: {} for row in rows}
    for prompt_id, chosen, count in (
        Answer.objects.filter(prompt__in=picks, content_hash=F("prompt__content_hash"))
        .values_list("prompt_id", "chosen")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        picks[prompt_id][chosen] = count
    for row in rows:
        per_letter = dict.fromkeys(LETTERS, 0)
        for chosen, count in picks[row.prompt.pk].items():
            for letter in chosen:
                per_letter[letter] = per_letter.get(letter, 0) + count
        row.options = [
            _option(letter, option, per_letter[letter], row.answers)
            for letter, option in zip(LETTERS, row.prompt.options, strict=False)
        ]


def _option(letter: str, option: dict, picks: int, answers: int) -> OptionFigures:
    share = picks / answers if answers else 0.0
    return OptionFigures(
        letter=letter,
        html=option["html"],
        right=option["right"],
        picks=picks,
        share=share,
        flagged=not option["right"] and answers >= FLAG_AFTER and share < RARE_PICK,
    )
