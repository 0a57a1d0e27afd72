"""Card actions during study: bury until tomorrow, suspend, flag."""

from __future__ import annotations

import pytest

from flashcards.days import next_midnight
from flashcards.marks import MarkSnapshot
from flashcards.models import Card, PromptMark, StudySettings
from flashcards.study_actions import BURY, FLAG, SUSPEND, card_action
from flashcards.tokens import GradeRefused
from tests.conftest import make_card, make_user
from tests.flashcards.conftest import NOW, token_for

pytestmark = pytest.mark.django_db


def act(user, prompt, action, flag=None, time_zone="Europe/Paris"):
    return card_action(
        user=user,
        token=token_for(user, prompt),
        action=action,
        flag=flag,
        study_settings=StudySettings(user=user, time_zone=time_zone),
        now=NOW,
    )


def test_bury_holds_the_card_until_the_learners_midnight(learner):
    prompt = make_card().prompts.get()
    result = act(learner, prompt, BURY)
    mark = PromptMark.objects.get()
    assert mark.buried_until == next_midnight(NOW, "Europe/Paris")
    assert (mark.suspended, mark.flag) == (False, 0)
    assert result.before == [MarkSnapshot(prompt_id=prompt.pk)]
    assert result.notice == "Card buried until tomorrow. Undo (U)"


def test_suspend_and_flag_keep_the_cards_other_marks(learner):
    prompt = make_card().prompts.get()
    act(learner, prompt, FLAG, flag=PromptMark.Flag.ORANGE)
    result = act(learner, prompt, SUSPEND)
    assert result.before == [MarkSnapshot(prompt_id=prompt.pk, flag=PromptMark.Flag.ORANGE)]
    mark = PromptMark.objects.get()
    assert (mark.suspended, mark.flag) == (True, PromptMark.Flag.ORANGE)
    assert act(learner, prompt, FLAG, flag=0).notice == "Flag removed. Undo (U)"
    assert act(learner, prompt, FLAG, flag=4).notice == "Card flagged blue. Undo (U)"


@pytest.mark.parametrize(("action", "flag"), [("delete", None), (FLAG, 5), (FLAG, None), ("", 1)])
def test_anything_else_is_refused_and_marks_nothing(learner, action, flag):
    prompt = make_card().prompts.get()
    with pytest.raises(GradeRefused) as refused:
        act(learner, prompt, action, flag=flag)
    assert refused.value.status == 400
    assert not PromptMark.objects.exists()


def test_only_ones_own_live_cards_can_be_marked(learner):
    card = make_card()
    prompt = card.prompts.get()
    other = make_user()
    with pytest.raises(GradeRefused) as refused:
        card_action(
            user=other,
            token=token_for(learner, prompt),
            action=BURY,
            flag=None,
            study_settings=StudySettings(user=other),
            now=NOW,
        )
    assert refused.value.status == 404
    Card.objects.filter(pk=card.pk).update(is_active=False)
    with pytest.raises(GradeRefused) as refused:
        act(learner, prompt, SUSPEND)
    assert refused.value.status == 404
    assert not PromptMark.objects.exists()
