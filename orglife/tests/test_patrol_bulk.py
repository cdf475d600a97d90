"""The patrol checks' bulk path (history imports, the demo): the rating rules for a whole batch."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orglife.models import MeetingRecord, PatrolCheck, RecordEvent, Rectification, RectificationItem
from orglife.services.patrol import NewRectification, add_patrol_checks, add_rectifications
from orglife.tests.stats_fixtures import make_record

MAR = dt.date(2026, 3, 1)
SAMPLED = dt.datetime(2026, 4, 3, 9, 0, tzinfo=dt.UTC)
RATED = SAMPLED + dt.timedelta(days=2)


def check(record, **extra):
    values = {"month": record.month, "record_id": record.pk, "org_id": record.org_id, "sampled_at": SAMPLED}
    return PatrolCheck(**(values | extra))


def test_checks_are_written_with_their_rating_events(cast, django_assert_max_num_queries):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    b = make_record(cast.branch_a2, "theme_day", MAR, refresh=False)
    rated = check(a, rating="fair", reasons=["记录不全", "内容空泛"], rated_at=RATED)
    with django_assert_max_num_queries(6):
        add_patrol_checks(checks=[rated, check(b)])
    assert PatrolCheck.objects.count() == 2
    assert rated.reasons == ["内容空泛", "记录不全"]  # the catalogue's order
    (event,) = RecordEvent.objects.filter(action="patrol_rated")
    assert (event.record_id, event.payload["rating"]) == (a.pk, "fair")


def test_a_poor_rating_without_reasons_or_a_draft_record_is_refused(cast):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    draft = make_record(cast.branch_a2, "theme_day", MAR, status=MeetingRecord.Status.DRAFT, refresh=False)
    with pytest.raises(ValidationError) as e:
        add_patrol_checks(checks=[check(a, rating="poor", rated_at=RATED), check(draft)])
    text = " ".join(e.value.messages)
    assert "评为“差”" in text and "已审核" in text
    assert not PatrolCheck.objects.exists()


def test_a_record_is_sampled_once_a_month(cast):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    with pytest.raises(ValidationError, match="已被抽查"):
        add_patrol_checks(checks=[check(a), check(a)])


def rectification(check, **extra):
    values = {"org_id": check.org_id, "record_id": check.record_id, "patrol_check": check}
    values |= {"title": "巡查发现问题整改", "deadline": dt.date(2026, 4, 30), "opened_at": RATED}
    return Rectification(**(values | extra))


def test_rectifications_are_written_with_their_items_and_events(cast, django_assert_max_num_queries):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    (c,) = add_patrol_checks(checks=[check(a, rating="poor", reasons=["内容空泛"], rated_at=RATED)])
    closed = rectification(c, status="closed", closed_at=RATED + dt.timedelta(days=3))
    with django_assert_max_num_queries(6):
        add_rectifications(rectifications=[NewRectification(closed, ["充实会议内容", " "], "已整改到位")])
    (item,) = RectificationItem.objects.all()
    assert (item.text, item.done, item.evidence) == ("充实会议内容", True, "已整改到位")
    event = RecordEvent.objects.get(action="rectification_opened")
    assert event.payload == {"rectification": closed.pk}


def test_a_rectification_breaking_the_opening_or_status_rules_is_refused(cast):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    (c,) = add_patrol_checks(checks=[check(a)])
    past = rectification(c, deadline=dt.date(2026, 4, 1))
    submitted = rectification(c, status="submitted")
    with pytest.raises(ValidationError) as e:
        add_rectifications(
            rectifications=[NewRectification(past, ["整改"]), NewRectification(submitted, ["整改"])]
        )
    text = " ".join(e.value.messages)
    assert "不能早于今天" in text and "整改佐证" in text
    assert not Rectification.objects.exists()
