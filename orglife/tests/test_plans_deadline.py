"""The deadline job: branches with no plan are listed, drafts marked late, one notice each, idempotent."""

import datetime as dt
from io import StringIO

from django.core.management import call_command

from audit.models import AuditEvent
from notifications.models import Message
from orglife.models import MonthlyPlan
from orglife.services.plans import check_plan_deadline, create_plan, submit_plan
from orglife.tasks import check_plan_deadline as check_plan_deadline_task
from orglife.tests.plan_fixtures import at, filled

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def run(month="2026-11"):
    out = StringIO()
    call_command("orglife_plan_deadline", month, stdout=out)
    return out.getvalue()


def setup_month(cast):
    """a1 submitted on time, a2 has only a draft, b1 has nothing."""
    with at(2026, 11, 10):
        plan = create_plan(
            actor=cast.secretary, org=cast.branch_a1, month=DEC, items=filled(cast.branch_a1, DEC)
        )
        submit_plan(actor=cast.secretary, plan=plan)
        return create_plan(actor=cast.committee_admin, org=cast.branch_a2, month=DEC, items=[])


def test_before_the_deadline_branches_are_listed_but_nothing_is_marked(cast):
    draft = setup_month(cast)
    with at(2026, 11, 25, 23, 59):
        output = run()
    assert "截止时间未到" in output and cast.branch_b1.name in output and cast.branch_a2.name in output
    assert cast.branch_a1.name not in output
    draft.refresh_from_db()
    assert not draft.is_late and not Message.objects.exists()


def test_after_the_deadline_drafts_are_marked_late_and_branches_notified(cast):
    draft = setup_month(cast)
    with at(2026, 11, 26, 0, 0):
        result = check_plan_deadline(month=NOV)
    assert [o.pk for o in result.missing] == [cast.branch_b1.pk]
    assert [p.pk for p in result.unsubmitted] == [draft.pk] and result.newly_marked == 1
    draft.refresh_from_db()
    assert draft.is_late and draft.events.filter(action="marked_late").count() == 1
    # Only branch-level users get the notice: b1's secretary (the cast's outsider); a2 has none.
    notice = Message.objects.get()
    assert notice.recipient == cast.outsider and notice.channel == Message.Channel.SITE
    assert "2026年12月" in notice.body and notice.org == cast.branch_b1


def test_running_the_job_twice_changes_nothing_more(cast):
    setup_month(cast)
    with at(2026, 11, 26, 1, 0):
        run()
        audits = AuditEvent.objects.count()
        second = run()
    assert "新标记逾期 0 个，新发站内提醒 0 条" in second
    assert Message.objects.count() == 1 and AuditEvent.objects.count() == audits
    assert MonthlyPlan.objects.get(org=cast.branch_a2).events.filter(action="marked_late").count() == 1


def test_a_draft_marked_late_stays_late_when_submitted(cast):
    draft = setup_month(cast)
    with at(2026, 11, 26, 8):
        check_plan_deadline(month=NOV)
        create_items = filled(cast.branch_a2, DEC)
        from orglife.services.plans import update_plan

        update_plan(actor=cast.committee_admin, plan=draft, items=create_items)
        submit_plan(actor=cast.committee_admin, plan=draft)
    draft.refresh_from_db()
    assert draft.is_late and draft.status == MonthlyPlan.Status.SUBMITTED


def test_the_task_calls_the_same_service(cast):
    setup_month(cast)
    with at(2026, 11, 27):
        summary = check_plan_deadline_task.call("2026-11")
    assert summary == {
        "plan_month": "2026-12",
        "deadline_passed": True,
        "missing": 1,
        "unsubmitted": 1,
        "newly_marked": 1,
        "notices": 1,
    }


def test_the_command_defaults_to_the_current_month(cast):
    with at(2026, 11, 27):
        output = StringIO()
        call_command("orglife_plan_deadline", stdout=output)
    assert "2026年12月计划" in output.getvalue() and "未报送 3 个" in output.getvalue()
