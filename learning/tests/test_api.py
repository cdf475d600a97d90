"""The 学习教育 API as its callers meet it: lessons listed in scope and recorded through the page's service,
the library and the caller's 必看 with their own progress, a member's 学时 account — each endpoint four ways
(allowed, read-only viewer 403 on writes, outsider 404, anonymous 401)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from learning import services
from learning.models import Conversion, Lesson, StudyEntry, WatchProgress
from learning.selectors import account_lines
from learning.services import conversions as conversion_svc
from learning.services import videos as video_svc
from learning.services.watching import add_watching
from orglife.tests.stats_fixtures import make_record
from points.models import LedgerEntry
from points.tests.conftest import make_catalogue

pytestmark = pytest.mark.django_db


def _lesson(cast, topic="学党章", record=None):
    day = timezone.localtime(record.started_at).date() if record else timezone.localdate()
    return services.give_lesson(
        actor=cast.secretary,
        data=services.LessonData(cast.branch_a1, cast.member_a1, topic, day, 30, record=record),
    )


def _lesson_body(cast, record):
    return {
        "org": cast.branch_a1.pk,
        "speaker": cast.member_a1.pk,
        "topic": "弘扬伟大建党精神",
        "given_on": timezone.localtime(record.started_at).date().isoformat(),
        "minutes": 60,
        "record": record.pk,
    }


def test_lessons_list_in_scope_and_detail_four_ways(cast):
    lesson = _lesson(cast)
    url = reverse("api-learning-lesson-list")
    detail = reverse("api-learning-lesson-detail", args=[lesson.pk])
    listed = cast.client(cast.committee_admin).get(url)
    assert listed.status_code == 200
    assert [row["topic"] for row in listed.json()["results"]] == ["学党章"]
    assert listed.json()["results"][0]["speaker_name"] == "李建国"
    assert cast.client(cast.viewer).get(detail).json()["org_name"] == cast.branch_a1.display_name
    assert cast.client(cast.outsider).get(url).json()["results"] == []
    assert cast.client(cast.outsider).get(detail).status_code == 404
    assert Client().get(url).status_code == 401 and Client().get(detail).status_code == 401
    searched = cast.client(cast.committee_admin).get(url, {"q": "党史"})
    assert searched.json()["results"] == []
    assert cast.client(cast.committee_admin).get(url, {"year": "abc"}).status_code == 400


def test_recording_a_lesson_through_the_api_writes_hours_and_points_like_the_page(cast):
    make_catalogue(cast.county)
    record = make_record(
        cast.branch_a1, "theme_day", dt.date(2026, 10, 1), present=3, absent=1, refresh=False
    )
    url = reverse("api-learning-lesson-list")
    made = cast.client(cast.secretary).post(url, _lesson_body(cast, record), content_type="application/json")
    assert made.status_code == 201, made.content
    lesson = Lesson.objects.get(pk=made.json()["id"])
    assert made.json()["audience"] == 3
    assert {e.hours for e in StudyEntry.objects.filter(lesson=lesson)} == {Decimal("1")}
    points = LedgerEntry.objects.filter(source_type="learning_lesson", source_id=str(lesson.pk))
    assert [e.member_id for e in points] == [cast.member_a1.pk]


def test_a_lesson_write_is_refused_to_the_viewer_the_outsider_and_the_anonymous(cast):
    record = make_record(
        cast.branch_a1, "theme_day", dt.date(2026, 10, 1), present=2, absent=0, refresh=False
    )
    url = reverse("api-learning-lesson-list")
    body = _lesson_body(cast, record)
    assert cast.client(cast.viewer).post(url, body, content_type="application/json").status_code == 403
    assert cast.client(cast.outsider).post(url, body, content_type="application/json").status_code == 404
    assert Client().post(url, body, content_type="application/json").status_code == 401
    assert not Lesson.objects.exists()
    wrong_day = {
        **body,
        "given_on": (dt.date.fromisoformat(body["given_on"]) - dt.timedelta(days=1)).isoformat(),
    }
    bad = cast.client(cast.secretary).post(url, wrong_day, content_type="application/json")
    assert bad.status_code == 400 and "日期不一致" in bad.json()["record"][0]
    on_committee = {**body, "org": cast.committee_a.pk}
    refused = cast.client(cast.committee_admin).post(url, on_committee, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["org"] == ["微党课须登记在党支部"]


@pytest.fixture
def required(cast):
    video = video_svc.publish_video(
        actor=cast.committee_admin, data=video_svc.VideoData(cast.committee_a, "党章", "党章党规", 120)
    )
    video_svc.assign_video(
        actor=cast.committee_admin,
        data=video_svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1)),
    )
    add_watching(video=video, items=[(cast.member_a1.pk, 60.0, timezone.now())])
    return video


def test_a_member_sees_their_required_video_with_their_own_progress(cast, required):
    mine = cast.client(cast.member_user).get(reverse("api-learning-my-assignments"))
    assert mine.status_code == 200
    (row,) = mine.json()
    assert (row["title"], row["kind"], row["progress"]["percent"]) == ("党章", "required", 50)
    assert row["progress"]["completed_at"] is None
    library = cast.client(cast.member_user).get(reverse("api-learning-video-list")).json()["results"]
    assert [(v["title"], v["my_progress"]["credited"]) for v in library] == [("党章", 60.0)]
    detail = cast.client(cast.member_user).get(reverse("api-learning-video-detail", args=[required.pk]))
    assert detail.json()["my_progress"]["position"] == WatchProgress.objects.get(video=required).position


def test_the_videos_four_ways(cast, required):
    detail = reverse("api-learning-video-detail", args=[required.pk])
    admin = cast.client(cast.committee_admin).get(detail)
    assert admin.status_code == 200 and admin.json()["my_progress"] is None  # a staff account watches nothing
    assert cast.client(cast.viewer).get(detail).status_code == 200
    assert cast.client(cast.outsider).get(detail).status_code == 404
    assert cast.client(cast.outsider).get(reverse("api-learning-video-list")).json()["results"] == []
    assert cast.client(cast.outsider).get(reverse("api-learning-my-assignments")).json() == []
    for url in (detail, reverse("api-learning-video-list"), reverse("api-learning-my-assignments")):
        assert Client().get(url).status_code == 401
    assert cast.client(cast.viewer).post(reverse("api-learning-video-list"), {}).status_code == 405


def test_a_member_s_hours_account_four_ways(cast):
    record = make_record(
        cast.branch_a1, "theme_day", dt.date(2026, 10, 1), present=3, absent=1, refresh=False
    )
    _lesson(cast, record=record)
    year = timezone.localtime(record.started_at).year
    url = reverse("api-learning-member-hours", args=[cast.member_a1.pk])
    own = cast.client(cast.member_user).get(url, {"year": year})
    assert own.status_code == 200
    data = own.json()
    assert data["name"] == "李建国" and Decimal(data["requirement"]) == Decimal("32")
    assert data["met"] is False and Decimal(data["gap"]) == Decimal("32") - Decimal(data["hours"])
    page_lines = account_lines(cast.member_a1, year)
    assert [(x["title"], Decimal(x["hours"])) for x in data["lines"]] == [
        (x.title, x.hours) for x in page_lines
    ]
    assert Decimal(data["hours"]) == sum((x.hours for x in page_lines), Decimal("0")) > 0
    assert cast.client(cast.viewer).get(url, {"year": year}).json() == data
    assert cast.client(cast.outsider).get(url).status_code == 404
    other = reverse("api-learning-member-hours", args=[cast.member_b1.pk])
    assert cast.client(cast.member_user).get(other).status_code == 404
    assert Client().get(url).status_code == 401


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_trainings_through_the_api_four_ways(cast):
    url = reverse("api-learning-training-list")
    body = {
        "org": cast.committee_a.pk,
        "name": "全县党员冬训",
        "organizer": "县委组织部",
        "starts_on": "2026-01-05",
        "ends_on": "2026-01-07",
        "hours": "8",
        "members": [cast.member_a1.pk],
    }
    assert _post(cast.client(cast.viewer), url, body).status_code == 403
    assert _post(cast.client(cast.outsider), url, body).status_code == 404
    assert _post(Client(), url, body).status_code == 401
    made = _post(cast.client(cast.committee_admin), url, body)
    assert made.status_code == 201 and made.json()["attendees"] == 1
    entry = StudyEntry.objects.get(training_id=made.json()["id"])
    assert (entry.member_id, entry.hours) == (cast.member_a1.pk, Decimal("8.0"))
    detail = reverse("api-learning-training-detail", args=[made.json()["id"]])
    assert cast.client(cast.viewer).get(detail).json()["name"] == "全县党员冬训"
    assert cast.client(cast.outsider).get(detail).status_code == 404
    assert cast.client(cast.outsider).get(url, {"year": 2026}).json()["results"] == []
    assert [r["name"] for r in cast.client(cast.viewer).get(url, {"year": 2026}).json()["results"]] == [
        "全县党员冬训"
    ]
    assert Client().get(detail).status_code == 401
    # a member outside the organization is refused by the service, with the page's message
    bad = _post(cast.client(cast.committee_admin), url, {**body, "members": [cast.member_b1.pk]})
    assert bad.status_code == 400


def test_assignments_managed_through_the_api_four_ways(cast, required):
    url = reverse("api-learning-assignment-list")
    body = {"video": required.pk, "org": cast.branch_a1.pk, "kind": "optional", "due_on": "2099-06-01"}
    assert _post(cast.client(cast.viewer), url, body).status_code == 403
    assert _post(cast.client(cast.outsider), url, body).status_code == 404
    assert _post(Client(), url, body).status_code == 401
    made = _post(cast.client(cast.committee_admin), url, body)
    assert made.status_code == 201 and made.json()["kind"] == "optional"
    listed = cast.client(cast.committee_admin).get(url, {"video": required.pk}).json()["results"]
    assert sorted(a["kind"] for a in listed) == ["optional", "required"]
    (first,) = [a for a in listed if a["kind"] == "required"]
    detail = cast.client(cast.viewer).get(reverse("api-learning-assignment-detail", args=[first["id"]]))
    assert detail.status_code == 200
    assert detail.json()["due"] >= 1 and detail.json()["done"] == 0
    assert cast.member_a1.pk in [m["member"] for m in detail.json()["missing"]]
    assert (
        cast.client(cast.outsider)
        .get(reverse("api-learning-assignment-detail", args=[first["id"]]))
        .status_code
        == 404
    )
    assert cast.client(cast.outsider).get(url).json()["results"] == []
    assert Client().get(url).status_code == 401
    past = _post(cast.client(cast.committee_admin), url, {**body, "due_on": "2000-01-01"})
    assert past.status_code == 400 and "截止日期" in past.json()["due_on"][0]


def test_study_books_and_spot_checks_through_the_api_four_ways(cast):
    url = reverse("api-learning-book-list")
    body = {
        "org": cast.committee_a.pk,
        "title": "《习近平谈治国理政》第五卷",
        "issued_on": timezone.localdate().isoformat(),
    }
    assert _post(cast.client(cast.viewer), url, body).status_code == 403
    assert _post(cast.client(cast.outsider), url, body).status_code == 404
    assert _post(Client(), url, body).status_code == 401
    made = _post(cast.client(cast.committee_admin), url, body)
    assert made.status_code == 201 and made.json()["records"] >= 1
    book = made.json()["id"]
    records = cast.client(cast.viewer).get(reverse("api-learning-book-records", args=[book]))
    assert records.status_code == 200
    record = next(r for r in records.json()["results"] if r["member"] == cast.member_a1.pk)
    assert cast.client(cast.outsider).get(reverse("api-learning-book-detail", args=[book])).status_code == 404
    assert cast.client(cast.outsider).get(url).json()["results"] == []
    check = reverse("api-learning-record-check", args=[record["id"]])
    result = {"result": "pass", "checked_on": timezone.localdate().isoformat(), "remark": "笔记完整"}
    assert _post(cast.client(cast.viewer), check, result).status_code == 403
    assert _post(cast.client(cast.outsider), check, result).status_code == 404
    assert _post(Client(), check, result).status_code == 401
    done = _post(cast.client(cast.committee_admin), check, result)
    assert done.status_code == 201 and [c["result"] for c in done.json()["checks"]] == ["pass"]


def test_the_assignment_filter_refuses_an_id_beyond_a_database_integer(cast):
    """Found by the API fuzzing: a 20-digit video id overflowed the database driver (500); it is a 400 now."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.dept_admin)
    response = api.get("/api/v1/learning/assignments/", {"video": "13578766277868716032"})
    assert response.status_code == 400 and response.json()["video"] == ["教育片ID应为数字"]
    assert api.get("/api/v1/learning/assignments/", {"video": "12"}).status_code == 200


