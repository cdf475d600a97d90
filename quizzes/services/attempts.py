"""Taking a quiz: starting an attempt (the draw), saving answers as the member goes, submitting once, and
the server closing attempts whose time is up. Daily practice (每日一练) uses the same attempts.

The time limit is the server's: an answer that arrives after the attempt's deadline is refused (and
counted on the attempt), whatever the page's clock says; the attempt is then closed with what was saved
in time. An attempt is scored once: submitting twice, or the scheduler closing it at the same moment,
finds it already closed under its row lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orgs.access import own_member_id
from orgs.models import Member
from points.services import award_automatic
from quizzes import defaults
from quizzes.defaults import POINTS_ITEM, POINTS_SOURCE, PRACTICE_SIZE
from quizzes.models import Attempt, AttemptItem, Campaign, Question, QuestionVersion
from quizzes.services.campaigns import in_audience, pass_source_id
from quizzes.services.draw import (
    SEED_BITS,
    Drawn,
    bank_q,
    draw,
    live_exam_question_ids,
    new_seed,
    option_order,
)
from quizzes.services.scoring import clean_response, credit, percent

log = logging.getLogger(__name__)


def _member(actor: Any) -> Member:
    member_id = own_member_id(actor)
    if member_id is None:
        raise PermissionDenied("只有党员本人可以答题")
    return Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member_id)


def _items(attempt: Attempt, questions: Sequence[Drawn], rng: random.Random) -> None:
    AttemptItem.objects.bulk_create(
        [
            AttemptItem(
                attempt=attempt,
                position=i,
                question_id=d.question_id,
                version_id=d.version_id,
                order=option_order(d, rng),
            )
            for i, d in enumerate(questions, start=1)
        ]
    )


def start_attempt(*, actor: Any, campaign: Campaign, now: dt.datetime | None = None) -> Attempt:
    """The member's open attempt at the campaign, or a new one drawn now (one open attempt at a time)."""
    now = now or timezone.now()
    with transaction.atomic():
        member = _member(actor)
        campaign = Campaign.objects.select_related("org").get(pk=campaign.pk)
        if campaign.status != Campaign.Status.PUBLISHED or not in_audience(campaign, member):
            raise PermissionDenied("您不在该答题活动的范围内")
        open_attempt = Attempt.objects.filter(
            campaign=campaign, member=member, status=Attempt.Status.OPEN
        ).first()
        if open_attempt is not None:
            if open_attempt.deadline is None or now <= open_attempt.deadline:
                return open_attempt
            _finish(open_attempt, Attempt.Status.AUTO, open_attempt.deadline)
        if now < campaign.starts_at:
            raise ValidationError(
                f"活动尚未开始，开始时间 {timezone.localtime(campaign.starts_at):%Y-%m-%d %H:%M}"
            )
        if now >= campaign.ends_at:
            raise ValidationError("活动已结束")
        done = Attempt.objects.filter(campaign=campaign, member=member).count()
        if done >= campaign.attempts_allowed:
            raise ValidationError(f"该活动每人可答 {campaign.attempts_allowed} 次，您已答完")
        seed = new_seed()
        rng = random.Random(seed)
        questions = draw(campaign, rng)
        attempt = Attempt.objects.create(
            campaign=campaign,
            member=member,
            number=done + 1,
            seed=seed,
            started_at=now,
            deadline=min(now + dt.timedelta(minutes=campaign.time_limit_minutes), campaign.ends_at),
        )
        _items(attempt, questions, rng)
    return attempt


def start_practice(*, actor: Any, day: dt.date | None = None, size: int = PRACTICE_SIZE) -> Attempt:
    """Today's 每日一练: questions the member got wrong or never saw first, never a live exam's."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            member = _member(actor)
            existing = Attempt.objects.filter(campaign=None, member=member, practice_on=day).first()
            if existing is not None:
                return existing
            seed = new_seed()
            rng = random.Random(seed)
            pool = (
                Question.objects.filter(
                    bank_q(member.org.path), retired_at__isnull=True, current__isnull=False
                )
                .exclude(pk__in=live_exam_question_ids())
                .select_related("current")
            )
            seen: dict[int, Any] = {}
            answered = AttemptItem.objects.filter(attempt__member=member, credit__isnull=False)
            for question_id, got in answered.values_list("question_id", "credit"):
                seen[question_id] = max(seen.get(question_id, 0), got)
            ids = list(pool.values_list("pk", flat=True).order_by("pk"))
            first = [i for i in ids if i not in seen or seen[i] < 1]
            rest = [i for i in ids if i in seen and seen[i] >= 1]
            rng.shuffle(first)
            rng.shuffle(rest)
            chosen = (first + rest)[:size]
            if not chosen:
                raise ValidationError("题库中暂无可练习的题目")
            questions = sorted(pool.filter(pk__in=chosen), key=lambda q: chosen.index(q.pk))
            attempt = Attempt.objects.create(
                member=member, practice_on=day, seed=seed, started_at=timezone.now()
            )
            _items(attempt, [Drawn.of(q) for q in questions], rng)
            return attempt
    except IntegrityError:
        # Two taps at once: the other request created today's set.
        return Attempt.objects.get(campaign=None, member_id=own_member_id(actor) or 0, practice_on=day)


class NotYours(PermissionDenied):
    """Answers sent for another member's attempt (counted on that attempt)."""


