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
from portal.numbers import whole_number
from practice.answers import ask_of
from practice.forms import StartForm
from practice.models import DEFAULT_SECONDS_PER_QUESTION, Attempt, AttemptQuestion
from practice.selectors import (
    attempt_of,
    attempt_questions,
    attempt_result,
    attempts_of,
    neighbours,
    question_at,
    resume_position,
    review_lists,
    scope_question_ids,
    scope_resolve,
    seconds_left,
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
ALREADY_QUEUED = "The questions you missed in this test are already in your study queue."
REMOVED = "This question was removed from the test (its card was deleted)."


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To `url`: a redirect, or for htmx a full page load there."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url, permanent=False)


def _closed(request: HtmxHttpRequest, attempt: Attempt) -> HttpResponse | None:
    """The response for a test that takes no more answers, submitting it first if its time
    is up; None while it is open.

    A GET may submit here: an expired test is graded when its learner next opens it. That
    write is the learner's own (login required, their own test only, so no crawler reaches
    it), idempotent (attempt_submit locks and grades once, ending at the deadline whatever
    the time), and it is what "time is up" means: showing the test as open, or a result
    not yet graded, would each be a page that lies."""
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
    scope = scope_resolve(request.POST.get("scope") or request.GET.get("scope"), request.user)
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
        if attempt is not None:  # a new test, or the one a double click just started
            return redirect("practice:question", attempt.pk, resume_position(attempt))
        empty = True
    elif request.method == "GET":
        empty = not scope_question_ids(scope, request.user)
    return render(request, "practice/start.html", {"scope": scope, "form": form, "empty": empty})


def _question_page(
    request: HtmxHttpRequest, attempt: Attempt, position: int, partial: bool
) -> HttpResponse:
    questions = attempt_questions(attempt)
    current = question_at(questions, position)
    if current is None:
        raise Http404(REMOVED if 1 <= position <= attempt.question_count else "No such question.")
    previous, following = neighbours([question.position for question in questions], position)
    context = {
        "attempt": attempt,
        "questions": questions,
        "current": current,
        "ask": ask_of(current),  # the options as the test started with them
        "position": position,
        "previous": previous,
        "next": following,
        "remaining": seconds_left(attempt, timezone.now()),
    }
    template = "practice/question.html" + ("#practice-question" if partial else "")
    return render(request, template, context)


def _target(go: str, position: int, positions: list[int]) -> int | str:
    """Where a question form's button leads: "review", or a question's position (one of
    `positions`, the test's questions: a deleted card's leaves a gap)."""
    if go == "review":
        return "review"
    previous, following = neighbours(positions, position)
    if go == "previous":
        return previous or position
    if go == "next":
        return following or position
    chosen = whole_number(go, max_digits=3)
    return chosen if chosen in positions else position


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
        raise Http404("No such question.")
    try:
        positions = answer_save(
            attempt=attempt,
            position=position,
            picks=request.POST.getlist("picks"),
            flagged=bool(request.POST.get("flagged")),
            now=timezone.now(),
        )
    except AttemptQuestion.DoesNotExist:
        raise Http404(REMOVED) from None
    if positions is None:  # submitted or out of time since the attempt was read
        attempt.refresh_from_db()
        return _closed(request, attempt) or _go(request, _result_url(attempt))
    target = _target(request.POST.get("go", ""), position, positions)
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
    lists = review_lists(questions)
    return render(
        request,
        "practice/review.html",
        {
            "attempt": attempt,
            "questions": questions,
            "unanswered": lists.unanswered,
            "flagged": lists.flagged,
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
    return render(request, "practice/result.html", {"result": attempt_result(attempt)})


@login_required
@require_POST
def study_missed(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "Add the N I missed to my study queue now" (practice.services.missed_to_study_queue)."""
    attempt = attempt_of(request.user, pk)
    if not attempt.is_submitted:
        return redirect("practice:review", attempt.pk)
    done = missed_to_study_queue(
        user=request.user,
        attempt=attempt,
        now=timezone.now(),
        time_zone=study_settings_for(request.user).time_zone,
    )
    if done.already:
        messages.info(request, ALREADY_QUEUED)
        return redirect(_result_url(attempt))
    count = done.made_due + done.learning
    text = f"{count} question{'' if count == 1 else 's'} due now in your study queue."
    messages.success(request, text)
    return redirect(_result_url(attempt))
