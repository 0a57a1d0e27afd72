from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat

from flashcards.admin import section_choices
from flashcards.cards import EXAM_MAX, CardsError, CardSpec, check_card
from flashcards.models import Card
from lessons.models import Lesson
from notes.models import Suggestion
from notes.parser import MAX_NOTE_BYTES
from notes.services import DEFAULT_TOPIC, PRIVATE_TOPIC, NoteFile

# The kinds the rules suggest, and so the kinds an edited suggestion may take (a question's
# options are written in a questions block, not here).
SUGGESTED_KINDS = (Card.Kind.BASIC, Card.Kind.REVERSED, Card.Kind.CLOZE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.txt"}))
        # The importer refuses an empty note itself, naming the file ("a.md: the file is
        # empty") among every other file's problems; the form's own message names none.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class NoteUploadForm(forms.Form):
    notes = MultipleFileField(
        label="Note files",
        help_text="Markdown notes (.md or .txt, UTF-8, at most 1 MB each). A note whose slug "
        "matches an existing lesson updates that lesson.",
    )
    topic = forms.CharField(
        initial=DEFAULT_TOPIC,
        max_length=200,
        help_text="Topic for new lessons whose note has no **Topic:** line.",
    )
    status = forms.ChoiceField(
        choices=[("", "Keep (new lessons are published)"), *Lesson.Status.choices],
        required=False,
        help_text="Set this status on every imported lesson.",
    )
    take_over_trees = forms.BooleanField(
        required=False,
        label="Take over trees",
        help_text="Let these notes declare trees that other notes brought, and take them over.",
    )
    suggest = forms.BooleanField(
        required=False,
        label="Suggest cards",
        help_text="Propose cards from each note's emphasis (bold phrases, 'term: definition' "
        "bullets, exam-anchor lists), to accept or reject beside the lesson.",
    )
    accept_suggestions = forms.BooleanField(
        required=False,
        label="Accept the suggestions",
        help_text="Make every suggested card a card at once, with no review.",
    )
    dry_run = forms.BooleanField(
        required=False, label="Preview only", help_text="Show what would change; save nothing."
    )

    def note_files(self) -> list[NoteFile]:
        files = []
        for upload in self.cleaned_data["notes"]:
            # Read one byte past the limit so that the parser reports an oversized note,
            # without holding more than that in memory.
            files.append(NoteFile(name=upload.name, data=upload.read(MAX_NOTE_BYTES + 1)))
        return files


class SuggestionEditForm(forms.Form):
    """A suggested card as the instructor edits it before accepting it (the review page of a
    lesson's suggestions). Checked as accepting checks it (check_card, the exam line's length,
    the section among the lesson's headings), so the errors show at the suggestion's fields.

    Its fields' names are the card form's (kind, front, back, section, exam), so the card
    admin's live preview reads them as they are typed; the ids carry the suggestion's."""

    kind = forms.ChoiceField(choices=[(kind, kind.label) for kind in SUGGESTED_KINDS])
    front = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=True)
    back = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, strip=True)
    # A select whose field stays a CharField, as on the card form: clean() checks the anchor
    # against the lesson's headings, and a stale one stays shown rather than silently dropped.
    section = forms.CharField(widget=forms.Select, required=False)
    exam = forms.CharField(
        label="Exam line",
        max_length=EXAM_MAX,
        required=False,
        help_text="The exam anchor the card tests, if any; shown with the answer.",
    )

    def __init__(
        self,
        *args,
        lesson: Lesson,
        suggestion: Suggestion,
        sections: dict[str, str] | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("auto_id", f"id_suggestion-{suggestion.pk}-%s")
        kwargs.setdefault(
            "initial",
            {name: getattr(suggestion, name) for name in ("kind", "front", "back", "section")}
            | {"exam": suggestion.exam},
        )
        super().__init__(*args, **kwargs)
        self.lesson = lesson
        self.suggestion = suggestion
        # `sections`: the lesson's, read once by a page that shows many suggestions.
        self.sections = sections if sections is not None else lesson.sections()
        chosen = self.data.get("section", "") if self.is_bound else suggestion.section
        self.fields["section"].widget.choices = section_choices(self.sections, keep=chosen)

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section") or ""
        if section and section not in self.sections:
            self.add_error("section", f"“#{section}” is not a heading of the lesson.")
        if "kind" in cleaned and "front" in cleaned:
            try:
                check_card(self.spec())
            except CardsError as error:
                raise forms.ValidationError(
                    [problem.message for problem in error.problems]
                ) from None
        return cleaned

    def spec(self) -> CardSpec:
        data = self.cleaned_data
        return CardSpec(
            kind=data.get("kind", ""),
            front=data.get("front", ""),
            back=data.get("back", ""),
            section=data.get("section", ""),
            exam=data.get("exam", ""),
            line=self.suggestion.line,
        )


# A learner's upload: as many notes at once as makes sense for one person's notes, so one
# request holds at most this many megabytes (each note is read to 1 MB and a byte).
MAX_LEARNER_FILES = 20
# What one learner's upload may weigh in all. Any signed-up account may upload, and the import
# runs in the request (a 1 MB note takes about 6 s with its suggested cards): 2 MB keeps one
# request to seconds, where 20 notes of 1 MB each would hold a worker for two minutes.
MAX_LEARNER_UPLOAD_BYTES = 2 * MAX_NOTE_BYTES


class OwnNotesForm(forms.Form):
    """A learner's own notes, imported into a private topic of theirs."""

    notes = MultipleFileField(
        label="Note files",
        help_text=f"Markdown notes (.md or .txt, UTF-8, at most 1 MB each, up to "
        f"{MAX_LEARNER_FILES} files and 2 MB in all at once). Uploading a note again updates "
        "its lesson.",
    )
    topic = forms.CharField(
        initial=PRIVATE_TOPIC,
        max_length=100,
        help_text="The private topic new notes go into, unless a note names its own "
        "(a Topic: line). Only you see it.",
    )

    def clean_notes(self):
        notes = self.cleaned_data["notes"]
        if len(notes) > MAX_LEARNER_FILES:
            raise forms.ValidationError(
                f"{len(notes)} files: upload at most {MAX_LEARNER_FILES} notes at once."
            )
        total = sum(upload.size for upload in notes)
        if total > MAX_LEARNER_UPLOAD_BYTES:
            sizes = ", ".join(f"{upload.name} ({filesizeformat(upload.size)})" for upload in notes)
            raise forms.ValidationError(
                f"These files come to {filesizeformat(total)}: {sizes}. Upload at most 2 MB "
                "at once, and the rest in another upload."
            )
        return notes

    def note_files(self) -> list[NoteFile]:
        # Read one byte past the limit, as the admin's upload does: the parser then reports
        # an oversized note by its name.
        return [
            NoteFile(name=upload.name, data=upload.read(MAX_NOTE_BYTES + 1))
            for upload in self.cleaned_data["notes"]
        ]
