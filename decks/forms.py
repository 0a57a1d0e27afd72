from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat


class DeckExportForm(forms.Form):
    """The export page's GET form: which cards, and whether with the reader's schedule."""

    scope = forms.ChoiceField(label="Cards")
    schedule = forms.BooleanField(
        label="Include my scheduling",
        required=False,
        help_text="Each card you have studied arrives in Anki with its FSRS memory state and due "
        "date; tick “Import any learning progress” when Anki asks. Cards you have not studied "
        "arrive new.",
    )

    def __init__(self, *args, scopes, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes
        if not signed_in:
            del self.fields["schedule"]


# What one upload of Anki reviews may weigh. It is read in memory (decks/reading.py caps what
# reading it may cost), and a learner's collection of ten thousand cards with years of reviews
# is a few megabytes without media: 100 MB leaves room for a collection with its media.
MAX_REVIEWS_UPLOAD_BYTES = 100 * 1024 * 1024


class AnkiReviewsForm(forms.Form):
    """A learner's Anki collection or deck export, whose reviews come back into their log."""

    package = forms.FileField(
        label="Anki file",
        widget=forms.ClearableFileInput(attrs={"accept": ".colpkg,.apkg"}),
        help_text="A whole collection (File › Export › “Anki Collection Package”, .colpkg) or "
        "a deck exported with “Include scheduling information” (.apkg); at most 100 MB.",
    )

    def clean_package(self):
        package = self.cleaned_data["package"]
        if package.size > MAX_REVIEWS_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"{package.name} is {filesizeformat(package.size)}: upload at most 100 MB. "
                "Export without media (untick “Include media”), which keeps every review."
            )
        return package
