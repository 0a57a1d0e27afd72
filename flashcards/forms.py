from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from flashcards.allowance import EXTRA_MAX
from flashcards.card_actions import ACTIONS, DAYS_MAX, RESCHEDULE, day_range_parse
from flashcards.days import known_time_zones, local_date
from flashcards.models import (
    LEARN_AHEAD_RANGE,
    MAXIMUM_INTERVAL_RANGE,
    NEW_PER_DAY_MAX,
    RETENTION_RANGE,
    StudySettings,
)
from flashcards.selectors import Scope
from portal.numbers import whole_number


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_time_zones())]


class StudySettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices, help_text="Your days start at midnight here."
    )

    class Meta:
        model = StudySettings
        fields = (
            "desired_retention",
            "maximum_interval",
            "new_per_day",
            "learn_ahead_minutes",
            "bury_new_siblings",
            "bury_review_siblings",
            "time_zone",
            "exam_date",
        )
        widgets = {"exam_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {
            "exam_date": "Exam date (optional)",
            "desired_retention": "Desired retention",
            "maximum_interval": "Maximum interval (days)",
            "new_per_day": "New cards per day",
            "learn_ahead_minutes": "Learn ahead limit (minutes)",
            "bury_new_siblings": "Bury new siblings",
            "bury_review_siblings": "Bury review siblings",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form from a page older than the setting leaves it as it was.
        self.fields["learn_ahead_minutes"].required = False

    def save(self, commit: bool = True) -> StudySettings:
        """Writes the form's own fields only: the row also holds personal FSRS parameters and
        custom study's per-scope new cards, which a fit or a "+N" in another tab may have
        changed since this form was read, and which saving the whole row would undo."""
        study_settings = super().save(commit=False)
        if commit:
            if study_settings.pk is None:
                study_settings.save()
            else:
                study_settings.save(update_fields=self._meta.fields)
        return study_settings

    def clean_desired_retention(self) -> float:
        value = self.cleaned_data["desired_retention"]
        low, high = RETENTION_RANGE
        if not low <= value <= high:
            raise forms.ValidationError(
                f"Choose a retention between {low:.2f} and {high:.2f} (0.90 is usual)."
            )
        return value

    def clean_maximum_interval(self) -> int:
        value = self.cleaned_data["maximum_interval"]
        low, high = MAXIMUM_INTERVAL_RANGE
        if not low <= value <= high:
            raise forms.ValidationError(f"Between {low:,} and {high:,} days.")
        return value

    def clean_exam_date(self) -> dt.date | None:
        value = self.cleaned_data["exam_date"]
        zone = self.cleaned_data.get("time_zone") or self.instance.time_zone
        if value is not None and value <= local_date(timezone.now(), zone):
            raise forms.ValidationError("Choose a day after today, or leave it empty.")
        return value

    def clean_new_per_day(self) -> int:
        value = self.cleaned_data["new_per_day"]
        if value > NEW_PER_DAY_MAX:
            raise forms.ValidationError(f"At most {NEW_PER_DAY_MAX:,} new cards a day.")
        return value

    def clean_learn_ahead_minutes(self) -> int:
        value = self.cleaned_data["learn_ahead_minutes"]
        if value is None:
            return self.instance.learn_ahead_minutes
        low, high = LEARN_AHEAD_RANGE
        if not low <= value <= high:
            raise forms.ValidationError(f"Between {low:,} and {high:,} minutes (20 is usual).")
        return value


# More than a few pages' worth in one POST is not a selection made on the page.
CARD_ACTION_MAX = 1000


class PromptIdsField(forms.Field):
    """The prompts ticked in "My cards": one `prompt` value per checkbox."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Select at least one card.", "invalid": "Select cards."}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        ids = [whole_number(item) for item in value]
        if None in ids or len(ids) > CARD_ACTION_MAX:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted(set(ids))


class CardActionForm(forms.Form):
    """A bulk action on the cards ticked in "My cards"."""

    action = forms.ChoiceField(choices=ACTIONS)
    prompt = PromptIdsField()
    days = forms.CharField(required=False, max_length=20)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == RESCHEDULE:
            days = day_range_parse(cleaned.get("days", ""))
            if days is None:
                self.add_error(
                    "days",
                    f"Give the days from today as a number (7) or a range (3-7), 0 to {DAYS_MAX}.",
                )
            cleaned["day_range"] = days
        return cleaned


class ExtraNewCardsForm(forms.Form):
    """Custom study: more new cards today, in this scope."""

    count = forms.IntegerField(
        label="How many more new cards", min_value=1, max_value=EXTRA_MAX, initial=10
    )


class ScopeLimitForm(forms.Form):
    """A lesson's, tag's or the exam cards' own new cards a day."""

    limit = forms.IntegerField(
        label="New cards a day here",
        min_value=0,
        max_value=NEW_PER_DAY_MAX,
        required=False,
        help_text="Leave empty for only your overall limit.",
    )


class ReviewAheadForm(forms.Form):
    days = forms.IntegerField(
        label="Days ahead",
        min_value=Scope.AHEAD_DAYS[0],
        max_value=Scope.AHEAD_DAYS[1],
        initial=7,
    )
