"""每周统计 and 每月通报公示 as scheduled jobs: services, tasks, commands and the scheduler's slots."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ops import schedule as scheduler
from points import services, tasks
from points.models import MonthlyNotice, WeeklyStat
from points.tests.conftest import make_catalogue
from points.tests.helpers import award

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 3, 16)


def points_jobs(when):
    return sorted(
        (s.job, s.run_key, s.args) for s in scheduler.due_slots(when) if s.job.startswith("points_")
    )


# ---------------------------------------------------------------- the scheduler


def test_weekly_statistics_are_due_on_mondays_from_six():
    assert points_jobs(dt.datetime(2026, 3, 16, 5, 59, tzinfo=SH)) == []
    assert points_jobs(dt.datetime(2026, 3, 16, 6, 0, tzinfo=SH)) == [
        ("points_weekly_stats", "2026-03-16", ("2026-03-16",))
    ]
    assert points_jobs(dt.datetime(2026, 3, 17, 6, 0, tzinfo=SH)) == []


def test_the_monthly_notice_is_due_from_two_on_the_first_for_the_previous_month():
    assert points_jobs(dt.datetime(2026, 1, 1, 1, 59, tzinfo=SH)) == []
    assert points_jobs(dt.datetime(2026, 1, 1, 2, 0, tzinfo=SH)) == [
        ("points_monthly_notice", "2025-12", ("2025-12",))
    ]


@pytest.mark.django_db
def test_the_scheduler_enqueues_the_points_jobs_once():
    now = dt.datetime(2026, 6, 1, 6, 30, tzinfo=SH)  # a Monday and the 1st
    first = {s.job for s in scheduler.tick(now)}
    assert {"points_weekly_stats", "points_monthly_notice"} <= first
    assert not {s.job for s in scheduler.tick(now)} & {"points_weekly_stats", "points_monthly_notice"}
    assert DBTaskResult.objects.filter(task_path="points.tasks.weekly_stats_task").count() == 1
    assert DBTaskResult.objects.filter(task_path="points.tasks.monthly_notice_task").count() == 1


# ---------------------------------------------------------------- weekly statistics


def test_the_weekly_job_stores_each_branchs_finished_weeks(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 3))
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 3, 5))
    award(cast.member_b1, "theory_study", dt.date(2026, 3, 10))
    award(cast.member_b1, "reading_club", dt.date(2026, 3, 17))  # this week: not finished yet
    assert services.run_weekly_stats(today=MONDAY + dt.timedelta(days=1)) == {2026: 2}
    a1 = WeeklyStat.objects.get(org=cast.branch_a1)
    assert (a1.week, a1.points, a1.entries, a1.members) == (dt.date(2026, 3, 2), Decimal("3"), 2, 1)
    assert WeeklyStat.objects.get(org=cast.branch_b1).week == dt.date(2026, 3, 9)


def test_the_weekly_job_recounts_the_year_so_backdated_entries_are_caught(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 3))
    services.run_weekly_stats(today=MONDAY)
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 3, 4))  # booked late into an old week
    call_command("points_weekly_stats", "--today", MONDAY.isoformat())
    call_command("points_weekly_stats", "--today", MONDAY.isoformat())
    (row,) = WeeklyStat.objects.all()
    assert (row.points, row.entries) == (Decimal("3"), 2)


def test_at_new_year_the_job_counts_both_years_of_the_straddling_week(cast):
    make_catalogue(cast.county, effective_from=dt.date(2025, 1, 1))
    award(cast.member_a1, "theory_study", dt.date(2025, 12, 30))
    award(cast.member_a1, "reading_club", dt.date(2026, 1, 2))
    assert tasks.weekly_stats_task.call("2026-01-05") == "2025: 1 rows, 2026: 1 rows"
    weeks = sorted(WeeklyStat.objects.values_list("year", "week"))
    assert weeks == [(2025, dt.date(2025, 12, 29)), (2026, dt.date(2025, 12, 29))]


def test_the_weekly_page_shows_stored_weeks_then_live_ones_and_a_chart(cast, catalogue, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 18, 10, 0, tzinfo=SH))
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 3))
    services.run_weekly_stats(today=MONDAY)
    WeeklyStat.objects.update(points=Decimal("40"))  # prove the page reads the stored row
    award(cast.member_a1, "reading_club", dt.date(2026, 3, 17))
    response = cast.client(cast.committee_admin).get(reverse("points:weekly"), {"year": 2026})
    weeks = {w["week"]: w["points"] for w in response.context["weeks"]}
    assert weeks == {dt.date(2026, 3, 2): Decimal("40"), dt.date(2026, 3, 16): Decimal("2")}
    assert response.context["chart_data"]["labels"] == ["03-02", "03-16"]
    assert b'data-weekly-chart="weekly-data"' in response.content and b"echarts.min.js" in response.content


def test_the_weekly_page_keeps_stored_weeks_inside_the_readers_scope(cast, catalogue, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 18, 10, 0, tzinfo=SH))
    award(cast.member_b1, "theory_study", dt.date(2026, 3, 3))
    services.run_weekly_stats(today=MONDAY)
    response = cast.client(cast.viewer).get(reverse("points:weekly"), {"year": 2026})  # committee_a only
    assert response.status_code == 200 and response.context["weeks"] == []


# ---------------------------------------------------------------- monthly notices


@pytest.fixture
def august(cast, catalogue):
    award(cast.member_a1, "theory_study", dt.date(2026, 8, 3))
    return dt.date(2026, 9, 1)


def test_the_monthly_job_drafts_a_notice_per_branch_and_for_the_department(cast, august):
    counts = services.draft_monthly_notices(year=2026, month=8, today=august)
    notices = MonthlyNotice.objects.filter(year=2026, month=8)
    assert {n.org for n in notices} == {cast.county, cast.branch_a1, cast.branch_b1}
    assert counts == {"drafted": 3, "published": 0, "skipped": 0}
    draft = notices.get(org=cast.branch_a1)
    assert draft.is_draft and draft.published_by is None and draft.objection_until is None
    assert draft.lines.get(member=cast.member_a1).month_points == Decimal("2")


def test_the_monthly_job_is_idempotent(cast, august):
    services.draft_monthly_notices(year=2026, month=8, today=august)
    assert tasks.monthly_notice_task.call("2026-08") == str({"drafted": 0, "published": 0, "skipped": 3})
    assert MonthlyNotice.objects.count() == 3


def test_a_month_not_yet_over_is_refused(cast, catalogue):
    with pytest.raises(ValidationError, match="尚未结束"):
        services.draft_monthly_notices(year=2026, month=8, today=dt.date(2026, 8, 31))


def test_the_catalogue_setting_publishes_at_once(cast, catalogue, august):
    catalogue.versions.update(notice_auto_publish=True, objection_days=5)
    services.draft_monthly_notices(year=2026, month=8, today=august)
    notice = MonthlyNotice.objects.get(org=cast.branch_a1)
    assert not notice.is_draft and notice.published_by is None
    assert notice.objection_until == august + dt.timedelta(days=5)
    services.raise_objection(actor=cast.member_user, notice=notice, text="8月读书会未计入", today=august)


def test_a_publisher_publishes_the_draft_with_fresh_lines(cast, august):
    services.draft_monthly_notices(year=2026, month=8, today=august)
    award(cast.member_a1, "reading_club", dt.date(2026, 8, 20))  # booked after the draft
    draft = MonthlyNotice.objects.get(org=cast.branch_a1)
    notice = services.publish_notice(
        actor=cast.secretary, org=cast.branch_a1, year=2026, month=8, today=dt.date(2026, 9, 3)
    )
    assert notice.pk == draft.pk and not notice.is_draft and notice.published_by == cast.secretary
    assert notice.objection_until == dt.date(2026, 9, 10)
    assert notice.lines.get(member=cast.member_a1).month_points == Decimal("4")
    with pytest.raises(ValidationError, match="已发布"):
        services.publish_notice(actor=cast.secretary, org=cast.branch_a1, year=2026, month=8)


def test_members_neither_see_nor_object_to_a_draft(cast, august):
    services.draft_monthly_notices(year=2026, month=8, today=august)
    draft = MonthlyNotice.objects.get(org=cast.branch_a1)
    assert (
        cast.client(cast.member_user).get(reverse("points:notice_detail", args=[draft.pk])).status_code == 404
    )
    with pytest.raises(ValidationError, match="尚未发布"):
        services.raise_objection(actor=cast.member_user, notice=draft, text="x", today=august)


def test_the_monthly_command_takes_a_month(cast, august, capsys):
    call_command("points_monthly_notice", "2026-08")
    assert "草稿 3 份" in capsys.readouterr().out


# ---------------------------------------------------------------- the publish page, four ways


@pytest.fixture
def draft(cast, august):
    services.draft_monthly_notices(year=2026, month=8, today=august)
    return MonthlyNotice.objects.get(org=cast.branch_a1)


def publish_url(draft):
    return reverse("points:notice_publish", args=[draft.pk])


def test_the_secretary_publishes_the_draft_from_its_page(cast, draft):
    client = cast.client(cast.secretary)
    page = client.get(reverse("points:notice_detail", args=[draft.pk]))
    assert page.status_code == 200 and publish_url(draft).encode() in page.content
    assert client.post(publish_url(draft)).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft and draft.published_by == cast.secretary


def test_a_reader_sees_the_draft_but_cannot_publish_it(cast, draft):
    client = cast.client(cast.viewer)
    assert client.get(reverse("points:notice_detail", args=[draft.pk])).status_code == 200
    assert client.post(publish_url(draft)).status_code == 403


def test_an_outsider_gets_404_and_anonymous_goes_to_login(cast, draft):
    assert cast.client(cast.outsider).post(publish_url(draft)).status_code == 404
    response = cast.client(None).post(publish_url(draft))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
