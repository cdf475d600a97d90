"""The bulk paths a year of history goes through (history imports, the demo): re-hold orders, a month
closed at a past time, and interviews' outcomes — each under the same rule as its single-row service."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from orglife import uploads
from orglife.models import Interview, MeetingRecord, MonthlyScore, PatrolCheck, RecordAttachment, RecordEvent
from orglife.periods import add_months
from orglife.services.patrol import ReholdOrder, add_patrol_checks, add_rehold_orders
from orglife.services.records_bulk import HistoryPhoto, add_history_photos
from orglife.services.scores import InterviewOutcome, add_interview_outcomes, close_month
from orglife.tests.records_fixtures import photo
from orglife.tests.stats_fixtures import make_record
from orglife.tests.test_patrol_bulk import MAR, RATED, check
from orglife.tests.test_scores_month_close import JUL, month_where, rules  # noqa: F401


def test_rehold_orders_stop_their_records_counting_dated_when_ordered(cast):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    (c,) = add_patrol_checks(checks=[check(a, rating="poor", reasons=["内容空泛"], rated_at=RATED)])
    ordered = RATED + dt.timedelta(hours=2)
    add_rehold_orders(orders=[ReholdOrder(c, " 会议内容空泛，要求重新召开 ", ordered)])
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.counts is False and c.rehold_ordered is True
    event = RecordEvent.objects.get(record=a, action="rehold_ordered")
    assert (event.reason, event.created_at, event.payload) == (
        "会议内容空泛，要求重新召开",
        ordered,
        {"patrol_check": c.pk},
    )


def test_a_rehold_order_without_a_reason_or_before_the_rating_refuses_the_batch(cast):
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    b = make_record(cast.branch_a2, "theme_day", MAR, refresh=False)
    ca, cb = add_patrol_checks(
        checks=[
            check(a, rating="poor", reasons=["内容空泛"], rated_at=RATED),
            check(b, rating="poor", reasons=["内容空泛"], rated_at=RATED),
        ]
    )
    with pytest.raises(ValidationError) as e:
        add_rehold_orders(
            orders=[ReholdOrder(ca, "  ", RATED), ReholdOrder(cb, "走过场", RATED - dt.timedelta(days=1))]
        )
    text = " ".join(e.value.messages)
    assert "原因" in text and "早于评价时间" in text
    assert not PatrolCheck.objects.filter(rehold_ordered=True).exists()
    a.refresh_from_db()
    assert a.counts is True


def test_a_month_closed_at_a_past_time_dates_its_scores_and_interviews(cast, rules):  # noqa: F811
    month_where(cast, JUL, a_lags=True)
    at = dt.datetime(2026, 8, 1, 1, 30, tzinfo=dt.UTC)
    close_month(month=JUL, at=at)
    assert set(MonthlyScore.objects.filter(month=JUL).values_list("computed_at", flat=True)) == {at}
    assert Interview.objects.get(month=JUL).created_at == at


def test_a_month_cannot_be_closed_before_it_ended(cast, rules):  # noqa: F811
    month_where(cast, JUL, a_lags=True)
    with pytest.raises(ValidationError, match="该月结束之后"):
        close_month(month=JUL, at=dt.datetime(2026, 7, 20, tzinfo=dt.UTC))
    assert not MonthlyScore.objects.filter(month=JUL).exists()


def test_past_interviews_are_recorded_and_done_under_complete_interviews_rule(cast, rules):  # noqa: F811
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL, at=dt.datetime(2026, 8, 1, 1, 30, tzinfo=dt.UTC))
    interview = Interview.objects.select_related("org").get(month=JUL)
    held = dt.date(2026, 8, 8)
    with pytest.raises(ValidationError, match="约谈情况"):
        add_interview_outcomes(outcomes=[InterviewOutcome(interview, held, "张书记", " ")])
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PENDING
    add_interview_outcomes(outcomes=[InterviewOutcome(interview, held, "张书记", "已约谈，限期整改")])
    interview.refresh_from_db()
    assert (interview.status, interview.held_on, interview.outcome) == ("done", held, "已约谈，限期整改")
    assert AuditEvent.objects.filter(summary__event="orglife.interviews_done").exists()
    with pytest.raises(ValidationError, match="已办结"):
        add_interview_outcomes(outcomes=[InterviewOutcome(interview, held, "张书记", "再次")])


def test_an_interview_cannot_be_held_before_it_was_ordered(cast, rules):  # noqa: F811
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL, at=dt.datetime(2026, 8, 1, 1, 30, tzinfo=dt.UTC))
    interview = Interview.objects.select_related("org").get(month=JUL)
    with pytest.raises(ValidationError, match="下达之后"):
        add_interview_outcomes(outcomes=[InterviewOutcome(interview, add_months(JUL, 0), "张书记", "已约谈")])


def test_history_photos_are_stored_like_uploads_and_a_copy_elsewhere_is_flagged(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    b = make_record(cast.branch_a2, "theme_day", MAR, refresh=False)
    first = uploads.clean_photo(photo(seed=3))
    other = uploads.clean_photo(photo(seed=4))
    again = uploads.clean_photo(photo(seed=3, name="copy.jpg"))
    when = RATED - dt.timedelta(days=3)
    saved = add_history_photos(
        items=[
            HistoryPhoto(a, first, "IMG_0301.jpg", when),
            HistoryPhoto(a, other),
            HistoryPhoto(b, again, "IMG_0302.jpg", when),
        ]
    )
    assert [s.original_name for s in saved] == ["IMG_0301.jpg", "会议.jpg", "IMG_0302.jpg"]
    assert saved[2].reused_from_id == saved[0].pk and saved[0].reused_from_id is None
    assert MeetingRecord.objects.get(pk=b.pk).photo_reused is True
    assert MeetingRecord.objects.get(pk=a.pk).photo_reused is True  # both sides of the pair are marked
    line = RecordEvent.objects.get(record=b, action="attached")
    assert (line.created_at, line.payload) == (when, {"files": ["IMG_0302.jpg"], "reused": ["IMG_0302.jpg"]})
    assert RecordAttachment.objects.filter(record=a, kind="photo").count() == 2


def test_history_photos_over_the_record_limit_store_nothing(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_record(cast.branch_a1, "committee", MAR, refresh=False)
    items = [HistoryPhoto(a, uploads.clean_photo(photo(seed=10 + i))) for i in range(uploads.MAX_PHOTOS + 1)]
    with pytest.raises(ValidationError, match="最多"):
        add_history_photos(items=items)
    assert not RecordAttachment.objects.filter(record=a).exists()