class Refused(ValidationError):
    """Answers refused: for questions outside the attempt, or after its deadline (counted)."""

    def __init__(self, message: Any, count: int) -> None:
        super().__init__(message)
        self.count = count


def _own_attempt(actor: Any, attempt_id: int) -> Attempt:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("campaign", "member")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise ValidationError("答卷不存在")
    if attempt.member_id != own_member_id(actor):
        raise NotYours("这不是您的答卷")
    return attempt


def _refuse(attempt_id: int, count: int) -> None:
    """Count refused answers on the attempt, after the refused request's transaction rolled back."""
    log.warning("quiz answers refused: attempt %s, %s answers", attempt_id, count)
    Attempt.objects.filter(pk=attempt_id).update(refused_answers=F("refused_answers") + count)


def save_answers(
    *, actor: Any, attempt_id: int, answers: Mapping[Any, Any], now: dt.datetime | None = None
) -> Attempt:
    """Save some answers (the page sends each as it is chosen). Refused after the deadline."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            attempt = _own_attempt(actor, attempt_id)
            if attempt.status != Attempt.Status.OPEN:
                raise Refused("答卷已交，不能再修改答案", len(answers))
            if attempt.deadline is not None and now > attempt.deadline:
                raise Refused("答题时间已到，此后的答案不计分", len(answers))
            _store(attempt, answers, now)
            return attempt
    except NotYours:
        _refuse(attempt_id, max(len(answers), 1))
        raise
    except Refused as exc:
        _refuse(attempt_id, exc.count)
        close_if_due(attempt_id, now)
        raise


def _store(attempt: Attempt, answers: Mapping[Any, Any], now: dt.datetime) -> None:
    """Store answers keyed by question id, all or none."""
    items = {i.question_id: i for i in attempt.items.select_related("version", "question")}
    outside = [k for k in answers if not str(k).isdigit() or int(k) not in items]
    if outside:
        raise Refused([f"题目 {k} 不在本次答卷中" for k in outside[:5]], len(outside))
    changed = []
    errors = []
    for key, raw in answers.items():
        item = items[int(key)]
        try:
            item.response = clean_response(item.question.kind, item.version, raw)
        except ValueError as exc:
            errors.append(f"第 {item.position} 题：{exc}")
            continue
        item.answered_at = now
        changed.append(item)
    if errors:
        raise ValidationError(errors)
    AttemptItem.objects.bulk_update(changed, ["response", "answered_at"])


def submit_attempt(
    *, actor: Any, attempt_id: int, answers: Mapping[Any, Any] | None = None, now: dt.datetime | None = None
) -> Attempt:
    """Hand in: the last answers (when in time) and the score. A second submit changes nothing."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            attempt = _own_attempt(actor, attempt_id)
            if attempt.status != Attempt.Status.OPEN:
                return attempt
            late = attempt.deadline is not None and now > attempt.deadline
            if answers and not late:
                _store(attempt, answers, now)
            at = min(now, attempt.deadline) if attempt.deadline else now
            _finish(attempt, Attempt.Status.AUTO if late else Attempt.Status.SUBMITTED, at)
    except NotYours:
        _refuse(attempt_id, max(len(answers or {}), 1))
        raise
    except Refused as exc:
        _refuse(attempt_id, exc.count)
        raise
    if late and answers:
        _refuse(attempt_id, len(answers))
    return attempt


def _finish(attempt: Attempt, status: str, at: dt.datetime) -> None:
    """Score the attempt against the versions it showed, close it, and award points on a pass."""
    campaign = attempt.campaign
    partial = bool(campaign and campaign.partial_multiple)
    items = list(attempt.items.select_related("version", "question"))
    for item in items:
        item.credit = credit(item.question.kind, item.version, item.response, partial=partial)
    AttemptItem.objects.bulk_update(items, ["credit"])
    attempt.score = percent([i.credit or 0 for i in items], len(items))  # type: ignore[misc]
    attempt.passed = bool(campaign and attempt.score >= campaign.pass_mark) if campaign else None
    attempt.status = status
    attempt.submitted_at = at
    attempt.save(update_fields=["score", "passed", "status", "submitted_at"])
    if (
        campaign
        and attempt.passed
        and campaign.points_on_pass
        and campaign.status == Campaign.Status.PUBLISHED
    ):
        award_automatic(
            actor=None,
            member=attempt.member,
            item_code=POINTS_ITEM,
            occurred_on=timezone.localdate(at),
            source_type=POINTS_SOURCE,
            source_id=pass_source_id(campaign.pk, attempt.member_id),
            note=f"答题活动“{campaign.title}”{attempt.score}分",
        )
    if campaign is None and attempt.practice_on is not None:
        _award_practice(attempt, items)


