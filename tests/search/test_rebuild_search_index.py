"""`manage.py rebuild_search_index`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from search.models import Entry
from tests.conftest import make_card, make_lesson, make_tree
from tests.search.conftest import found

pytestmark = pytest.mark.django_db


def test_the_command_rebuilds_the_index_and_reports_what_it_indexed():
    lesson = make_lesson(body="## Walruses\n\nTusks.\n")
    make_card(lesson=lesson, front="Walrus?")
    make_tree(title="Walrus tree")
    Entry.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue() == "Indexed lesson sections: 2, cards: 1, trees: 1.\n"
    assert len(found("walrus")) == 3
