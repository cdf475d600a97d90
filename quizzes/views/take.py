"""Members taking quizzes on their phones: the list of campaigns, 每日一练, the answer page (answers saved
as they are chosen; the whole form is submitted in one batch), and the result with explanations."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs.access import get_for_user, own_member_id
from orgs.models import Member
from quizzes import selectors, services
from quizzes.models import Attempt, AttemptItem, Campaign, Question
from quizzes.services.attempts import Refused
from quizzes.views.common import require_member

MAX_BODY = 64 * 1024


@login_required
def my_quizzes(request: HttpRequest) -> HttpResponse:
    member_id = require_member(request)
    member = Member.objects.select_related("org").get(pk=member_id)
    now = timezone.now()
    campaigns = list(
        Campaign.objects.for_member(member)
        .filter(status=Campaign.Status.PUBLISHED, ends_at__gt=now - dt.timedelta(days=30))
        .select_related("org")[:50]
    )
    attempts: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(member=member, campaign__in=campaigns).order_by("number"):
        attempts.setdefault(a.campaign_id or 0, []).append(a)
    rows = []
    for c in campaigns:
        mine = attempts.get(c.pk, [])
        open_one = any(a.status == Attempt.Status.OPEN for a in mine)
        rows.append((c, mine, open_one, open_one or len(mine) < c.attempts_allowed))
    today = Attempt.objects.filter(member=member, campaign=None, practice_on=timezone.localdate()).first()
    context = {
        "rows": rows,
        "now": now,
        "today": today,
        "streak": selectors.practice_streak(member_id),
    }
    return render(request, "quizzes/my.html", context)


@require_POST
@login_required
def campaign_start(request: HttpRequest, pk: int) -> HttpResponse:
    member_id = require_member(request)
    member = Member.objects.select_related("org").get(pk=member_id)
    campaign = Campaign.objects.for_member(member).filter(pk=pk).first()
    if campaign is None:
        raise Http404("未找到该答题活动")
    try:
        attempt = services.start_attempt(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("quizzes:my")
    return redirect("quizzes:attempt", pk=attempt.pk)


@require_POST
@login_required
def practice(request: HttpRequest) -> HttpResponse:
    require_member(request)
    try:
        attempt = services.start_practice(actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("quizzes:my")
    return redirect("quizzes:attempt", pk=attempt.pk)


def _shown(item: AttemptItem) -> dict[str, Any]:
    """One question as the page shows it: options in the attempt's order, the member's answer."""
    version = item.version
    response = item.response or []
    options = [(i, version.options[i], i in response, i in version.answer) for i in item.order]
    blanks = []
    if item.question.kind == Question.Kind.FILL:
        blanks = [
            (n, response[n] if n < len(response) else "", "、".join(accepted))
            for n, accepted in enumerate(version.answer)
        ]
    return {
        "item": item,
        "version": version,
        "kind": item.question.kind,
        "options": options,
        "blanks": blanks,
    }


@login_required
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_for_user(Attempt.objects.select_related("campaign", "member"), request.user, pk)
    own = attempt.member_id == own_member_id(request.user)
    now = timezone.now()
    if attempt.status == Attempt.Status.OPEN and attempt.deadline and now > attempt.deadline:
        services.close_if_due(attempt.pk, now)
        attempt.refresh_from_db()
    items = [_shown(i) for i in attempt.items.select_related("version", "question").order_by("position")]
    campaign = attempt.campaign
    if attempt.status == Attempt.Status.OPEN and own:
        remaining = int((attempt.deadline - now).total_seconds()) if attempt.deadline else None
        context = {"attempt": attempt, "items": items, "remaining": remaining, "campaign": campaign}
        return render(request, "quizzes/take.html", context)
    review = campaign is None or not campaign.review_after_close or now >= campaign.ends_at
    return render(
        request,
        "quizzes/result.html",
        {"attempt": attempt, "items": items, "review": review, "campaign": campaign},
    )


def _form_answers(request: HttpRequest, attempt: Attempt) -> dict[int, Any]:
    """The answer form's fields: q_<question> (one or several option indexes), q_<question>_<blank>.

    A choice question with nothing ticked sends no field: what was saved for it before stands."""
    out: dict[int, Any] = {}
    for question_id, kind, blanks in attempt.items.values_list(
        "question_id", "question__kind", "version__answer"
    ):
        if kind == Question.Kind.FILL:
            out[question_id] = [request.POST.get(f"q_{question_id}_{n}", "") for n in range(len(blanks))]
        elif f"q_{question_id}" in request.POST:
            out[question_id] = request.POST.getlist(f"q_{question_id}")
    return out


@require_POST
@login_required
def attempt_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save answers as JSON {"answers": {question id: [option indexes] or [texts]}}; answers in JSON.

    Someone else's attempt answers 404 (existence does not leak) and the attempt counts the refusal."""
    attempt = Attempt.objects.filter(pk=pk).only("pk", "member_id").first()
    if attempt is None:
        raise Http404("未找到答卷")
    if attempt.member_id != own_member_id(request.user):
        with contextlib.suppress(PermissionDenied):
            services.save_answers(actor=request.user, attempt_id=pk, answers={})
        raise Http404("未找到答卷")
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "提交内容过大"}, status=413)
    try:
        payload = json.loads(request.body or b"{}")
        answers = payload["answers"]
        if not isinstance(answers, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "提交格式不正确"}, status=400)
    try:
        saved = services.save_answers(actor=request.user, attempt_id=pk, answers=answers)
    except Refused as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=409)
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    return JsonResponse(
        {"saved": len(answers), "deadline": saved.deadline.isoformat() if saved.deadline else None}
    )


@require_POST
@login_required
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = Attempt.objects.filter(pk=pk).first()
    if attempt is None:
        raise Http404("未找到答卷")
    try:
        answers = _form_answers(request, attempt) if attempt.member_id == own_member_id(request.user) else {}
        done = services.submit_attempt(actor=request.user, attempt_id=pk, answers=answers)
    except PermissionDenied:
        raise Http404("未找到答卷") from None
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("quizzes:attempt", pk=pk)
    if done.status == Attempt.Status.AUTO:
        messages.warning(request, "答题时间已到，已按时限内保存的答案计分")
    else:
        messages.success(request, "已交卷")
    return redirect("quizzes:attempt", pk=pk)