# ---------------------------------------------------------------- 学时折算标准 (L-06)

CONVERSION = {
    "effective_from": "2027-01-01",
    "hours_per_day": "7",
    "hours_per_half_day": "3.5",
    "study_hours_per_hour": "1.5",
    "document": "示范县委组织部〔2026〕12号",
}
TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_conversion_versions_are_read_by_every_staff_user_four_ways(cast):
    first = Conversion.objects.get()
    url = reverse("api-learning-conversion-list")
    detail = reverse("api-learning-conversion-detail", args=[first.pk])
    current = reverse("api-learning-conversion-current")
    with time_machine.travel(TODAY, tick=False):
        listed = cast.client(cast.dept_admin).get(url)
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [first.pk]
        # Read-only and the secretary of another branch: the table is county-wide, as on the page.
        for reader in (cast.viewer, cast.outsider):
            assert (
                cast.client(reader).get(detail).json()["study_hours_per_hour"]
                == f"{first.study_hours_per_hour}"
            )
            assert cast.client(reader).get(current).json()["id"] == first.pk
        # A member without a role on the tree does not see it (404), the anonymous caller is asked to log in.
        for path in (url, detail, current):
            assert cast.client(cast.member_user).get(path).status_code == 404
            assert Client().get(path).status_code == 401
        bad = cast.client(cast.viewer).get(current, {"date": "2026-13-01"})
        assert bad.status_code == 400 and bad.json() == {"date": ["日期格式应为 YYYY-MM-DD"]}
        before = cast.client(cast.viewer).get(current, {"date": "1999-01-01"})
        assert before.status_code == 404 and "没有适用" in before.json()["detail"]


