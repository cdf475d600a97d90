"""The patrol checks' bulk path (history imports, the demo): the rating rules for a whole batch."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from orglife.models import MeetingRecord, PatrolCheck, RecordEvent
from orglife.services.patrol import add_patrol_checks
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
