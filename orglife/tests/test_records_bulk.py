"""The records' bulk path (history imports, the demo): the record service's rules for a whole batch."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orglife.models import Attendance, MeetingRecord, RecordEvent
from orglife.services import records as svc
from orglife.services.records_bulk import NewRecord, add_records
from orglife.tests.records_fixtures import at, data

DAY = dt.date(2026, 10, 15)


def approved(org, **extra):
    record = NewRecord(org, data(org, **extra), MeetingRecord.Status.APPROVED, at(DAY, 12))
    record.approved_at = at(DAY, 18)
    record.events = [
        ("created", {}, at(DAY, 12), ""),
        ("submitted", {}, at(DAY, 13), ""),
        ("approved", {}, at(DAY, 18), ""),
    ]
    return record


def test_a_batch_is_written_with_the_facts_the_services_derive(cast, django_assert_max_num_queries):
    batch = [
        approved(cast.branch_a1),
        approved(cast.branch_a2),
        approved(cast.branch_a1, meeting_type="committee"),
    ]
    with django_assert_max_num_queries(15):
        written = add_records(records=batch)
    assert all(r.pk and not r.is_backfill for r in written)
    due = len(svc.roster_for(cast.branch_a1, "theme_day").due)
    assert Attendance.objects.filter(record=written[0], status="present").count() == due
    committee = written[2]
    assert committee.committee_size == len(svc.committee_members(cast.branch_a1))
    assert committee.quorum_met is (committee.committee_size > 0)
    submitted = RecordEvent.objects.get(record=written[0], action="submitted")
    assert submitted.payload["backfill"] is False


def test_a_meeting_submitted_weeks_later_is_a_backfill(cast):
    late = approved(cast.branch_a1)
    late.events[1] = ("submitted", {}, at(DAY + dt.timedelta(days=20)), "")
    (record,) = add_records(records=[late])
    assert record.is_backfill


def test_an_unmarked_member_or_a_foreign_group_is_refused(cast):
    unmarked = approved(cast.branch_a1)
    unmarked.data.attendance = unmarked.data.attendance[1:]
    foreign = approved(cast.branch_b1)
    foreign.data.meeting_type, foreign.data.group = "group", cast.group_a1
    with pytest.raises(ValidationError) as e:
        add_records(records=[unmarked, foreign])
    text = " ".join(e.value.messages)
    assert "未标记" in text and "不属于本支部" in text
    assert not MeetingRecord.objects.exists()


def test_an_approved_record_needs_its_approval_time(cast):
    record = approved(cast.branch_a1)
    record.approved_at = None
    with pytest.raises(ValidationError, match="审核时间"):
        add_records(records=[record])
