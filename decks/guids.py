"""Each portal card's Anki note GUID: what lets Anki update a note on a second export instead of
adding a copy, and what will let reviews done in Anki find their card again (issue 16).

The identity is the one a progress export names a card by (`backups.progress.prompt_identity`):
the lesson and the note's `id:` key when the card has one, which holds on any site that imports
the same note. A card without a key is named there by its text, which an edit changes; here it
is named by its row instead, which an edit keeps (the admin edits the row, and re-importing a
note matches a changed card to its row: `flashcards/card_sync.py`). One note per card, so the
prompt's ordinal is Anki's card ordinal within the note, not part of the GUID.
"""

from __future__ import annotations

import genanki

from flashcards.models import Card

# Part of every GUID, so that nothing else hashing the same words collides with this portal's.
_NAMESPACE = "study-portal"


def card_guid(card: Card, lesson_slug: str) -> str:
    if card.key:
        return genanki.guid_for(_NAMESPACE, "lesson", lesson_slug, "key", card.key)
    return genanki.guid_for(_NAMESPACE, "card", card.pk)
