from __future__ import annotations

from django import forms


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
