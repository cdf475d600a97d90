"""Submit → approve → locked; returns; amendments with history; the back-fill rule (补录须上级审核)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from orglife.models import CompletionStat, MeetingRecord, MonthlyPlan, PlanItem, RecordEvent
from orglife.services import records as svc
from orglife.tests.records_fixtures import approved, at, branch_admin, data, draft, everyone_present

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
S = MeetingRecord.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_branch_admin_records_and_submits_and_the_secretary_approves(cast):
    admin = branch_admin(cast.branch_a1)
    record = draft(admin, cast.branch_a1)
    assert record.status == S.DRAFT and record.month == dt.date(2026, 10, 1)
    svc.submit_record(actor=admin, record=record)
    with pytest.raises(PermissionDenied):
        svc.approve_record(actor=admin, record=record)
    record = svc.approve_record(actor=cast.secretary, record=record)
    assert record.status == S.APPROVED and record.is_locked and record.approved_by == cast.secretary
    assert [e.action for e in record.events.all()] == [
        "created",
        "attached",
        "photos_checked",
        "submitted",
        "approved",
    ]


def test_approval_refreshes_the_completion_stats(cast):
    approved(cast.secretary, cast.branch_a1)
    stat = CompletionStat.objects.get(
        org=cast.branch_a1, month=dt.date(2026, 10, 1), meeting_type="theme_day"
    )
    assert (stat.held, stat.credited, stat.unplanned, stat.attendance_due, stat.attendance_present) == (
        1,
        1,
        1,
        4,
        4,
    )


def test_a_committee_admin_cannot_create_records_but_approves_them(cast):
    with pytest.raises(PermissionDenied):
        draft(cast.committee_admin, cast.branch_a1)
    record = draft(cast.secretary, cast.branch_a1)
    svc.submit_record(actor=cast.secretary, record=record)
    assert svc.approve_record(actor=cast.committee_admin, record=record).status == S.APPROVED


def test_submission_needs_at_least_one_photo(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=0)
    with pytest.raises(ValidationError) as exc:
        svc.submit_record(actor=cast.secretary, record=record)
    assert "至少上传1张" in str(exc.value)


def test_a_returned_record_is_edited_and_resubmitted(cast):
    record = draft(cast.secretary, cast.branch_a1)
    svc.submit_record(actor=cast.secretary, record=record)
    with pytest.raises(svc.RecordLocked):
        svc.update_record(actor=cast.secretary, record=record, data=data(cast.branch_a1, topic="改"))
    with pytest.raises(ValidationError):
        svc.return_record(actor=cast.secretary, record=record, reason=" ")
    svc.return_record(actor=cast.secretary, record=record, reason="内容过于简单")
    svc.update_record(actor=cast.secretary, record=record, data=data(cast.branch_a1, content="详细内容" * 20))
    svc.submit_record(actor=cast.secretary, record=record)
    assert svc.approve_record(actor=cast.secretary, record=record).status == S.APPROVED
    assert RecordEvent.objects.get(record=record, action="returned").reason == "内容过于简单"


def test_an_approved_record_cannot_be_edited_directly(cast):
    record = approved(cast.secretary, cast.branch_a1)
    with pytest.raises(svc.RecordLocked):
        svc.update_record(actor=cast.secretary, record=record, data=data(cast.branch_a1, topic="改"))
    client = cast.client(cast.secretary)
    response = client.post(reverse("orglife:record_edit", args=[record.pk]), {"topic": "改"})
    assert response.status_code == 409 and "已审核锁定" in response.content.decode()
    assert client.get(reverse("orglife:record_edit", args=[record.pk])).status_code == 409
    record.refresh_from_db()
    assert record.topic == "学习贯彻党的二十届四中全会精神"


def test_an_amendment_needs_a_reason_and_keeps_before_and_after(cast):
    record = approved(cast.secretary, cast.branch_a1)
    with pytest.raises(ValidationError):
        svc.amend_record(
            actor=cast.secretary, record=record, data=data(cast.branch_a1, place="党员活动室"), reason=""
        )
    before = AuditEvent.objects.count()
    svc.amend_record(
        actor=cast.secretary,
        record=record,
        data=data(cast.branch_a1, place="党员活动室"),
        reason="地点登记错误",
    )
    record.refresh_from_db()
    assert record.status == S.APPROVED and record.place == "党员活动室"
    event = record.events.get(action="amended")
    assert event.reason == "地点登记错误" and event.payload["changed"] == {
        "place": ["三楼会议室", "党员活动室"]
    }
    assert AuditEvent.objects.count() == before + 1
    html = cast.client(cast.viewer).get(reverse("orglife:record_detail", args=[record.pk])).content.decode()
    assert "地点登记错误" in html and "三楼会议室 → 党员活动室" in html


def test_an_amendment_that_marks_someone_absent_updates_the_stats(cast):
    record = approved(cast.secretary, cast.branch_a1)
    attendance = everyone_present(cast.branch_a1)
    attendance[0] = svc.AttendanceEntry(attendance[0].member_id, False, "病假")
    svc.amend_record(
        actor=cast.secretary,
        record=record,
        data=data(cast.branch_a1, attendance=attendance),
        reason="出勤登记有误",
    )
    stat = CompletionStat.objects.get(
        org=cast.branch_a1, month=dt.date(2026, 10, 1), meeting_type="theme_day"
    )
    assert (stat.attendance_due, stat.attendance_present) == (4, 3)
    assert list(record.events.get(action="amended").payload["attendance"].values()) == [["present", "absent"]]


def test_an_amendment_without_changes_is_refused(cast):
    record = approved(cast.secretary, cast.branch_a1)
    with pytest.raises(ValidationError):
        svc.amend_record(actor=cast.secretary, record=record, data=data(cast.branch_a1), reason="没改")


def test_a_branch_admin_cannot_amend(cast):
    record = approved(cast.secretary, cast.branch_a1)
    with pytest.raises(PermissionDenied):
        svc.amend_record(
            actor=branch_admin(cast.branch_a1),
            record=record,
            data=data(cast.branch_a1, place="别处"),
            reason="x",
        )


# ---------------------------------------------------------------- back-fill


def test_a_meeting_seven_days_old_is_not_a_backfill(cast):
    record = draft(
        cast.secretary,
        cast.branch_a1,
        started_at=NOW - dt.timedelta(days=7),
        ended_at=NOW - dt.timedelta(days=7) + dt.timedelta(hours=1),
    )
    assert svc.submit_record(actor=cast.secretary, record=record).is_backfill is False
    assert svc.approve_record(actor=cast.secretary, record=record).status == S.APPROVED


def test_a_meeting_more_than_seven_days_old_needs_the_committee(cast):
    started = NOW - dt.timedelta(days=7, minutes=1)
    record = draft(
        cast.secretary, cast.branch_a1, started_at=started, ended_at=started + dt.timedelta(hours=1)
    )
    assert svc.submit_record(actor=cast.secretary, record=record).is_backfill is True
    assert svc.approve_record(actor=cast.secretary, record=record).status == S.AWAITING_COMMITTEE
    assert not CompletionStat.objects.filter(org=cast.branch_a1, held__gt=0).exists()
    with pytest.raises(PermissionDenied):
        svc.approve_record(actor=cast.secretary, record=record)
    assert svc.approve_record(actor=cast.committee_admin, record=record).status == S.APPROVED
    assert (
        CompletionStat.objects.get(
            org=cast.branch_a1, month=dt.date(2026, 10, 1), meeting_type="theme_day"
        ).held
        == 1
    )


def test_the_backfill_limit_comes_from_the_rule_set(cast):
    from orglife.models import RuleSet

    RuleSet.objects.update(backfill_days=30)
    record = draft(cast.secretary, cast.branch_a1, day=dt.date(2026, 10, 1))
    assert svc.submit_record(actor=cast.secretary, record=record).is_backfill is False


def test_the_backfill_is_judged_at_submission_not_at_creation(cast):
    record = draft(cast.secretary, cast.branch_a1, day=dt.date(2026, 10, 19))
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):
        assert svc.submit_record(actor=cast.secretary, record=record).is_backfill is True


def test_a_meeting_in_the_future_cannot_be_submitted(cast):
    record = draft(cast.secretary, cast.branch_a1, day=dt.date(2026, 10, 25))
    with pytest.raises(ValidationError):
        svc.submit_record(actor=cast.secretary, record=record)


# ---------------------------------------------------------------- plan items


def plan_item(cast, meeting_type="theme_day", status=MonthlyPlan.Status.APPROVED):
    plan = MonthlyPlan.objects.create(org=cast.branch_a1, month=dt.date(2026, 10, 1), status=status)
    return PlanItem.objects.create(
        plan=plan, meeting_type=meeting_type, planned_on=dt.date(2026, 10, 15), topic="主题党日"
    )


def test_a_record_links_an_open_approved_plan_item_once(cast):
    item = plan_item(cast)
    assert svc.open_plan_items(cast.branch_a1, dt.date(2026, 10, 1)) == [item]
    record = draft(cast.secretary, cast.branch_a1, plan_item=item)
    assert svc.open_plan_items(cast.branch_a1, dt.date(2026, 10, 1)) == []
    assert svc.open_plan_items(cast.branch_a1, dt.date(2026, 10, 1), record=record) == [item]
    with pytest.raises(ValidationError) as exc:
        draft(cast.secretary, cast.branch_a1, plan_item=item)
    assert "plan_item" in exc.value.error_dict


def test_an_unapproved_or_mismatched_plan_item_is_refused(cast):
    item = plan_item(cast, status=MonthlyPlan.Status.SUBMITTED)
    with pytest.raises(ValidationError):
        draft(cast.secretary, cast.branch_a1, plan_item=item)
    PlanItem.objects.filter(pk=item.pk).update(meeting_type="lecture")
    MonthlyPlan.objects.update(status=MonthlyPlan.Status.APPROVED)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        draft(cast.secretary, cast.branch_a1, plan_item=item)


def test_lectures_need_a_lecturer_and_group_meetings_a_group(cast):
    with pytest.raises(ValidationError) as exc:
        draft(cast.secretary, cast.branch_a1, meeting_type="lecture", lecturer_name="")
    assert "lecturer_name" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        draft(cast.secretary, cast.branch_a1, meeting_type="group")
    assert "group" in exc.value.error_dict


def test_the_end_cannot_be_before_the_start(cast):
    with pytest.raises(ValidationError):
        draft(cast.secretary, cast.branch_a1, ended_at=at(dt.date(2026, 10, 15), 8))
