"""Each role's home: the county's figures, the secretary's to-do list, the observer's branches, the member's points."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from observers.tests.fixtures_obs import NOW, build_world, meeting_record, plan_item
from orglife.models import MeetingRecord, MonthlyPlan
from orglife.periods import SHANGHAI


def home(cast, user):
    with time_machine.travel(NOW, tick=False):
        response = cast.client(user).get(reverse("home:dashboard"))
    assert response.status_code == 200
    return response


def test_the_department_lands_on_the_county_figures(cast):
    response = home(cast, cast.dept_admin)
    assert [t.name for t in response.templates][0] == "home/dashboard.html"


def test_the_secretary_lands_on_the_branch_to_do_list(cast):
    response = home(cast, cast.secretary)
    page = response.content.decode()
    assert [t.name for t in response.templates][0] == "home/secretary.html"
    assert "县财政局机关党支部" in page
    assert "登记纪实" in page and f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}" in page
    assert f"{reverse('orglife:plan_create', args=[cast.branch_a1.pk])}?month=2026-05" in page
    assert "5月计划尚未报送" in page
    today = response.context["rows"][0]["today"]
    labels = [d.label for d in today.due]
    assert (
        "支委会" in labels and "主题党日" in labels
    )  # the rules' monthly meetings are due (branch_a1 has a committee)
    assert all(not d.met for d in today.due)


def test_the_secretary_sees_planned_items_records_to_approve_and_findings(cast):
    with time_machine.travel(NOW, tick=False):
        item = plan_item(cast.branch_a1, dt.date(2026, 4, 3))
        record = meeting_record(cast.branch_a1, dt.date(2026, 4, 2))
        MeetingRecord.objects.filter(pk=record.pk).update(status=MeetingRecord.Status.SUBMITTED)
        MonthlyPlan.objects.create(org=cast.branch_a1, month=dt.date(2026, 5, 1), status="approved")
    page = home(cast, cast.secretary).content.decode()
    assert f"plan_item={item.pk}" in page and "已过计划日期" in page
    assert reverse("orglife:record_detail", args=[record.pk]) in page and "待我审核" in page
    assert "5月计划已通过" in page and "尚未报送" not in page


def test_the_secretary_sees_unread_reminders(cast):
    Message.objects.create(
        channel=Message.Channel.SITE,
        dedupe_key="t1",
        recipient=cast.secretary,
        title="组织生活提醒",
        body="本月支部委员会尚未召开",
        next_attempt_at=NOW,
        created_at=NOW,
    )
    page = home(cast, cast.secretary).content.decode()
    # The home loads its side panel after the page, says so while it loads, and links it without JavaScript.
    side = reverse("home:side")
    assert f'hx-get="{side}" hx-trigger="load"' in page and "加载中" in page
    assert f'<noscript><a href="{side}">' in page
    assert "本月支部委员会尚未召开" not in page
    client = cast.client(cast.secretary)
    with time_machine.travel(NOW, tick=False):
        panel = client.get(side, headers={"HX-Request": "true"})
        full = client.get(side)
    assert "本月支部委员会尚未召开" in panel.content.decode() and "<html" not in panel.content.decode()
    assert "本月支部委员会尚未召开" in full.content.decode() and "返回工作台" in full.content.decode()


def test_the_member_sees_their_name_points_and_file(cast):
    page = home(cast, cast.member_user).content.decode()
    assert "李建国，您好" in page and "您好，党员" not in page
    assert reverse("points:member_file", args=[cast.member_a1.pk]) in page
    assert "我的学习积分" in page


def test_the_observer_sees_the_half_years_branches_and_upcoming_meetings(cast):
    build_world(cast)
    page = home(cast, cast.observer_a.user).content.decode()
    assert "陈观察，您好" in page
    assert "县财政局机关党支部" in page and "即将召开的会议" in page
    assert "2026年上半年" in page


def test_a_user_without_a_member_sees_a_plain_home(cast):
    from conftest import make_user

    page = home(cast, make_user("nobody")).content.decode()
    assert "尚未关联党员信息" in page


def test_the_secretary_home_costs_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = cast.client(cast.secretary)
    with time_machine.travel(dt.datetime(2026, 4, 8, 10, tzinfo=SHANGHAI), tick=False):
        client.get(reverse("home:dashboard"))
        with django_assert_max_num_queries(40):
            assert client.get(reverse("home:dashboard")).status_code == 200


def test_the_member_sees_what_to_study_until_it_is_done(cast):
    from learning.models import VideoAssignment, WatchProgress
    from learning.services import videos as vsvc

    video = vsvc.publish_video(
        actor=cast.committee_admin, data=vsvc.VideoData(cast.committee_a, "红船精神", "党史", 600)
    )
    VideoAssignment.objects.create(
        video=video, org=cast.committee_a, kind="required", due_on=dt.date(2099, 6, 30)
    )
    page = home(cast, cast.member_user).content.decode()
    assert "学习任务" in page and "必看：红船精神" in page and "今日一练" in page
    assert reverse("learning:video_detail", args=[video.pk]) in page
    WatchProgress.objects.create(
        member=cast.member_a1, video=video, credited=600, completed_at=timezone.now()
    )
    page = home(cast, cast.member_user).content.decode()
    assert "必看：红船精神" not in page and "没有待完成的必看教育片和答题活动" in page
