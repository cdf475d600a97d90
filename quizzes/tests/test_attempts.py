from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_user
from orgs.roles import Role
from points.models import LedgerEntry
from quizzes import services
from quizzes.models import Attempt, Campaign, CampaignUsage, Difficulty, Question
from quizzes.tests.conftest import Bank, single


def right_answers(attempt: Attempt) -> dict[int, Any]:
    return {i.question_id: i.version.answer for i in attempt.items.select_related("version")}


def test_draw_meets_quotas_exactly_without_repeats(cast: Any, bank: Bank, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    items = list(attempt.items.select_related("question"))
    assert len(items) == 4
    assert len({i.question_id for i in items}) == 4
    kinds = Counter((i.question.category_id, i.question.difficulty) for i in items)
    assert kinds[(bank.charter.pk, Difficulty.EASY)] == 2
    assert sum(n for (cat, _), n in kinds.items() if cat == bank.report.pk) == 2
    assert attempt.seed > 0


def test_least_used_questions_come_first(cast: Any, bank: Bank, campaign: Campaign) -> None:
    # 5 easy 党章 questions, 2 per attempt: the first two attempts cover four of them before any repeats.
    seen: list[int] = []
    campaign.attempts_allowed = 5
    campaign.save()
    for _ in range(2):
        attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
        seen += [i.question_id for i in attempt.items.filter(question__category=bank.charter)]
        services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk)
    assert len(set(seen)) == 4
    uses = CampaignUsage.objects.filter(campaign=campaign, question__category=bank.charter)
    assert sorted(uses.values_list("uses", flat=True)) == [1, 1, 1, 1]


def test_the_draw_wraps_around_the_cycle_and_keeps_uses_even(
    cast: Any, bank: Bank, campaign: Campaign
) -> None:
    # 5 easy 党章 questions, 2 per attempt: five attempts walk their cycle twice (the third wraps around).
    campaign.attempts_allowed = 5
    campaign.save()
    for _ in range(5):
        attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
        assert len({i.question_id for i in attempt.items.all()}) == 4
        services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk)
    uses = CampaignUsage.objects.filter(
        campaign=campaign, question__category=bank.charter, question__difficulty=Difficulty.EASY
    )
    assert sorted(uses.values_list("uses", flat=True)) == [2, 2, 2, 2, 2]
    assert all(q.times_drawn == 2 for q in Question.objects.filter(pk__in=uses.values("question_id")))


def test_campaign_the_bank_cannot_fill_is_refused(cast: Any, bank: Bank) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(
            actor=cast.dept_admin,
            org=cast.county,
            title="难题测试",
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
            quotas=[{"category": bank.report.pk, "difficulty": 3, "count": 5}],
            time_limit_minutes=10,
        )
    assert "只有 0 道可用题目，少于要求的 5 道" in str(exc.value)


def test_one_open_attempt_per_member(cast: Any, campaign: Campaign) -> None:
    first = services.start_attempt(actor=cast.member_user, campaign=campaign)
    again = services.start_attempt(actor=cast.member_user, campaign=campaign)
    assert again.pk == first.pk


def test_attempts_allowed_is_enforced(cast: Any, campaign: Campaign) -> None:
    for _ in range(2):
        a = services.start_attempt(actor=cast.member_user, campaign=campaign)
        services.submit_attempt(actor=cast.member_user, attempt_id=a.pk)
    with pytest.raises(ValidationError, match="可答 2 次"):
        services.start_attempt(actor=cast.member_user, campaign=campaign)


def test_member_outside_the_audience_cannot_start(cast: Any, campaign: Campaign) -> None:
    other = make_user("member_b", Role.MEMBER, cast.branch_b1, member=cast.member_b1)
    with pytest.raises(PermissionDenied):
        services.start_attempt(actor=other, campaign=campaign)


def test_answer_one_second_before_the_deadline_counts_one_after_does_not(
    cast: Any, campaign: Campaign
) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    answers = right_answers(attempt)
    (first, a1), (second, a2) = list(answers.items())[:2]
    deadline = attempt.deadline
    services.save_answers(
        actor=cast.member_user,
        attempt_id=attempt.pk,
        answers={first: a1},
        now=deadline - dt.timedelta(seconds=1),
    )
    with pytest.raises(ValidationError, match="时间已到"):
        services.save_answers(
            actor=cast.member_user,
            attempt_id=attempt.pk,
            answers={second: a2},
            now=deadline + dt.timedelta(seconds=1),
        )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO
    assert attempt.refused_answers == 1
    assert attempt.score == Decimal("25.0")


