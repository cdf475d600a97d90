"""Many members starting and answering one campaign at the same moment (PostgreSQL, real threads, each with
its own connection): the least-used-first draw stays even, nobody exceeds attempts_allowed or holds two open
attempts, and an attempt submitted twice at once is scored once.

Skipped on SQLite: its transactions are IMMEDIATE (config/settings.py), so every writer takes the database
lock at BEGIN and two requests can never interleave; the races tested here exist only on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from conftest import make_member, make_user
from orgs.roles import Role
from points.models import LedgerEntry
from points.tests.conftest import make_catalogue
from quizzes import services
from quizzes.defaults import POINTS_SOURCE
from quizzes.models import Attempt, AttemptItem, Campaign, CampaignUsage
from quizzes.tests.conftest import Bank

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's IMMEDIATE transactions serialise every writer; the races exist on PostgreSQL only",
    ),
]


def run_together(fn: Callable[[int], Any], threads: int) -> tuple[list[Any], list[Exception]]:
    """fn(i) in `threads` threads, each with its own connection, released together at one barrier."""
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait()
            out = fn(i)
            with lock:
                results.append(out)
        except Exception as exc:  # every failure is collected and asserted on by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert not any(t.is_alive() for t in pool), "a thread hung (deadlock?)"
    return results, errors


def _campaign(cast: Any, bank: Bank, attempts_allowed: int = 1) -> Campaign:
    make_catalogue(cast.county)
    now = timezone.now()
    return services.create_campaign(
        actor=cast.dept_admin,
        org=cast.committee_a,
        title="并发答题测试",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        quotas=[
            {"category": bank.charter.pk, "difficulty": 1, "count": 2},  # 5 questions in the pool
            {"category": bank.report.pk, "difficulty": None, "count": 3},  # 10 questions
        ],
        time_limit_minutes=10,
        attempts_allowed=attempts_allowed,
        pass_mark=60,
    )


def _right(attempt: Attempt) -> dict[int, Any]:
    return {i.question_id: i.version.answer for i in attempt.items.select_related("version")}


def test_members_starting_at_once_keep_least_used_first_even(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank)
    takers = 16
    users = [
        make_user(f"taker{i}", Role.MEMBER, cast.branch_a2, member=make_member(cast.branch_a2, f"答题{i}"))
        for i in range(takers)
    ]

    def take(i: int) -> Attempt:
        attempt = services.start_attempt(actor=users[i], campaign=campaign)
        services.save_answers(actor=users[i], attempt_id=attempt.pk, answers=_right(attempt))
        return services.submit_attempt(actor=users[i], attempt_id=attempt.pk)

    results, errors = run_together(take, takers)
    assert errors == []
    assert len(results) == takers and all(a.score == 100 for a in results)

    # Each pool is covered evenly, as a sequential run of least-used-first would cover it: 16 draws of 2
    # from 5 questions give every one 6 or 7 uses; 16 draws of 3 from 10 give 4 or 5.
    uses = dict(CampaignUsage.objects.filter(campaign=campaign).values_list("question_id", "uses"))
    charter = [
        uses.get(q.pk, 0) for q in bank.questions if q.category_id == bank.charter.pk and q.difficulty == 1
    ]
    report = [uses.get(q.pk, 0) for q in bank.questions if q.category_id == bank.report.pk]
    assert sorted(set(charter)) == [6, 7] and sum(charter) == 2 * takers
    assert sorted(set(report)) == [4, 5] and sum(report) == 3 * takers
    # The counters agree with what was actually shown, and no attempt repeats a question.
    shown = Counter(
        AttemptItem.objects.filter(attempt__campaign=campaign).values_list("question_id", flat=True)
    )
    assert shown == Counter(uses)
    for attempt in results:
        ids = list(attempt.items.values_list("question_id", flat=True))
        assert len(ids) == len(set(ids)) == 5
    # Every answer saved in the rush was kept and scored.
    assert not AttemptItem.objects.filter(attempt__campaign=campaign, response__isnull=True).exists()


def test_one_member_racing_never_exceeds_attempts_allowed(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank, attempts_allowed=2)
    threads = 8

    def start_and_submit(i: int) -> int:
        attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
        services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk, answers=_right(attempt))
        attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
        return attempt.pk

    results, errors = run_together(start_and_submit, threads)
    # Some threads find both attempts used up: a clear refusal, nothing else.
    assert all(isinstance(e, ValidationError) and "可答 2 次" in str(e) for e in errors), errors
    mine = Attempt.objects.filter(campaign=campaign, member=cast.member_a1)
    assert sorted(mine.values_list("number", flat=True)) == [1, 2]
    assert mine.filter(status=Attempt.Status.OPEN).count() <= 1
    # Usage counts exactly the two attempts' draws: a refused start drew nothing.
    assert sum(CampaignUsage.objects.filter(campaign=campaign).values_list("uses", flat=True)) == 2 * 5
    assert set(results) <= set(mine.values_list("pk", flat=True))


def test_an_attempt_submitted_twice_at_once_is_scored_once(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank)
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    answers = _right(attempt)
    base = timezone.now()
    threads = 8

    def submit(i: int) -> tuple[Any, Any, str]:
        # Each thread's clock differs by a second: whoever scores writes its own submitted_at.
        done = services.submit_attempt(
            actor=cast.member_user, attempt_id=attempt.pk, answers=answers, now=base + dt.timedelta(seconds=i)
        )
        return done.submitted_at, done.score, done.status

    results, errors = run_together(submit, threads)
    assert errors == []
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == 100
    assert set(results) == {(attempt.submitted_at, attempt.score, attempt.status)}
    assert LedgerEntry.objects.filter(member=cast.member_a1, source_type=POINTS_SOURCE).count() == 1


def test_submit_racing_the_deadline_sweep_is_scored_once(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank)
    users = [
        make_user(f"edge{i}", Role.MEMBER, cast.branch_a2, member=make_member(cast.branch_a2, f"压线{i}"))
        for i in range(4)
    ]
    attempts = [services.start_attempt(actor=u, campaign=campaign) for u in users]
    for u, a in zip(users, attempts, strict=True):
        services.save_answers(actor=u, attempt_id=a.pk, answers=_right(a))
    deadline = max(a.deadline for a in attempts if a.deadline)
    after = deadline + dt.timedelta(seconds=1)

    def act(i: int) -> Any:
        if i < len(users):  # a late submit: answers are refused, the saved ones count
            return services.submit_attempt(actor=users[i], attempt_id=attempts[i].pk, now=after)
        return services.close_due_attempts(now=after)

    results, errors = run_together(act, len(users) + 3)
    assert not [e for e in errors if not isinstance(e, PermissionDenied | ValidationError)], errors
    for a in attempts:
        a.refresh_from_db()
        assert a.status == Attempt.Status.AUTO and a.score == 100 and a.submitted_at == a.deadline
    assert LedgerEntry.objects.filter(source_type=POINTS_SOURCE).count() == len(users)
