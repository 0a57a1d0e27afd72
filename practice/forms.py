from __future__ import annotations

from django import forms

from practice.models import DEFAULT_QUESTIONS, DEFAULT_SECONDS_PER_QUESTION, QUESTIONS_RANGE


class StartForm(forms.Form):
    count = forms.IntegerField(
        label="Number of questions",
        min_value=QUESTIONS_RANGE[0],
        max_value=QUESTIONS_RANGE[1],
        initial=DEFAULT_QUESTIONS,
    )
    timed = forms.BooleanField(
        label="Timed",
        required=False,
        help_text=f"{DEFAULT_SECONDS_PER_QUESTION // 60} minutes a question, as in the exam.",
    )