def test_a_department_admin_publishes_a_version_through_the_api_and_no_one_else_may(cast):
    url = reverse("api-learning-conversion-list")
    with time_machine.travel(TODAY, tick=False):
        for refused in (cast.viewer, cast.outsider, cast.committee_admin, cast.secretary):
            response = cast.client(refused).post(url, CONVERSION, content_type="application/json")
            assert response.status_code == 403 and response.json()["detail"] == conversion_svc.REFUSED
        assert (
            cast.client(cast.member_user).post(url, CONVERSION, content_type="application/json").status_code
            == 404
        )
        assert Client().post(url, CONVERSION, content_type="application/json").status_code == 401
        assert Conversion.objects.count() == 1

        made = cast.client(cast.dept_admin).post(url, CONVERSION, content_type="application/json")
        assert made.status_code == 201, made.content
        assert made.json()["effective_from"] == "2027-01-01" and made.json()["hours_per_day"] == "7.0"
        assert "集中学习每小时折合学时：1 → 1.5" in made.json()["changes"]
        listed = cast.client(cast.viewer).get(url).json()["results"]
        assert [row["effective_from"] for row in listed][0] == "2027-01-01"
        # In force from its date on, not before: hours already earned keep the version of their day.
        current = reverse("api-learning-conversion-current")
        assert cast.client(cast.viewer).get(current).json()["study_hours_per_hour"] == "1.00"
        on = cast.client(cast.viewer).get(current, {"date": "2027-01-01"}).json()
        assert on["study_hours_per_hour"] == "1.50"
    event = AuditEvent.objects.filter(action="create", target_repr__contains="2027-01-01起").get()
    assert event.summary["effective_from"] == "2027-01-01"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"effective_from": "2026-11-20"}, "effective_from", "生效日期最早为明天"),
        ({"effective_from": "2027-02-30"}, "effective_from", "请输入有效的日期"),
        ({"effective_from": None}, "effective_from", "请填写生效日期"),
        ({"hours_per_day": "abc"}, "hours_per_day", "全天培训折合学时应为数字"),
        ({"hours_per_day": "0"}, "hours_per_day", "全天培训折合学时应为正数"),
        ({"hours_per_day": "30"}, "hours_per_day", "不能超过24"),
        ({"study_hours_per_hour": "0.125"}, "study_hours_per_hour", "最多保留2位小数"),
        ({"hours_per_half_day": "9"}, "hours_per_half_day", "半天讲座折合学时不能多于全天培训折合学时"),
        ({"document": "  "}, "document", "请填写依据"),
    ],
)
def test_a_bad_version_is_refused_in_chinese_by_field(cast, changes, field, message):
    body = {k: v for k, v in {**CONVERSION, **changes}.items() if v is not None}
    with time_machine.travel(TODAY, tick=False):
        response = cast.client(cast.dept_admin).post(
            reverse("api-learning-conversion-list"), body, content_type="application/json"
        )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field]), response.json()
    assert Conversion.objects.count() == 1
