"""报送任务: the effective quota, progress per unit and per 信息员, and the weekly reminder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from bulletins import defaults
from bulletins.jobs import quota_reminders
from bulletins.services import articles, quotas
from bulletins.tests.conftest import draft
from conftest import make_user
from notifications.models import Message
from orgs.roles import Role

THURSDAY = dt.date(2026, 3, 5)


def test_a_unit_without_its_own_quota_takes_its_ancestor_s_or_the_defaults(cast: Any, editor: Any) -> None:
    got = quotas.effective_quotas([cast.branch_a1])[cast.branch_a1.pk]
    assert (got.per_person_week, got.per_unit_month) == (
        defaults.QUOTA_PER_PERSON_WEEK,
        defaults.QUOTA_PER_UNIT_MONTH,
    )
    assert "山丹" in got.source
    quotas.set_quota(actor=editor, org=cast.committee_a, per_person_week=2, per_unit_month=10)
    got = quotas.effective_quotas([cast.branch_a1])[cast.branch_a1.pk]
    assert (got.per_person_week, got.per_unit_month, got.source) == (2, 10, cast.committee_a.name)


def test_progress_counts_the_week_per_officer_and_the_month_per_unit(cast: Any, officer: Any) -> None:
    second = make_user("officer2", Role.INFO_OFFICER, cast.committee_a)
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)):
        articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, 0, tzinfo=dt.UTC)):
        articles.submit_article(actor=officer, article=draft(officer, cast.committee_a, "上月"))
    draft(second, cast.committee_a, "只是草稿")
    [unit] = quotas.unit_progress([cast.committee_a], THURSDAY)
    assert unit.month_count == 1
    assert [(o.user_id, o.week_count, o.behind) for o in unit.officers] == [
        (officer.pk, 1, False),
        (second.pk, 0, True),
    ]
    assert unit.behind


def test_the_thursday_job_reminds_each_officer_behind_once_a_week(cast: Any, officer: Any) -> None:
    second = make_user("officer2", Role.INFO_OFFICER, cast.branch_b1)
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)):
        articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    assert quota_reminders(dt.datetime(2026, 3, 4, 9, 30)) == []
    [slot] = quota_reminders(dt.datetime(2026, 3, 5, 9, 30))
    assert quotas.send_quota_reminders(today=THURSDAY) == 1
    assert quotas.send_quota_reminders(today=THURSDAY) == 0
    message = Message.objects.get(dedupe_key__startswith="bulletins:quota:")
    assert message.recipient == second
    assert "未达到每人每周1篇" in message.body
    del slot


def test_a_unit_behind_its_month_pro_rata_reminds_its_officers_even_when_on_track_for_the_week(
    cast: Any, officer: Any
) -> None:
    late_thursday = dt.date(2026, 3, 26)  # 26 of 31 days: 4 × 26 // 31 = 3 due
    with time_machine.travel(dt.datetime(2026, 3, 24, 10, 0, tzinfo=dt.UTC)):
        articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    [unit] = quotas.unit_progress([cast.committee_a], late_thursday)
    assert quotas.month_due(unit, late_thursday) == 3 and quotas.month_due(unit, THURSDAY) == 0
    assert quotas.send_quota_reminders(today=late_thursday) == 1
    body = Message.objects.get(dedupe_key__startswith="bulletins:quota:", recipient=officer).body
    assert "本周" not in body  # his own week is done
    assert f"{cast.committee_a.name}本月已报送信息1篇，每月任务4篇，按进度应已报送3篇" in body
    assert quotas.send_quota_reminders(today=late_thursday) == 0  # once a week
