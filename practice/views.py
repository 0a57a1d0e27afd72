"""Practice tests: starting one, answering its questions one a page, reviewing and submitting
it, its result, and the learner's past tests.

Every view works without JavaScript (plain forms and redirects); moving between questions
with htmx swaps the `practice-question` partial of the same template. A test is the
learner's own: another learner's is a 404. A submitted test takes no more answers: a POST to
it is sent to its result with a message saying so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from flashcards.selectors import study_settings_for
from portal.htmx import HtmxHttpRequest
from practice.answers import answer_check, ask_of
from practice.forms import StartForm
from practice.models import DEFAULT_SECONDS_PER_QUESTION, Attempt
from practice.selectors import (
    attempt_of,
    attempt_questions,
    attempt_result,
    attempts_of,
    scope_question_ids,
    scope_resolve,
)
from practice.services import (
    answer_save,
    attempt_start,
    attempt_submit,
    is_expired,
    missed_to_study_queue,
)

SUBMITTED = "This test is already submitted: its answers can no longer change."
TIME_UP = "Time is up: your test was submitted with the answers given before the deadline."


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To `url`: a redirect, or for htmx a full page load there."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url, permanent=False)


def _closed(request: HtmxHttpRequest, attempt: Attempt) -> HttpResponse | None:
    """The response for a test that takes no more answers, submitting it first if its time
    is up; None while it is open."""
    if attempt.is_submitted:
        if request.method == "POST":
            messages.error(request, SUBMITTED)
        return _go(request, _result_url(attempt))
    if is_expired(attempt, timezone.now()):
        attempt_submit(attempt=attempt, now=timezone.now())
        messages.info(request, TIME_UP)
        return _go(request, _result_url(attempt))
    return None


def _result_url(attempt: Attempt) -> str:
    return reverse("practice:result", args=[attempt.pk])


@login_required
@require_safe
def attempts(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "practice/attempts.html", {"attempts": attempts_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HtmxHttpRequest) -> HttpResponse:
    scope = scope_resolve(request.POST.get("scope") or request.GET.get("scope"))
    if scope is None:
        raise Http404("No such lesson or topic.")
    form = StartForm(request.POST or None)
    empty = False
    if request.method == "POST" and form.is_valid():
        attempt = attempt_start(
            user=request.user,
            scope=scope,
            count=form.cleaned_data["count"],
            timed=form.cleaned_data["timed"],
            now=timezone.now(),
            seconds_per_question=DEFAULT_SECONDS_PER_QUESTION,
        )
        if attempt is not None:
            return redirect("practice:question", attempt.pk, 1)
        empty = True
    elif request.method == "GET":
        empty = not scope_question_ids(scope)
    return render(request, "practice/start.html", {"scope": scope, "form": form, "empty": empty})


def _question_page(
    request: HtmxHttpRequest, attempt: Attempt, position: int, partial: bool
) -> HttpResponse:
    questions = attempt_questions(attempt)
    if not 1 <= position <= len(questions):
        raise Http404("No such question in this test.")
    current = questions[position - 1]
    context = {
        "attempt": attempt,
        "questions": questions,
        "current": current,
        "ask": ask_of(current.prompt),
        "position": position,
        "remaining": (
            max(0, int((attempt.deadline - timezone.now()).total_seconds()))
            if attempt.deadline
            else None
        ),
    }
    template = "practice/question.html" + ("#practice-question" if partial else "")
    return render(request, template, context)


def _target(go: str, position: int, count: int) -> int | str:
    """Where a question form's button leads: "review", or a question's position."""
    if go == "review":
        return "review"
    if go == "previous":
        return max(1, position - 1)
    if go == "next":
        return min(count, position + 1)
    if go.isdigit() and 1 <= int(go) <= count:
        return int(go)
    return position


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def question(request: HtmxHttpRequest, pk: int, position: int) -> HttpResponse:
    """One question of a test; a POST keeps the picks and the flag, then goes where the
    button said (the previous or next question, one from the map, or the review page)."""
    attempt = attempt_of(request.user, pk)
    closed = _closed(request, attempt)
    if closed is not None:
        return closed
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    if request.method == "GET":
        return _question_page(request, attempt, position, partial)
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this test.")
    saved = answer_save(
        attempt=attempt,
        position=position,
        picks=request.POST.getlist("picks"),
        flagged=bool(request.POST.get("flagged")),
        now=timezone.now(),
    )
    if not saved:  # submitted or out of time since the attempt was read
        attempt.refresh_from_db()
        return _closed(request, attempt) or _go(request, _result_url(attempt))
    target = _target(request.POST.get("go", ""), position, attempt.question_count)
    if target == "review":
        return _go(request, reverse("practice:review", args=[attempt.pk]))
    if partial:
        response = _question_page(request, attempt, target, partial=True)
        return push_url(response, reverse("practice:question", args=[attempt.pk, target]))
    return redirect("practice:question", attempt.pk, target)


@login_required
@require_safe
def review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Before the final submit: which questions are unanswered and which flagged."""
    attempt = attempt_of(request.user, pk)
    closed = _closed(request, attempt)
    if closed is not None:
        return closed
    questions = attempt_questions(attempt)
    return render(
        request,
        "practice/review.html",
        {
            "attempt": attempt,
            "questions": questions,
            "unanswered": [q for q in questions if not q.chosen],
            "flagged": [q for q in questions if q.flagged],
        },
    )


@login_required
@require_POST
def submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    attempt = attempt_of(request.user, pk)
    if attempt.is_submitted:
        messages.error(request, SUBMITTED)
    else:
        attempt_submit(attempt=attempt, now=timezone.now())
    return _go(request, _result_url(attempt))


@login_required
@require_safe
def result(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    attempt = attempt_of(request.user, pk)
    if not attempt.is_submitted:
        closed = _closed(request, attempt)  # an expired timed test is submitted now
        if closed is not None:
            return closed
        return redirect("practice:review", attempt.pk)
    outcome = attempt_result(attempt)
    return render(
        request,
        "practice/result.html",
        {
            "result": outcome,
            "rows": [
                {
                    "question": question,
                    "verdicts": _verdicts(question),
                }
                for question in outcome.questions
            ],
        },
    )


def _verdicts(question) -> list[dict]:
    return answer_check(question.prompt, question.chosen).verdicts(question.prompt.options)


@login_required
@require_POST
def study_missed(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "Add the N I missed to my study queue now" (practice.services.missed_to_study_queue)."""
    attempt = attempt_of(request.user, pk)
    if not attempt.is_submitted:
        return redirect("practice:review", attempt.pk)
    made_due, left_new = missed_to_study_queue(
        user=request.user,
        attempt=attempt,
        now=timezone.now(),
        time_zone=study_settings_for(request.user).time_zone,
    )
    text = f"{made_due} question{'' if made_due == 1 else 's'} due now in your study queue."
    if left_new:
        text += (
            f" {left_new} never studied stay{'s' if left_new == 1 else ''} new: "
            "they come with your new cards."
        )
    messages.success(request, text)
    return redirect(_result_url(attempt))
