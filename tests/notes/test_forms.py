"""The note upload form: several files at once, each read no further than the size limit."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from notes.forms import NoteUploadForm
from notes.parser import MAX_NOTE_BYTES
from notes.services import DEFAULT_TOPIC, NoteFile


def form(*uploads: SimpleUploadedFile, **data) -> NoteUploadForm:
    data.setdefault("topic", DEFAULT_TOPIC)
    return NoteUploadForm(data, MultiValueDict({"notes": list(uploads)}))


def test_several_files_become_note_files_in_the_order_given():
    uploaded = form(SimpleUploadedFile("b.md", b"# B\n"), SimpleUploadedFile("a.md", b"# A\n"))
    assert uploaded.is_valid(), uploaded.errors
    assert uploaded.note_files() == [NoteFile("b.md", b"# B\n"), NoteFile("a.md", b"# A\n")]


def test_an_oversized_file_is_read_one_byte_past_the_limit_and_no_further():
    big = SimpleUploadedFile("big.md", b"a" * (MAX_NOTE_BYTES + 1000))
    uploaded = form(big)
    assert uploaded.is_valid(), uploaded.errors
    (note,) = uploaded.note_files()
    assert len(note.data) == MAX_NOTE_BYTES + 1


def test_an_empty_file_is_left_to_the_importer_which_names_it():
    uploaded = form(SimpleUploadedFile("good.md", b"# A\n"), SimpleUploadedFile("empty.md", b""))
    assert uploaded.is_valid(), uploaded.errors
    assert [(note.name, note.data) for note in uploaded.note_files()][1] == ("empty.md", b"")


def test_the_status_is_optional_and_one_of_the_lessons():
    assert form(SimpleUploadedFile("a.md", b"# A\n"), status="").is_valid()
    assert form(SimpleUploadedFile("a.md", b"# A\n"), status="draft").is_valid()
    assert "status" in form(SimpleUploadedFile("a.md", b"# A\n"), status="secret").errors
