"""Studying flashcards: the session page, grading, card actions, undoing, and the settings.

Every view works without JavaScript (plain forms and redirects); for htmx requests the same
views answer with the `study-card` partial of the same template.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from flashcards.card_actions import ACTIONS, cards_act
from flashcards.card_list import FILTER_CHOICES, CardFilters, card_list_page
from flashcards.custom_study import (
    custom_study_panel,
    extra_new_cards_add,
    forgotten_mode,
    scope_limit_set,
)
from flashcards.forms import (
    CardActionForm,
    ExtraNewCardsForm,
    ReviewAheadForm,
    ScopeLimitForm,
    StudySettingsForm,
)
from flashcards.grading import RATING_REFUSED, grade_submit
from flashcards.models import Card, FsrsFit, StudySettings
from flashcards.personal_fsrs import FIT_QUEUED, fit_request, fsrs_panel_for, parameters_reset
from flashcards.selectors import (
    Scope,
    exam_cards_exist,
    new_prompts_in_order,
    study_settings_for,
)
from flashcards.study import build_study_page, record_grade, record_undo
from flashcards.study_actions import FLAG, card_action
from flashcards.study_questions import study_check
from flashcards.tokens import GradeRefused
from flashcards.undo import push_grade, push_marks, undo_last
from portal.htmx import HtmxHttpRequest
from portal.numbers import whole_number
from practice.answers import ask_of


def _study_url(scope: Scope, **extra) -> str:
    query = {"scope": str(scope), **extra} if str(scope) != "all" or extra else {}
    return reverse("flashcards:study") + (f"?{urlencode(query)}" if query else "")


def _render_study(
    request: HtmxHttpRequest,
    scope: Scope,
    study_settings: StudySettings | None = None,
    notice: str = "",
    **options,
) -> HttpResponse:
    if study_settings is None:
        study_settings = study_settings_for(request.user)
    page = build_study_page(
        user=request.user,
        session=request.session,
        scope=scope,
        study_settings=study_settings,
        now=timezone.now(),
        **options,
    )
    context = {"page": page, "scope": scope, "notice": notice}
    template = "flashcards/study.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#study-card"
    elif scope.kind != Scope.EXAM:
        # The page's header offers the exam scope; the card alone (htmx) has no header.
        context["exam_scope_offered"] = exam_cards_exist(request.user)
    return render(request, template, context)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def study(request: HtmxHttpRequest) -> HttpResponse:
    scope = Scope.parse(request.GET.get("scope"))
    return _render_study(
        request,
        scope,
        reveal=request.GET.get("reveal"),
        prefer_prompt=whole_number(request.GET.get("again")),
    )


@login_required
@require_POST
def grade(request: HtmxHttpRequest) -> HttpResponse:
    scope = Scope.parse(request.POST.get("scope"))
    rating = whole_number(request.POST.get("rating"))
    if rating is None:
        return _refused(GradeRefused(RATING_REFUSED))
    # Read once for the grade and the next card alike.
    study_settings = study_settings_for(request.user)
    try:
        result = grade_submit(
            user=request.user,
            token=request.POST.get("token", ""),
            rating=rating,
            study_settings=study_settings,
            scope=scope,
        )
    except GradeRefused as refused:
        return _refused(refused)
    if result.applied:
        record_grade(request.session, scope, result.review, result.lesson_id)
        push_grade(request.session, scope, result.review)
    notice = result.notice
    if request.htmx:
        return _render_study(request, scope, study_settings, notice=notice)
    if notice:
        messages.info(request, notice)  # shown above the next card, on the page redirected to
    return _see_other(_study_url(scope))


@login_required
@require_POST
def check(request: HtmxHttpRequest) -> HttpResponse:
    """Check the picks on the question shown, log the answer once for that showing, and show
    its back: each option's verdict and the grade buttons, the proposed one pre-selected.
    Without htmx, a 303 to the study page showing that back (a reload asks nothing again)."""
    scope = Scope.parse(request.POST.get("scope"))
    token = request.POST.get("token", "")
    try:
        result = study_check(user=request.user, token=token, picks=request.POST.getlist("pick"))
    except GradeRefused as refused:
        return _refused(refused)
    reveal = token if result.answer else None
    if request.htmx:
        return _render_study(
            request,
            scope,
            notice=result.notice,
            reveal=reveal,
            prefer_prompt=result.prompt_id,
            answer=result.answer,
        )
    if result.notice:
        messages.info(request, result.notice)
    return _see_other(
        _study_url(scope, again=result.prompt_id, **({"reveal": reveal} if reveal else {}))
    )


@login_required
@require_POST
def card(request: HtmxHttpRequest) -> HttpResponse:
    """Bury, suspend or flag the card shown; the button pressed names the action. A flag
    leaves the card on screen, on the side it was on; bury and suspend move on to the next."""
    scope = Scope.parse(request.POST.get("scope"))
    token = request.POST.get("token", "")
    flag = whole_number(request.POST.get("flag"))
    action = FLAG if "flag" in request.POST else request.POST.get("action", "")
    study_settings = study_settings_for(request.user)
    try:
        result = card_action(
            user=request.user,
            token=token,
            action=action,
            flag=flag,
            study_settings=study_settings,
            now=timezone.now(),
        )
    except GradeRefused as refused:
        return _refused(refused)
    push_marks(
        request.session,
        scope,
        kind=result.kind,
        prompt_id=result.prompt_id,
        before=result.before,
    )
    # The answer stays shown after a flag if it was (the token still matches the card).
    reveal = token if result.kind == FLAG and request.POST.get("revealed") else None
    if request.htmx:
        return _render_study(request, scope, study_settings, notice=result.notice, reveal=reveal)
    messages.info(request, result.notice)
    return _see_other(_study_url(scope, **({"reveal": reveal} if reveal else {})))


@login_required
@require_POST
def undo(request: HtmxHttpRequest) -> HttpResponse:
    """Take back the newest grade or card action of the session, and show its card again."""
    scope = Scope.parse(request.POST.get("scope"))
    try:
        undone = undo_last(
            user=request.user,
            session=request.session,
            scope=scope,
            token=request.POST.get("token", ""),
        )
    except GradeRefused as refused:
        return _refused(refused)
    if undone.review is not None:
        record_undo(request.session, scope, undone.review)
    if request.htmx:
        return _render_study(request, scope, notice=undone.notice, prefer_prompt=undone.prompt_id)
    messages.info(request, undone.notice)
    again = {"again": undone.prompt_id} if undone.prompt_id else {}
    return _see_other(_study_url(scope, **again))


def _see_other(url: str) -> HttpResponseRedirect:
    """After a POST, 303 See Other: the browser follows with a GET, and the back button and
    reload never resubmit the grade."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _refused(refused: GradeRefused) -> HttpResponse:
    # htmx does not swap error responses; static/js/study.js shows this text instead.
    return HttpResponse(
        refused.message, status=refused.status, content_type="text/plain; charset=utf-8"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def study_settings(request: HtmxHttpRequest) -> HttpResponse:
    """The settings form, and personal FSRS: the button pressed names the action."""
    current = study_settings_for(request.user)
    if request.method == "POST" and "fsrs_fit" in request.POST:
        job = fit_request(user=request.user, reschedule="reschedule" in request.POST)
        level = messages.WARNING if job.status == FsrsFit.Status.REFUSED else messages.INFO
        messages.add_message(request, level, job.message or FIT_QUEUED)
        return _see_other(reverse("flashcards:settings") + "#personal-fsrs")
    if request.method == "POST" and "fsrs_reset" in request.POST:
        parameters_reset(user=request.user)
        messages.success(request, "FSRS's default parameters are in use again.")
        return _see_other(reverse("flashcards:settings") + "#personal-fsrs")
    form = StudySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your study settings are saved.")
        return redirect("flashcards:settings")
    context = {"form": form, "fsrs": fsrs_panel_for(request.user, current)}
    template = "flashcards/settings.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#personal-fsrs"  # the panel polls itself while a fit waits or runs
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_cards(request: HttpRequest) -> HttpResponse:
    """The learner's cards, filtered and sorted by the query string; a POST applies a bulk
    action to the ticked ones and comes back to the same filtered page."""
    study_settings = study_settings_for(request.user)
    now = timezone.now()
    if request.method == "POST":
        form = CardActionForm(request.POST)
        if form.is_valid():
            done = cards_act(
                user=request.user,
                action=form.cleaned_data["action"],
                prompt_ids=form.cleaned_data["prompt"],
                days=form.cleaned_data.get("day_range"),
                now=now,
                time_zone=study_settings.time_zone,
            )
            messages.success(request, done)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        # The form's action is this page's own address, filters and page included.
        return _see_other(request.get_full_path())
    listing = card_list_page(
        request.user,
        CardFilters.parse(request.GET),
        page_number=request.GET.get("page"),
        now=now,
        time_zone=study_settings.time_zone,
    )
    context = {"listing": listing, "now": now, "action_choices": ACTIONS, **FILTER_CHOICES}
    return render(request, "flashcards/cards.html", context)


def _custom_url(scope: Scope) -> str:
    return reverse("flashcards:custom") + f"?{urlencode({'scope': str(scope.base)})}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def custom_study(request: HttpRequest) -> HttpResponse:
    """Custom study for a scope: more new cards today, its own daily limit, review ahead,
    today's forgotten cards, preview. The button pressed names the action; each valid form
    ends in a 303 to the session it opens (or back here), and nothing needs JavaScript."""
    data = request.POST if request.method == "POST" else None
    scope = Scope.parse((data or request.GET).get("scope")).base
    now = timezone.now()
    forms = {
        "more_new": ExtraNewCardsForm(data if data and "more_new" in data else None),
        "own_limit": ScopeLimitForm(data if data and "own_limit" in data else None),
        "ahead": ReviewAheadForm(data if data and "ahead" in data else None),
    }
    if data and "more_new" in data and forms["more_new"].is_valid():
        count = forms["more_new"].cleaned_data["count"]
        extra_new_cards_add(user=request.user, scope=scope, count=count, now=now)
        messages.success(request, f"{count} more new cards today here.")
        return _see_other(_study_url(scope))
    if data and "own_limit" in data and scope.kind != "all" and forms["own_limit"].is_valid():
        limit = forms["own_limit"].cleaned_data["limit"]
        scope_limit_set(user=request.user, scope=scope, limit=limit)
        messages.success(request, "The new-card limit here is saved.")
        return _see_other(_custom_url(scope))
    if data and "ahead" in data and forms["ahead"].is_valid():
        days = forms["ahead"].cleaned_data["days"]
        return _see_other(_study_url(scope.with_mode(f"{Scope.AHEAD}:{days}")))
    study_settings = study_settings_for(request.user)
    if data and "forgotten" in data:
        return _see_other(_study_url(scope.with_mode(forgotten_mode(study_settings, now))))
    panel = custom_study_panel(
        user=request.user, scope=scope, study_settings=study_settings, now=now
    )
    if panel.own_limit is not None and not forms["own_limit"].is_bound:
        forms["own_limit"] = ScopeLimitForm(initial={"limit": panel.own_limit})
    # An invalid form comes back with its message, status 200 (see HOUSE_STYLE, htmx).
    return render(
        request, "flashcards/custom.html", {"scope": scope, "panel": panel, "forms": forms}
    )


@login_required
@require_safe
def preview(request: HttpRequest) -> HttpResponse:
    """A scope's new cards one at a time, front then back, without grades: nothing is written,
    and the cards stay new. A question has no back here: it is answered when studied."""
    scope = Scope.parse(request.GET.get("scope")).base
    prompts = new_prompts_in_order(request.user, scope)
    total = prompts.count()
    position = min(max(whole_number(request.GET.get("card")) or 1, 1), max(total, 1))
    prompt = next(iter(prompts[position - 1 : position]), None) if total else None
    # A question is shown as asked, and never its answer sheet: here nothing is answered, and
    # the sheet says which option is right before the learner has tried it.
    question = ask_of(prompt) if prompt and prompt.card.kind == Card.Kind.QUESTION else None
    context = {
        "scope": scope,
        "prompt": prompt,
        "position": position,
        "total": total,
        "back": request.GET.get("side") == "back" and question is None,
        "question": question,
    }
    return render(request, "flashcards/preview.html", context)