def practice_daily_cap() -> Decimal:
    """The most points 每日一练 earns a member in a day (quizzes.defaults, overridden in settings)."""
    cap = Decimal(str(getattr(settings, "QUIZZES_PRACTICE_DAILY_CAP", defaults.PRACTICE_DAILY_CAP)))
    if cap < 0:
        raise ValueError("QUIZZES_PRACTICE_DAILY_CAP must not be negative")
    return cap


def _award_practice(attempt: Attempt, items: list[AttemptItem]) -> None:
    """The day's 每日一练 points: the item once per right answer, never beyond the daily cap. One set a day and
    one entry per member and day (the source), so a day's points cannot pass the cap."""
    assert attempt.practice_on is not None
    right = sum(1 for i in items if i.credit is not None and i.credit >= 1)
    cap = practice_daily_cap()
    if not right or not cap:
        return
    award_automatic(
        actor=None,
        member=attempt.member,
        item_code=defaults.PRACTICE_POINTS_ITEM,
        occurred_on=attempt.practice_on,
        source_type=defaults.PRACTICE_POINTS_SOURCE,
        source_id=f"{attempt.member_id}:{attempt.practice_on:%Y-%m-%d}",
        note=f"每日一练 {attempt.practice_on:%Y-%m-%d} 答对{right}题",
        times=right,
        at_most=cap,
    )


@dataclass
class Taker:
    """One finished attempt for the bulk path: who, when, how long, and how they answer each question."""

    member: Member
    started_at: dt.datetime
    seconds: int
    answer: Callable[[Question, QuestionVersion, random.Random], list[Any]]


def add_finished_attempts(*, campaign: Campaign, takers: Sequence[Taker], seed: int) -> int:
    """The demo's (and an import's) path: attempts drawn, answered and scored by the same functions as a
    member's own, each in its own transaction, the points of a pass awarded as on a real submit."""
    rng = random.Random(seed)
    written = 0
    for taker in takers:
        with transaction.atomic():
            # The member's row first, then the draw lock: the order start_attempt takes them in.
            list(Member.objects.select_for_update(of=("self",)).filter(pk=taker.member.pk).values_list("pk"))
            done = Attempt.objects.filter(campaign=campaign, member=taker.member).count()
            if done >= campaign.attempts_allowed:
                continue
            attempt_seed = rng.getrandbits(SEED_BITS)
            attempt_rng = random.Random(attempt_seed)
            questions = draw(campaign, attempt_rng)
            deadline = min(
                taker.started_at + dt.timedelta(minutes=campaign.time_limit_minutes), campaign.ends_at
            )
            attempt = Attempt.objects.create(
                campaign=campaign,
                member=taker.member,
                number=done + 1,
                seed=attempt_seed,
                started_at=taker.started_at,
                deadline=deadline,
            )
            _items(attempt, questions, attempt_rng)
            at = min(taker.started_at + dt.timedelta(seconds=taker.seconds), deadline)
            items = list(attempt.items.select_related("version", "question"))
            for item in items:
                item.response = clean_response(
                    item.question.kind, item.version, taker.answer(item.question, item.version, attempt_rng)
                )
                item.answered_at = at
            AttemptItem.objects.bulk_update(items, ["response", "answered_at"])
            _finish(attempt, Attempt.Status.SUBMITTED, at)
            written += 1
    return written


def close_if_due(attempt_id: int, now: dt.datetime | None = None) -> bool:
    """Close one attempt whose deadline has passed, with the answers saved in time."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .filter(pk=attempt_id, status=Attempt.Status.OPEN, deadline__lt=now)
            .select_related("campaign", "member")
            .first()
        )
        if attempt is None:
            return False
        assert attempt.deadline is not None
        _finish(attempt, Attempt.Status.AUTO, attempt.deadline)
        return True


def close_due_attempts(*, now: dt.datetime | None = None) -> int:
    """The scheduler's sweep: close every open attempt past its deadline. Safe to run twice."""
    now = now or timezone.now()
    due = Attempt.objects.filter(status=Attempt.Status.OPEN, deadline__lt=now).order_by("pk")
    return sum(close_if_due(pk, now) for pk in due.values_list("pk", flat=True))
