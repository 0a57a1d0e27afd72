"""The load test's work inside its database (run by bench/load.py, with its environment).

    python -m bench.load_db prepare LEARNERS CARDS   prints JSON: each learner's id and cookie
    python -m bench.load_db audit GRADES.json        prints JSON: what the log says of the grades

`prepare` makes learners who may start any number of new cards a day, on a deck topped up to
CARDS prompts (the bundled notes, then generate_dataset's practice lesson), so nobody runs out
of cards during the run. `audit` checks every grade the load script sent against the review
log: see `audit` for the rules.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import signing  # noqa: E402
from django.db import transaction  # noqa: E402

from bench.load import ACKNOWLEDGED  # noqa: E402
from bench.prepare import CSRF_SECRET, signed_in_cookie  # noqa: E402
from flashcards.grading import states_rebuild  # noqa: E402
from flashcards.management.commands.generate_dataset import practice_prompts  # noqa: E402
from flashcards.models import PromptState, Review, StudySettings  # noqa: E402
from flashcards.scheduling import Memory  # noqa: E402
from flashcards.tokens import TOKEN_SALT  # noqa: E402

PREFIX = "learner"


def prepare(learners: int, cards: int) -> dict:
    prompts = practice_prompts(cards)
    User = get_user_model()
    users = [User.objects.create_user(f"{PREFIX}{number:03d}") for number in range(learners)]
    StudySettings.objects.bulk_create(
        [StudySettings(user=user, new_per_day=10_000) for user in users]
    )
    return {
        "csrf": CSRF_SECRET,
        "prompts": len(prompts),
        "learners": [{"id": user.pk, "cookie": signed_in_cookie(user)} for user in users],
    }


def audit(grades: list[dict]) -> dict:
    """Hold the review log against the grades sent. Every list in the answer should be empty.

    Within one learner and prompt the log is a chain, in id order (grades of one state queue
    on its row lock): the review at position v moved the state from version v to v + 1, its
    `before` is the previous review's `after`, and the state is the last review's `after` at
    version len(chain). So an acknowledged grade naming version v is in the log exactly once
    when position v holds a review with its rating; a grade applied twice breaks the chain; a
    review no sent grade explains was invented.
    """
    chains: dict[tuple[int, int], list[Review]] = defaultdict(list)
    for review in Review.objects.order_by("id").iterator():
        chains[review.user_id, review.prompt_id].append(review)
    states = {(state.user_id, state.prompt_id): state for state in PromptState.objects.all()}
    problems: dict[str, list] = defaultdict(list)

    for key, chain in chains.items():
        if chain[0].before is not None:
            problems["chain_breaks"].append([*key, 0])
        for position, (earlier, later) in enumerate(pairwise(chain), start=1):
            if later.before != earlier.after:
                kind = "duplicated" if later.before == earlier.before else "chain_breaks"
                problems[kind].append([*key, position])
        state = states.get(key)
        if state is None:
            problems["lost_states"].append(list(key))
        elif state.version != len(chain) or Memory.from_row(state) != Memory.from_json(
            chain[-1].after
        ):
            problems["stale_states"].append(list(key))
    problems["states_without_reviews"] = [list(key) for key in states.keys() - chains.keys()]

    sent: set[tuple[int, int, int]] = set()
    acknowledged = 0
    for grade in grades:
        payload = signing.loads(grade["token"], salt=TOKEN_SALT)
        user, prompt, version = payload["u"], payload["p"], payload["v"]
        sent.add((user, prompt, version))
        if grade["outcome"] != ACKNOWLEDGED:
            continue
        acknowledged += 1
        chain = chains.get((user, prompt), [])
        if version >= len(chain) or chain[version].rating != grade["rating"]:
            problems["lost"].append([user, prompt, version])
    problems["unexplained"] = [
        [*key, version]
        for key, chain in chains.items()
        for version in range(len(chain))
        if (*key, version) not in sent
    ]
    problems["rebuild_mismatches"] = rebuild_mismatches({user for user, _ in chains})
    return {
        "reviews": sum(len(chain) for chain in chains.values()),
        "states": len(states),
        "acknowledged": acknowledged,
        "problems": {kind: found for kind, found in problems.items() if found},
    }


def rebuild_mismatches(user_ids: set[int]) -> list[list[int]]:
    """(learner, prompt) pairs whose state differs from `states_rebuild`'s, which is rolled back."""
    fields = [name for name in PromptState.STUDY_FIELDS if name != "id"]
    mismatches = []
    for user in get_user_model().objects.filter(pk__in=user_ids):
        with transaction.atomic():
            stored = set(PromptState.objects.filter(user=user).values_list(*fields))
            states_rebuild(user=user)
            rebuilt = set(PromptState.objects.filter(user=user).values_list(*fields))
            transaction.set_rollback(True)
        mismatches += [[user.pk, prompt] for prompt in sorted({row[1] for row in stored ^ rebuilt})]
    return mismatches


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "prepare":
        result = prepare(int(arguments[0]), int(arguments[1]))
    else:
        result = audit(json.loads(Path(arguments[0]).read_text()))
    json.dump(result, sys.stdout)
