from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat

from decks.importing import DEFAULT_TOPIC, MAX_UPLOAD_BYTES
from decks.services import DeckFile
from notes.forms import MultipleFileField, MultipleFileInput


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


class DeckUploadForm(forms.Form):
    """The admin's upload of Anki packages (the same import as `manage.py import_apkg`)."""

    packages = MultipleFileField(
        label="Anki packages",
        widget=MultipleFileInput(attrs={"accept": ".apkg,.colpkg"}),
        help_text="Decks exported from Anki (.apkg) or a whole collection (.colpkg), at most "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB in all. A deck imported before updates its "
        "lesson.",
    )
    topic = forms.CharField(
        initial=DEFAULT_TOPIC,
        max_length=200,
        help_text="Topic for lessons of top-level decks; a deck “Topic::Deck” goes in “Topic”.",
    )
    dry_run = forms.BooleanField(
        required=False, label="Preview only", help_text="Show what would change; save nothing."
    )

    def clean_packages(self):
        # Each is read into memory to be opened: bound them together, before reading any.
        uploads = self.cleaned_data["packages"]
        total = sum(upload.size for upload in uploads)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"These files are {total:,} bytes together; upload at most "
                f"{MAX_UPLOAD_BYTES:,} bytes (100 MB) at a time."
            )
        return uploads

    def deck_files(self) -> list[DeckFile]:
        # One byte past the limit, so that the importer reports an oversized package without
        # this holding more than that in memory.
        return [
            DeckFile(name=upload.name, data=upload.read(MAX_UPLOAD_BYTES + 1))
            for upload in self.cleaned_data["packages"]
        ]


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
        # The deck import's limit: a learner's collection of ten thousand cards with years of
        # reviews is a few megabytes without media, and 100 MB leaves room for its media.
        if package.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"{package.name} is {filesizeformat(package.size)}: upload at most 100 MB. "
                "Export without media (untick “Include media”), which keeps every review."
            )
        return package
