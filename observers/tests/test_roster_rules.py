"""Roster: dynamic management (在岗/暂停/退出), the yearly update, and the rule of one training a year."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from audit.models import AuditEvent
from conftest import make_member
from observers.models import Observer
from observers.services.roster import (
    add_training,
    change_status,
    committee_summary,
    export_roster,
    mark_updated,
    with_flags,
)
from observers.tests.selection_fixtures import observer


@pytest.fixture
def two(cast):
    cast.o1 = observer(cast, make_member(cast.branch_a1, "孙立"), day=dt.date(2025, 3, 1))
    cast.o2 = observer(cast, make_member(cast.branch_a2, "钱敏"), day=dt.date(2025, 3, 1))
    return cast


def test_suspending_needs_a_reason_and_is_audited(two):
    with pytest.raises(ValidationError):
        change_status(actor=two.committee_admin, observer=two.o1, status="suspended")
    change_status(actor=two.committee_admin, observer=two.o1, status="suspended", note="长期病休")
    two.o1.refresh_from_db()
    assert (two.o1.status, two.o1.status_note) == ("suspended", "长期病休")
    assert AuditEvent.objects.filter(target_type="observers.Observer", action="update").exists()


def test_retired_and_back_to_active(two):
    change_status(actor=two.committee_admin, observer=two.o1, status="retired", note="调离本县")
    change_status(actor=two.committee_admin, observer=two.o1, status="active")
    assert Observer.objects.get(pk=two.o1.pk).status == Observer.Status.ACTIVE


@time_machine.travel(dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_an_active_observer_without_a_training_this_year_is_flagged(two):
    add_training(
        actor=two.committee_admin, observers=[two.o1, two.o2], held_on=dt.date(2025, 6, 1), title="2025培训"
    )
    add_training(
        actor=two.committee_admin,
        observers=[two.o1],
        held_on=dt.date(2026, 4, 1),
        title="专题培训",
        hours=Decimal(4),
    )
    flags = {o.pk: o.trained for o in with_flags(Observer.objects.all(), 2026)}
    assert flags == {two.o1.pk: True, two.o2.pk: False}
    (summary,) = committee_summary(Observer.objects.all(), 2026)
    assert (summary.active, summary.untrained, summary.rule_met) == (2, 1, False)


@time_machine.travel(dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_a_retired_observer_is_not_counted_against_the_rule(two):
    change_status(actor=two.committee_admin, observer=two.o2, status="retired", note="退休")
    add_training(actor=two.committee_admin, observers=[two.o1], held_on=dt.date(2026, 4, 1), title="专题培训")
    (summary,) = committee_summary(Observer.objects.all(), 2026)
    assert (summary.active, summary.retired, summary.untrained, summary.rule_met) == (1, 1, 0, True)


@time_machine.travel(dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_the_yearly_update_is_marked_and_counted(two):
    (before,) = committee_summary(Observer.objects.all(), 2026)
    assert before.not_updated == 2
    mark_updated(actor=two.committee_admin, observer=two.o1, year=2026)
    (after,) = committee_summary(Observer.objects.all(), 2026)
    assert after.not_updated == 1


def test_a_training_in_the_future_is_refused(two):
    with pytest.raises(ValidationError):
        add_training(
            actor=two.committee_admin,
            observers=[two.o1],
            held_on=dt.date.today() + dt.timedelta(days=3),
            title="x",
        )


def test_the_export_has_masked_personal_data_only_and_is_audited(two):
    content = export_roster(user=two.committee_admin, queryset=Observer.objects.all())
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][3] == "公民身份号码" and len(rows) == 3
    assert all("*" in r[3] and "*" in r[4] for r in rows[1:])
    assert AuditEvent.objects.filter(action="export", target_repr__contains="观察员信息台账").exists()