def test_late_submit_scores_only_answers_saved_in_time(cast: Any, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    late = attempt.deadline + dt.timedelta(seconds=1)
    done = services.submit_attempt(
        actor=cast.member_user, attempt_id=attempt.pk, answers=right_answers(attempt), now=late
    )
    assert done.status == Attempt.Status.AUTO
    assert done.score == 0
    assert done.submitted_at == attempt.deadline


def test_scheduler_closes_attempts_past_their_deadline(cast: Any, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    assert services.close_due_attempts(now=attempt.deadline) == 0
    assert services.close_due_attempts(now=attempt.deadline + dt.timedelta(seconds=1)) == 1
    assert services.close_due_attempts(now=attempt.deadline + dt.timedelta(seconds=2)) == 0
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO


def test_answers_for_questions_outside_the_attempt_are_refused_and_counted(
    cast: Any, bank: Bank, campaign: Campaign
) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    inside = {i.question_id for i in attempt.items.all()}
    outside = next(q.pk for q in bank.questions if q.pk not in inside)
    with pytest.raises(ValidationError, match="不在本次答卷中"):
        services.save_answers(actor=cast.member_user, attempt_id=attempt.pk, answers={outside: [0]})
    attempt.refresh_from_db()
    assert attempt.refused_answers == 1
    assert not attempt.items.filter(response__isnull=False).exists()


def test_another_members_attempt_is_refused_and_counted(cast: Any, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.save_answers(actor=cast.secretary, attempt_id=attempt.pk, answers={1: [0]})
    attempt.refresh_from_db()
    assert attempt.refused_answers == 1


def test_version_shown_is_kept_after_an_edit(cast: Any, bank: Bank, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    item = attempt.items.select_related("question", "version").first()
    shown = item.version
    answers = {item.question_id: shown.answer}
    services.save_answers(actor=cast.member_user, attempt_id=attempt.pk, answers=answers)
    question = item.question
    data = single(shown.stem + "（新）", right=(shown.answer[0] + 1) % 4, difficulty=question.difficulty)
    services.edit_question(actor=cast.dept_admin, question=question, category=question.category, data=data)
    services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk)
    item.refresh_from_db()
    assert item.version_id == shown.pk
    assert item.credit == 1


def test_pass_awards_points_once_and_voiding_reverses_them(cast: Any, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    done = services.submit_attempt(
        actor=cast.member_user, attempt_id=attempt.pk, answers=right_answers(attempt)
    )
    assert done.passed and done.score == 100
    again = services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk)
    assert again.score == 100
    entries = LedgerEntry.objects.filter(member=cast.member_a1, item_code="quiz_pass")
    assert [e.points for e in entries] == [Decimal("1")]
    second = services.start_attempt(actor=cast.member_user, campaign=campaign)
    services.submit_attempt(actor=cast.member_user, attempt_id=second.pk, answers=right_answers(second))
    assert entries.count() == 1
    services.void_campaign(actor=cast.dept_admin, campaign=campaign, reason="题目泄露")
    assert sum(e.points for e in entries.all()) == 0


def test_failing_earns_nothing(cast: Any, campaign: Campaign) -> None:
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    done = services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk)
    assert done.passed is False and done.score == 0
    assert not LedgerEntry.objects.filter(member=cast.member_a1).exists()


def test_daily_practice_is_one_set_a_day_and_avoids_live_exam_questions(
    cast: Any, bank: Bank, campaign: Campaign
) -> None:
    exam = services.start_attempt(actor=cast.member_user, campaign=campaign)
    in_exam = {i.question_id for i in exam.items.all()}
    practice = services.start_practice(actor=cast.member_user)
    assert practice.items.count() == 5
    assert not in_exam & {i.question_id for i in practice.items.all()}
    assert services.start_practice(actor=cast.member_user).pk == practice.pk
    done = services.submit_attempt(
        actor=cast.member_user, attempt_id=practice.pk, answers=right_answers(practice)
    )
    assert done.score == 100 and done.passed is None


def test_the_sweep_is_scheduled_every_minute() -> None:
    from ops import schedule

    now = dt.datetime(2026, 10, 5, 14, 7, tzinfo=dt.UTC)
    slots = [s for s in schedule.due_slots(now) if s.job == "quizzes_close_due_attempts"]
    assert [s.task_path for s in slots] == ["quizzes.tasks.close_due_attempts_task"]


def test_the_minute_sweep_queues_sweeps_every_20_seconds_so_an_open_attempt_closes_within_30(
    cast: Any, campaign: Campaign
) -> None:
    from django_tasks_db.models import DBTaskResult

    from quizzes.tasks import close_due_attempts_task, sweep_due_attempts_task

    before = timezone.now()
    close_due_attempts_task.call("2026-10-05T14:07")
    queued = DBTaskResult.objects.filter(task_path=sweep_due_attempts_task.module_path).order_by("run_after")
    offsets = [round((r.run_after - before).total_seconds()) for r in queued]
    assert offsets == [20, 40]
    # The follow-up sweep closes an attempt whose deadline has just passed.
    attempt = services.start_attempt(actor=cast.member_user, campaign=campaign)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    assert sweep_due_attempts_task.call() == "1 attempts closed"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO
