"""Studying in Anki, for tests: Anki's own scheduler answers the cards and writes its review log.

Anki's library takes each review's moment from the system clock, so a test cannot study "on
Tuesday" with it. The answers are Anki's (its scheduler picks the cards and writes the rows);
only their moments are then moved, by hand, to the day the test studies on, a minute and a
half apart, and their time taken set, as a learner's would be. Nothing else in the row changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bench/anki_reviews.py uses this module without Anki's library
    from anki.collection import Collection

ANSWER_SECONDS = 8


def study_in_anki(
    collection: Collection, *, at: dt.datetime, answers: int, ratings=(3,), deck: str | None = None
) -> list[int]:
    """Answer up to `answers` cards as Anki's study screen serves them, with `ratings` in turn,
    then date the new log rows from `at` on. Returns their (new) revlog ids."""
    if deck is None:
        # The top deck of the collection's cards ("Topic", over "Topic::Lesson"), as a learner
        # clicks it in Anki's deck list to study everything under it.
        home = collection.db.scalar("SELECT did FROM cards ORDER BY id LIMIT 1")
        deck = collection.decks.name(home).split("::")[0]
    collection.decks.select(collection.decks.id(deck))
    before = collection.db.scalar("SELECT coalesce(max(id), 0) FROM revlog")
    for number in range(answers):
        card = collection.sched.getCard()
        if card is None:
            break
        collection.sched.answerCard(card, ratings[number % len(ratings)])
    written = collection.db.list("SELECT id FROM revlog WHERE id > ? ORDER BY id", before)
    start = int(at.timestamp() * 1000)
    moved = []
    for index, old in enumerate(written):
        new = start + index * 90_000
        collection.db.execute(
            "UPDATE revlog SET id = ?, time = ? WHERE id = ?", new, ANSWER_SECONDS * 1000, old
        )
        moved.append(new)
    return moved


def study_every_card(collection: Collection, *, at: dt.datetime, ratings=(3,)) -> list[int]:
    """Answer until every card of the collection has been answered at least once."""
    total = collection.card_count()
    moved = []
    for _ in range(10):
        moved += study_in_anki(collection, at=at + dt.timedelta(hours=len(moved)), answers=total)
        answered = collection.db.scalar("SELECT count(DISTINCT cid) FROM revlog")
        if answered == total:
            break
    return moved


def add_revlog(
    collection: Collection,
    card_id: int,
    *,
    at: dt.datetime,
    ease: int,
    kind: int,
    ivl=1,
    last=0,
    factor=2500,
) -> int:
    """One row of Anki's review log written directly, as Anki writes it (for the kinds that
    Anki's scheduler writes only through its own screens: by hand, rescheduled)."""
    revlog_id = int(at.timestamp() * 1000)
    collection.db.execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        revlog_id,
        card_id,
        ease,
        ivl,
        last,
        factor,
        ANSWER_SECONDS * 1000,
        kind,
    )
    return revlog_id


def package_with_reviews(package: bytes, rows_for) -> bytes:
    """A package built here (`decks.package.build_package`: genanki's `collection.anki2`) with
    review log rows added, as Anki would have written them had the learner studied it: a quick
    way to a package with reviews, without Anki's library. `rows_for(card_ids)` gives the rows,
    (id, card id, ease, ivl, lastIvl, time, type), from the package's card ids in note order."""
    import io
    import sqlite3
    import tempfile
    import zipfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            path.write_bytes(archive.read("collection.anki2"))
            media = archive.read("media")
        database = sqlite3.connect(path)
        card_ids = [row[0] for row in database.execute("SELECT id FROM cards ORDER BY nid, ord")]
        database.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, ?, ?, ?, 0, ?, ?)",
            rows_for(card_ids),
        )
        database.commit()
        database.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("collection.anki2", path.read_bytes())
            archive.writestr("media", media)
        return out.getvalue()


def one_review_each(start: dt.datetime, ease: int = 3):
    """`rows_for` for `package_with_reviews`: each card answered once, a minute apart, as a
    new card's first answer (learning)."""
    first = int(start.timestamp() * 1000)

    def rows_for(card_ids):
        return [
            (first + index * 60_000, card_id, ease, -600, 0, ANSWER_SECONDS * 1000, 0)
            for index, card_id in enumerate(card_ids)
        ]

    return rows_for
