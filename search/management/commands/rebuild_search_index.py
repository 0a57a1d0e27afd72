"""`manage.py rebuild_search_index`: empty the search index and fill it from the content."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search.services import index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every lesson, card and tree. Saving content keeps the "
        "index current; this is for after loading fixtures or changing how text is indexed."
    )

    def handle(self, *args, **options) -> None:
        counts = index_rebuild()
        self.stdout.write(
            f"Indexed lesson sections: {counts.sections}, cards: {counts.cards}, "
            f"trees: {counts.trees}."
        )
