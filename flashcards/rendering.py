"""A prompt's faces as HTML, rendered once when its card is saved (flashcards/card_sync.py)
and the same way for the admin's preview (flashcards/preview.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from flashcards.cards import QUESTION, PromptSpec
from flashcards.options import LETTERS, parse_options
from portal.markdown import render_markdown


@dataclass(frozen=True)
class RenderedPrompt:
    front_html: str
    back_html: str
    # A question's options, in order: {"html", "why_html", "right"}. Kept apart from the
    # faces so that a page can show the options without saying which are right.
    options: list[dict] = field(default_factory=list)


def render_prompt(kind: str, spec: PromptSpec) -> RenderedPrompt:
    """Raises MarkdownTooDeep for text nested too deep (check_card has said so first)."""
    front_html = render_markdown(spec.front).html
    if kind != QUESTION:
        return RenderedPrompt(front_html, render_markdown(spec.back).html)
    options = [
        {
            "html": render_markdown(option.text).html,
            "why_html": render_markdown(option.why).html,
            "right": option.correct,
        }
        for option in parse_options(spec.back)
    ]
    return RenderedPrompt(front_html, answer_sheet_html(options), options)


def answer_sheet_html(options: list[dict]) -> str:
    """Every option lettered, marked right or wrong, with why: a question's answer, for the
    pages that show a card's back whole (the preview, My cards)."""
    items = format_html_join(
        "",
        '<li class="option option-{}"><span class="option-letter">{}</span>'
        '<span class="option-verdict">{}</span><div class="option-text">{}</div>'
        '<div class="option-why">{}</div></li>',
        (
            (
                "right" if option["right"] else "wrong",
                letter,
                "Right" if option["right"] else "Wrong",
                mark_safe(option["html"]),  # sanitized by render_markdown
                mark_safe(option["why_html"]),
            )
            for letter, option in zip(LETTERS, options, strict=False)
        ),
    )
    return str(format_html('<ol class="answer-sheet">{}</ol>', items))
