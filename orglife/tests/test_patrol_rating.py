"""Rating a sampled record: each grade, reasons, re-hold orders and rectifications opened from a check."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from orglife.models import CompletionStat, PatrolCheck, RecordEvent, Rectification
from orglife.services.patrol import draw_sample, open_rectification, order_rehold, rate_check
from orglife.tests.stats_fixtures import make_record, patrol_user

MAR = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 4, 8, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def check(cast):
    with time_machine.travel(NOW, tick=False):
        cast.record = make_record(cast.branch_a1, "committee", MAR, present=3)
        (found,) = draw_sample(actor=cast.committee_admin, root=cast.committee_a, month=MAR)
        yield found


@pytest.mark.parametrize("rating", ["excellent", "good", "fair", "poor"])
def test_each_rating_is_saved_with_its_reasons_and_history(cast, check, rating):
    rate_check(actor=cast.committee_admin, check=check, rating=rating, reasons=["内容空泛"], comment="需加强")
    check.refresh_from_db()
    assert (check.rating, check.reasons, check.comment, check.rated_by) == (
        rating,
        ["内容空泛"],
        "需加强",
        cast.committee_admin,
    )
    assert RecordEvent.objects.filter(record=check.record, action="patrol_rated").exists()
    assert AuditEvent.objects.filter(target_type="orglife.PatrolCheck", target_id=str(check.pk)).exists()


def test_a_poor_rating_needs_a_reason_or_comment(cast, check):
    with pytest.raises(ValidationError):
        rate_check(actor=cast.committee_admin, check=check, rating="poor", reasons=[])


def test_unknown_ratings_and_reasons_are_refused(cast, check):
    with pytest.raises(ValidationError):
        rate_check(actor=cast.committee_admin, check=check, rating="perfect", reasons=[])
    with pytest.raises(ValidationError):
        rate_check(actor=cast.committee_admin, check=check, rating="good", reasons=["不存在的问题"])


def test_a_patrol_inspector_rates_in_their_subtree_and_readers_cannot(cast, check):
    rate_check(actor=patrol_user(cast), check=check, rating="good", reasons=[])
    for reader in (cast.viewer, cast.secretary, cast.outsider):
        with pytest.raises(PermissionDenied):
            rate_check(actor=reader, check=check, rating="poor", reasons=["照片不符"])


def test_the_rating_page_saves_a_rating(cast, check):
    url = reverse("orglife:patrol_check_detail", args=[check.pk])
    response = cast.client(patrol_user(cast)).post(
        url, {"rating": "fair", "reasons": ["出勤不实", "记录不全"], "comment": "签到表与照片人数不符"}
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.rating == "fair" and check.reasons == ["出勤不实", "记录不全"]


def test_ordering_a_rehold_stops_the_record_counting(cast, check):
    with time_machine.travel(NOW, tick=False):
        order_rehold(actor=cast.committee_admin, check=check, reason="会议内容与主题不符")
    check.refresh_from_db()
    cast.record.refresh_from_db()
    assert check.rehold_ordered and not cast.record.counts
    event = RecordEvent.objects.get(record=cast.record, action="rehold_ordered")
    assert event.reason == "会议内容与主题不符" and event.actor == cast.committee_admin
    assert CompletionStat.objects.get(org=cast.branch_a1, month=MAR, meeting_type="committee").credited == 0
    with pytest.raises(ValidationError):
        order_rehold(actor=cast.committee_admin, check=check, reason="再次")


def test_a_rehold_needs_a_reason_and_a_patroller(cast, check):
    with pytest.raises(ValidationError):
        order_rehold(actor=cast.committee_admin, check=check, reason=" ")
    with pytest.raises(PermissionDenied):
        order_rehold(actor=cast.viewer, check=check, reason="照片不符")


def test_the_rehold_page_orders_it(cast, check):
    url = reverse("orglife:patrol_check_rehold", args=[check.pk])
    with time_machine.travel(NOW, tick=False):
        assert cast.client(patrol_user(cast)).post(url, {"reason": "照片重复使用"}).status_code == 302
    cast.record.refresh_from_db()
    assert cast.record.counts is False


def test_a_rectification_is_opened_from_a_check(cast, check):
    with time_machine.travel(NOW, tick=False):
        url = reverse("orglife:patrol_check_rectify", args=[check.pk])
        response = cast.client(cast.committee_admin).post(
            url, {"title": "支委会记录整改", "items": "补充议题\n\n补齐签到表", "deadline": "2026-04-30"}
        )
    rect = Rectification.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/rectifications/{rect.pk}/")
    assert (rect.org, rect.record, rect.patrol_check, rect.opened_by) == (
        cast.branch_a1,
        cast.record,
        check,
        cast.committee_admin,
    )
    assert list(rect.items.values_list("text", flat=True)) == ["补充议题", "补齐签到表"]


def test_a_rectification_needs_items_and_a_future_deadline(cast, check):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as exc:
        open_rectification(
            actor=cast.committee_admin,
            org=cast.branch_a1,
            check=check,
            title="整改",
            items=[" "],
            deadline=dt.date(2026, 4, 1),
        )
    assert set(exc.value.message_dict) == {"items", "deadline"}


def test_the_rating_page_shows_forms_only_to_patrollers(cast, check):
    url = reverse("orglife:patrol_check_detail", args=[check.pk])
    assert "保存评价" in cast.client(patrol_user(cast)).get(url).content.decode()
    viewer_page = cast.client(cast.viewer).get(url)
    assert viewer_page.status_code == 200 and "保存评价" not in viewer_page.content.decode()
    assert PatrolCheck.objects.count() == 1
