"""add_declarations, the bulk path of the demo: declare's rules for a whole batch."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from points import services
from points.models import Declaration, PointRule

DAY = dt.date(2026, 8, 12)
TODAY = dt.date(2026, 9, 1)
S = Declaration.Status


def row(cast, catalogue, code="theory_study", day=DAY, status=S.DECLARED, **kw):
    rule = PointRule.objects.get(version__catalogue=catalogue, code=code)
    kw.setdefault("description", "参加集中学习")
    return Declaration(
        member=cast.member_a1, rule=rule, occurred_on=day, status=status, declared_by=cast.secretary, **kw
    )


def add(rows, actor=None, **kw):
    return services.add_declarations(actor=actor, rows=rows, today=TODAY, **kw)


def test_the_system_adds_declarations_in_the_open_states_with_their_events(cast, catalogue):
    rows = [
        row(cast, catalogue),
        row(cast, catalogue, "reading_club", status=S.RECORDED),
        row(cast, catalogue, "study_notes", status=S.REJECTED, reject_reason="请补充内容"),
    ]
    written = add(rows)
    assert [d.status for d in written] == [S.DECLARED, S.RECORDED, S.REJECTED]
    assert [e.action for e in written[1].events.all()] == ["declared", "recorded"]
    assert [e.action for e in written[2].events.all()] == ["declared", "rejected"]


def test_the_batch_obeys_declare_rules(cast, catalogue):
    with pytest.raises(ValidationError, match="晚于今天"):
        add([row(cast, catalogue, day=TODAY + dt.timedelta(days=1))])
    with pytest.raises(ValidationError, match="无需申报"):
        add([row(cast, catalogue, "orglife_attendance")])
    with pytest.raises(ValidationError, match="退回原因"):
        add([row(cast, catalogue, status=S.REJECTED)])
    assert not Declaration.objects.exists()


def test_caps_count_earlier_rows_of_the_batch(cast, catalogue):
    # 集中理论学习: 2 points a week; the second claim in the same week has no room left.
    rows = [row(cast, catalogue), row(cast, catalogue, day=DAY + dt.timedelta(days=1))]
    with pytest.raises(ValidationError, match="已达上限"):
        add(rows)
    assert len(add(rows, skip_full=True)) == 1


def test_an_actor_must_be_a_recorder_of_the_branch(cast, catalogue):
    with pytest.raises(PermissionDenied):
        add([row(cast, catalogue)], actor=cast.member_user)
