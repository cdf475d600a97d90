"""The demo county's year of organizational life: plausible, deterministic, consistent with the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from conftest import shared_data
from orglife.demo import generate_orglife_demo, lag_schedule
from orglife.models import (
    CompletionStat,
    Interview,
    MeetingRecord,
    MeetingType,
    MonthlyPlan,
    MonthlyScore,
    PatrolCheck,
    PlanEvent,
    RecordAttachment,
    Rectification,
)
from orglife.periods import SHANGHAI
from orglife.services import rollups
from orglife.services.stats import refresh_branch_month
from orgs.demo import demo_nodes
from orgs.models import Organization, Position

TODAY = dt.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def generate(seed: int = 3) -> dict[str, Any]:
    call_command("generate_demo", scale="tiny", seed=7, no_history=True, stdout=StringIO())
    return generate_orglife_demo(seed=seed, scale="tiny", today=TODAY)


@pytest.fixture(scope="class")
def _shared_history(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], str]]:
    """One generated year for the tests of TestTheGeneratedYear, which only read it (each generated its
    own before: minutes on PostgreSQL), rolled back after the class (conftest.shared_data)."""
    yield from shared_data(
        django_db_blocker, tmp_path_factory, generate, MEDIA_ROOT=tmp_path_factory.mktemp("demo-history")
    )


@pytest.fixture
def history(_shared_history: tuple[dict[str, Any], str], settings: Any) -> dict[str, Any]:
    """The shared generated year (its result); the test's own database state sits on top of it."""
    result, checkpoint = _shared_history
    settings.XIANFENG_AUDIT_CHECKPOINT = checkpoint  # the generated chain head was checkpointed there
    return result


class Rollback(Exception):
    pass


def snapshot() -> tuple[Any, ...]:
    return (
        MonthlyPlan.objects.count(),
        list(MonthlyPlan.objects.order_by("org__path", "month").values_list("status", "is_late")),
        MeetingRecord.objects.count(),
        list(
            MeetingRecord.objects.order_by("org__path", "started_at", "meeting_type").values_list(
                "topic", "place"
            )
        ),
        PatrolCheck.objects.count(),
        list(Interview.objects.order_by("month", "org__path").values_list("level", "org__code")),
    )


def test_the_same_seed_gives_the_same_plans_records_topics_and_interviews() -> None:
    try:
        with transaction.atomic():
            generate()
            first = snapshot()
            raise Rollback
    except Rollback:
        pass
    generate()
    assert snapshot() == first
    assert first[2] > 300


def test_a_second_run_does_nothing() -> None:
    generate()
    before = snapshot()
    again = generate_orglife_demo(seed=3, scale="tiny", today=TODAY)
    assert again["skipped"] is True
    assert snapshot() == before


def test_the_command_prints_a_summary() -> None:
    call_command("generate_demo", scale="tiny", seed=7, no_history=True, stdout=StringIO())
    out = StringIO()
    call_command("orglife_demo", scale="tiny", seed=2, today="2026-11-24", stdout=out)
    assert "已生成组织生活演示数据" in out.getvalue()
    out = StringIO()
    call_command("orglife_demo", scale="tiny", seed=2, today="2026-11-24", stdout=out)
    assert "未重复生成" in out.getvalue()


def test_the_lag_schedule_gives_one_three_month_lagger_one_two_month_lagger_and_singles() -> None:
    import random

    paths = [f"c{i:02d}" for i in range(30)]
    months, parts = lag_schedule(paths, 12, 3, random.Random(1))
    assert all(len(m) == 3 for m in months)
    principal, deputy = parts["principal"][0], parts["deputy"][0]
    assert [principal in m for m in months].count(True) == 4
    assert [deputy in m for m in months].count(True) == 2
    for single in parts["single"]:
        flags = [single in m for m in months]
        assert not any(a and b for a, b in zip(flags, flags[1:], strict=False))


