"""Attendance by name: who is due, exempt members outside the denominator, the form, and attendance points."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_member
from orglife.models import Attendance, MeetingRecord
from orglife.services import records as svc
from orglife.tests.records_fixtures import approved, data, draft, everyone_present, photo
from orgs.models import Member

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def exempt_members(cast):
    return [
        make_member(cast.branch_a1, "老周", is_exempt=True, exempt_reason="年老体弱"),
        make_member(cast.branch_a1, "失联者", status=Member.Status.LOST),
        make_member(cast.branch_a1, "停籍者", status=Member.Status.SUSPENDED),
        make_member(cast.branch_a1, "已出党", status=Member.Status.LEFT),
    ]


def test_exempt_lost_and_suspended_members_leave_the_denominator(cast, exempt_members):
    roster = svc.roster_for(cast.branch_a1, "theme_day")
    assert len(roster.due) == 4
    assert {m.name for m in roster.exempt} == {"老周", "失联者", "停籍者"}  # 出党 is not listed at all


def test_the_summary_counts_exempt_members_apart(cast, exempt_members):
    attendance = everyone_present(cast.branch_a1)
    attendance[0] = svc.AttendanceEntry(attendance[0].member_id, False, "出差")
    record = draft(cast.secretary, cast.branch_a1, attendance=attendance)
    assert svc.attendance_summary(record) == {"due": 4, "present": 3, "absent": 1, "exempt": 3, "rate": 75.0}
    assert record.attendance.get(member__name="老周").status == Attendance.Status.EXEMPT


def test_an_absence_needs_a_reason(cast):
    attendance = everyone_present(cast.branch_a1)
    attendance[1] = svc.AttendanceEntry(attendance[1].member_id, False, "")
    with pytest.raises(ValidationError) as exc:
        draft(cast.secretary, cast.branch_a1, attendance=attendance)
    assert "缺席，请填写缺席原因" in str(exc.value)


def test_every_due_member_must_be_marked(cast):
    with pytest.raises(ValidationError) as exc:
        draft(cast.secretary, cast.branch_a1, attendance=everyone_present(cast.branch_a1)[:3])
    assert "还有 1 名应到党员未标记" in str(exc.value)


def test_a_member_of_another_branch_cannot_be_marked(cast):
    attendance = [*everyone_present(cast.branch_a1), svc.AttendanceEntry(cast.member_b1.pk, True)]
    with pytest.raises(ValidationError):
        draft(cast.secretary, cast.branch_a1, attendance=attendance)


def test_a_group_meeting_is_attended_by_that_groups_members(cast):
    members = list(Member.objects.filter(org=cast.branch_a1).order_by("id"))
    Member.objects.filter(pk__in=[members[0].pk, members[1].pk]).update(party_group=cast.group_a1)
    roster = svc.roster_for(cast.branch_a1, "group", cast.group_a1)
    assert [m.pk for m in roster.due] == [members[0].pk, members[1].pk]
    record = draft(cast.secretary, cast.branch_a1, meeting_type="group", group=cast.group_a1)
    assert svc.attendance_summary(record)["due"] == 2


def test_the_form_lists_everyone_due_with_toggles_and_exempt_members_apart(cast, exempt_members):
    html = (
        cast.client(cast.secretary)
        .get(reverse("orglife:record_create"), {"org": cast.branch_a1.pk})
        .content.decode()
    )
    assert "应到 4 人，免参 3 人" in html and "全部出席" in html
    assert html.count('type="radio" class="btn-check"') == 8 and "老周" in html and "已出党" not in html


def form_post(cast, **extra):
    post = {
        "meeting_type": "theme_day",
        "topic": "主题党日：志愿服务",
        "held_on": "2026-10-18",
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "社区服务中心",
        "host_name": "李建国",
        "recorder_name": "王0华",
        "content": "开展志愿服务活动。",
        "then": "submit",
    }
    for m in svc.roster_for(cast.branch_a1, "theme_day").due:
        post[f"att-{m.pk}"] = "present"
    post.update(extra)
    return post


def test_recording_through_the_page_with_a_photo_submits_it(cast):
    post = form_post(cast, photos=photo(3))
    response = cast.client(cast.secretary).post(
        f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}", post
    )
    record = MeetingRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "orglife:record_detail", args=[record.pk]
    )
    assert record.status == MeetingRecord.Status.SUBMITTED and record.attachments.count() == 1
    assert svc.attendance_summary(record)["present"] == 4


def test_a_page_submission_without_a_photo_keeps_the_draft_and_says_why(cast):
    response = cast.client(cast.secretary).post(
        f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}", form_post(cast), follow=True
    )
    assert MeetingRecord.objects.get().status == MeetingRecord.Status.DRAFT
    assert "至少上传1张会议照片" in response.content.decode()


def test_an_absent_member_without_reason_shows_the_error_on_the_form(cast):
    m = svc.roster_for(cast.branch_a1, "theme_day").due[0]
    response = cast.client(cast.secretary).post(
        f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}",
        form_post(cast, **{f"att-{m.pk}": "absent"}),
    )
    assert response.status_code == 200 and "缺席，请填写缺席原因" in response.content.decode()
    assert not MeetingRecord.objects.exists()


# ---------------------------------------------------------------- attendance points


@pytest.fixture
def points_calls(monkeypatch):
    from points import services as points_services

    calls = []
    monkeypatch.setattr(points_services, "award_automatic", lambda **kw: calls.append(("award", kw)))
    monkeypatch.setattr(points_services, "reverse_automatic", lambda **kw: calls.append(("reverse", kw)))
    return calls


def test_approval_awards_attendance_points_to_those_present(cast, points_calls):
    record = approved(cast.secretary, cast.branch_a1)
    awards = [kw for kind, kw in points_calls if kind == "award"]
    assert len(awards) == 4 and {kw["item_code"] for kw in awards} == {"orglife_attendance"}
    assert awards[0]["occurred_on"] == dt.date(2026, 10, 15) and awards[0]["source_id"].startswith(
        f"{record.pk}:"
    )


def test_an_amendment_removing_an_attendee_reverses_their_points(cast, points_calls):
    record = approved(cast.secretary, cast.branch_a1)
    points_calls.clear()
    attendance = everyone_present(cast.branch_a1)
    attendance[0] = svc.AttendanceEntry(attendance[0].member_id, False, "实际未到")
    svc.amend_record(
        actor=cast.secretary,
        record=record,
        data=data(cast.branch_a1, attendance=attendance),
        reason="出勤登记有误",
    )
    assert points_calls == [
        (
            "reverse",
            {
                "actor": cast.secretary,
                "source_type": svc.POINTS_SOURCE,
                "source_id": f"{record.pk}:{attendance[0].member_id}",
                "reason": "纪实更正：出勤登记有误",
            },
        )
    ]


def test_a_failing_points_app_never_fails_the_approval(cast, monkeypatch):
    from points import services as points_services

    def broken(**kw):
        raise LookupError("no such item")

    monkeypatch.setattr(points_services, "award_automatic", broken)
    assert approved(cast.secretary, cast.branch_a1).status == MeetingRecord.Status.APPROVED


def test_changing_the_meeting_type_reloads_only_the_attendance_list(cast):
    client = cast.client(cast.secretary)
    url = f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}"
    html = client.get(url).content.decode()
    assert f'hx-get="{url}"' in html.replace("&amp;", "&")
    # Only the roster is swapped in (the page's text fields are never reloaded); the type's own fields
    # are on the page from the start and shown in place.
    assert 'hx-target="#xf-record-roster"' in html and 'hx-select="#xf-record-roster"' in html
    assert re.search(r'<div class="col-12 col-md-6" data-xf-show-for="lecture" hidden>', html)
    params = {"org": cast.branch_a1.pk, "meeting_type": "lecture", "topic": "已填的主题"}
    html = client.get(reverse("orglife:record_create"), params, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'<div class="col-12 col-md-6" data-xf-show-for="lecture">', html)
    assert 'id="xf-record-roster"' in html


def test_the_reloaded_attendance_list_keeps_what_was_marked(cast):
    client = cast.client(cast.secretary)
    params = {
        "org": cast.branch_a1.pk,
        "meeting_type": "general_assembly",
        f"att-{cast.member_a1.pk}": "absent",
    }
    params[f"reason-{cast.member_a1.pk}"] = "出差"
    html = client.get(reverse("orglife:record_create"), params, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="att-{cast.member_a1.pk}-a" value="absent" autocomplete="off" checked' in html
    assert 'value="出差"' in html


def test_plan_items_carry_what_they_planned_and_a_link_from_one_starts_the_form_from_it(cast):
    from django.utils import timezone

    from observers.tests.fixtures_obs import plan_item

    item = plan_item(cast.branch_a1, timezone.localdate(), "lecture")
    item.lecturer_name = "李建国"
    item.save()
    client = cast.client(cast.secretary)
    url = f"{reverse('orglife:record_create')}?org={cast.branch_a1.pk}"
    html = client.get(url).content.decode()
    assert 'data-meeting-type="lecture"' in html and 'data-topic="学习贯彻全会精神"' in html
    form = client.get(f"{url}&plan_item={item.pk}").context["form"]
    assert form.initial["meeting_type"] == "lecture" and form.initial["topic"] == "学习贯彻全会精神"
    assert form.initial["lecturer_name"] == "李建国" and form.meeting_type_value == "lecture"