class TestTheGeneratedYear:
    """The tests that only read one generated year: they share it (the `history` fixture)."""

    def test_every_escalation_level_appears_and_older_interviews_are_done(
        self, history: dict[str, Any]
    ) -> None:
        result = history
        levels = set(Interview.objects.values_list("level", flat=True))
        assert levels == {
            Interview.Level.ORGANIZATION_MEMBER,
            Interview.Level.DEPUTY_SECRETARY,
            Interview.Level.PRINCIPAL,
        }
        assert result["lag_mismatch_months"] == []
        last = max(Interview.objects.values_list("month", flat=True))
        assert not Interview.objects.filter(month__lt=last, status=Interview.Status.PENDING).exists()
        assert Interview.objects.filter(month=last, status=Interview.Status.PENDING).exists()
        principal = Interview.objects.filter(level=Interview.Level.PRINCIPAL).first()
        assert principal is not None and principal.requires_self_analysis and principal.consecutive_lag >= 3
        # Twelve closed months, every scored committee ranked in each.
        assert MonthlyScore.objects.values("month").distinct().count() == 12

    def test_the_stats_cover_every_branch_and_month_and_match_the_stats_service(
        self, history: dict[str, Any]
    ) -> None:
        result = history
        assert result["stats_differ"] == []
        assert rollups.differences() == []  # the demo's bulk writers keep the completion rollups
        branches = list(Organization.objects.filter(kind__in=Organization.BRANCH_KINDS))
        months = {dt.date(int(m[:4]), int(m[5:]), 1) for m in [*result["months"], result["current_month"]]}
        covered = set(CompletionStat.objects.values_list("org_id", "month"))
        assert {(b.pk, m) for b in branches for m in months} <= covered
        for row in CompletionStat.objects.all():
            assert 0 <= row.credited <= row.required or row.required == 0
            assert 0 <= row.attendance_present <= row.attendance_due
        # Every branch-month of two months, recomputed by the service, gives the same numbers.
        fields = [
            "required",
            "planned",
            "held",
            "credited",
            "unplanned",
            "attendance_due",
            "attendance_present",
        ]
        for month in sorted(months)[-4:-2]:
            for branch in branches:
                before = {
                    r["meeting_type"]: [dict(r)[f] for f in fields]
                    for r in CompletionStat.objects.filter(org=branch, month=month).values()
                }
                after = {
                    r.meeting_type: [getattr(r, f) for f in fields]
                    for r in refresh_branch_month(branch, month)
                }
                assert before == after, (branch.code, month)
        for score in MonthlyScore.objects.all():
            assert 0 <= score.completion_rate <= 100

    def test_plans_are_mostly_approved_with_some_late_some_returned_and_some_missing(
        self, history: dict[str, Any]
    ) -> None:
        result = history
        history = MonthlyPlan.objects.filter(month__lt=dt.date(2026, 11, 1))
        approved = history.filter(status=MonthlyPlan.Status.APPROVED).count()
        assert approved / history.count() > 0.95
        assert history.filter(is_late=True).exists()
        assert PlanEvent.objects.filter(action="returned").exists()
        assert PlanEvent.objects.filter(action="resubmitted").exists()
        assert result["missing_plans"] > 0
        branches = Organization.objects.filter(kind__in=Organization.BRANCH_KINDS).count()
        assert history.count() < branches * 12
        # The plan now being filed for next month: some submitted, not all.
        assert MonthlyPlan.objects.filter(month=dt.date(2026, 12, 1)).count() < branches

    def test_the_demo_secretarys_branch_still_has_next_months_plan_to_file(
        self, history: dict[str, Any]
    ) -> None:
        nodes = demo_nodes()
        assert nodes is not None and nodes["branch"].kind in Organization.BRANCH_KINDS
        assert not MonthlyPlan.objects.filter(org=nodes["branch"], month=dt.date(2026, 12, 1)).exists()
        assert MonthlyPlan.objects.filter(org=nodes["branch"], month=dt.date(2026, 11, 1)).exists()

    def test_records_are_approved_and_plausible(self, history: dict[str, Any]) -> None:
        history = MeetingRecord.objects.filter(month__lt=dt.date(2026, 11, 1))
        assert not history.exclude(status=MeetingRecord.Status.APPROVED).exists()
        assert not history.filter(approved_at__isnull=True).exists()
        assert history.filter(plan_item__isnull=True).exists()  # some unplanned
        assert history.filter(is_backfill=True).exists()
        for record in history.filter(meeting_type=MeetingType.LECTURE).select_related("org")[:20]:
            secretary = Position.objects.filter(org=record.org, title=Position.Title.SECRETARY).first()
            assert secretary is not None and record.lecturer_name == secretary.member.name == record.host_name
        for record in history[:200]:
            local = record.started_at.astimezone(SHANGHAI)
            assert 9 <= local.hour <= 19 and record.ended_at > record.started_at
            assert record.month == local.date().replace(day=1)
            assert record.attendance.exists()
        themes = set(history.filter(meeting_type=MeetingType.THEME_DAY).values_list("topic", flat=True))
        assert len(themes) > 5
        assert not MeetingRecord.objects.filter(
            started_at__gte=dt.datetime(2026, 11, 24, tzinfo=SHANGHAI)
        ).exists()
        votes = history.filter(meeting_type=MeetingType.GENERAL_ASSEMBLY, votes_yes__isnull=False)
        assert votes.exists() and all(r.quorum_met for r in votes)

    def test_a_reused_photo_is_flagged_sampled_and_rectified(self, history: dict[str, Any]) -> None:
        reused = RecordAttachment.objects.filter(reused_from__isnull=False).select_related(
            "record", "reused_from"
        )
        assert reused.count() == 1
        photo = reused.get()
        assert photo.record.photo_reused
        assert photo.phash == photo.reused_from.phash  # type: ignore[union-attr]
        assert photo.record.org_id != photo.reused_from.record.org_id  # type: ignore[union-attr]
        check = PatrolCheck.objects.get(record=photo.record)
        assert check.rating == PatrolCheck.Rating.POOR and "照片重复使用" in check.reasons
        assert Rectification.objects.filter(record=photo.record).exists()
        # Every other photo is distinct.
        assert not RecordAttachment.objects.values("phash").annotate(n=Count("id")).filter(n__gt=2).exists()
        assert RecordAttachment.objects.count() > 10

    def test_rectifications_are_closed_on_time_and_one_is_overdue(self, history: dict[str, Any]) -> None:
        closed = Rectification.objects.filter(status=Rectification.Status.CLOSED)
        assert closed.exists()
        assert all(r.closed_at.astimezone(SHANGHAI).date() <= r.deadline for r in closed)  # type: ignore[union-attr]
        overdue = Rectification.objects.exclude(status=Rectification.Status.CLOSED).filter(deadline__lt=TODAY)
        assert overdue.count() == 1
