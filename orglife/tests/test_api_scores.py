"""/api/v1/orglife/scores/ and /interviews/: the pages' services and access rules, four ways."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from orglife.models import Interview, MonthlyScore, RuleSet
from orglife.services.scores import close_month
from orglife.tests.test_scores_month_close import month_where
from orgs.tests.api_client import api, ids

JUL = dt.date(2026, 7, 1)
NOW = dt.datetime(2026, 8, 20, 2, 0, tzinfo=dt.UTC)  # 20 August in Shanghai: July's interview is overdue
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCORES = "/api/v1/orglife/scores/"
CLOSE = "/api/v1/orglife/scores/close/"
INTERVIEWS = "/api/v1/orglife/interviews/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def interview(cast, settings, tmp_path):
    """July closed with committee_a lagging (total 40) and committee_b on 100."""
    settings.MEDIA_ROOT = str(tmp_path)
    RuleSet.objects.update(lag_bottom_n=0)
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    return Interview.objects.get(org=cast.committee_a, month=JUL)


def outcome(**extra):
    return {
        "held_on": "2026-08-05",
        "interviewee_name": "钱组织",
        "outcome": "指出问题，提出整改要求",
        **extra,
    }


def complete(user, interview, body=None, fmt="json"):
    return api(user).post(f"{INTERVIEWS}{interview.pk}/complete/", body or outcome(), format=fmt)


def snapshot(month=JUL):
    return sorted(
        MonthlyScore.objects.filter(month=month).values_list(
            "org_id",
            "completion_rate",
            "quality_score",
            "rectification_score",
            "total",
            "rank",
            "lagging",
            "consecutive_lag",
        )
    )


# ---------------------------------------------------------------- scores list


def test_the_department_admin_reads_the_ranking_with_the_formula_in_force(cast, interview):
    response = api(cast.dept_admin).get(SCORES, {"month": "2026-07"})
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-07" and body["months"] == ["2026-07"]
    assert body["formula"] == "总分 =（完成率×60 + 质量分×25 + 整改分×15）÷ 100"
    ruleset = body["ruleset"]
    assert (ruleset["weight_completion"], ruleset["weight_quality"], ruleset["weight_rectification"]) == (
        60,
        25,
        15,
    )
    assert ruleset["weight_sum"] == 100 and ruleset["lag_bottom_n"] == 0
    first, second = body["results"]
    assert (first["org"], first["rank"], first["lagging"], first["total"]) == (
        cast.committee_b.pk,
        1,
        False,
        "100.00",
    )
    assert second["org_name"] == cast.committee_a.display_name
    assert (second["rank"], second["lagging"], second["consecutive_lag"]) == (2, True, 1)
    assert {"completion_rate", "quality_score", "rectification_score"} <= second.keys()


def test_the_latest_closed_month_is_the_default(cast, interview):
    assert api(cast.dept_admin).get(SCORES).json()["month"] == "2026-07"


def test_a_month_without_scores_still_names_its_formula(cast, interview):
    body = api(cast.dept_admin).get(SCORES, {"month": "2026-06"}).json()
    assert body["results"] == [] and body["formula"].startswith("总分")


def test_a_malformed_month_is_a_400(cast, interview):
    response = api(cast.dept_admin).get(SCORES, {"month": "七月"})
    assert response.status_code == 400 and "month" in response.json()


def test_the_viewer_sees_only_the_committee_in_scope(cast, interview):
    rows = api(cast.viewer).get(SCORES, {"month": "2026-07"}).json()["results"]
    assert [r["org"] for r in rows] == [cast.committee_a.pk]
    assert rows[0]["rank"] == 2  # the rank stays the county's


def test_an_outsider_sees_no_committee_score(cast, interview):
    response = api(cast.outsider).get(SCORES, {"month": "2026-07"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_plain_member_has_no_scores_and_anonymous_callers_get_401(cast, interview):
    assert api(cast.member_user).get(SCORES).status_code == 404
    assert api(None).get(SCORES).status_code == 401
    assert api(None).post(CLOSE, {"month": "2026-07"}, format="json").status_code == 401


# ---------------------------------------------------------------- month close


def test_the_department_admin_closes_a_month_and_again_gets_the_same_result(cast, interview):
    before = snapshot()
    client = api(cast.dept_admin)
    first = client.post(CLOSE, {"month": "2026-07"}, format="json")
    assert first.status_code == 200
    assert first.json()["committees"] == 2 and first.json()["lagging"] == 1
    assert first.json()["interviews_created"] == 0  # the fixture's close already created it
    second = client.post(CLOSE, {"month": "2026-07"}, format="json")
    assert second.json() == first.json()
    assert snapshot() == before
    assert list(Interview.objects.filter(month=JUL).values_list("pk", flat=True)) == [interview.pk]
    assert (
        AuditEvent.objects.filter(summary__event="orglife.month_closed", actor_id=cast.dept_admin.pk).count()
        == 2
    )


def test_closing_a_new_month_through_the_api_scores_it(cast, interview):
    month_where(cast, dt.date(2026, 6, 1), a_lags=False)
    response = api(cast.dept_admin).post(CLOSE, {"month": "2026-06"}, format="json")
    assert response.status_code == 200 and response.json()["lagging"] == 0
    assert MonthlyScore.objects.filter(month=dt.date(2026, 6, 1)).count() == 2


@pytest.mark.parametrize("month", ["2026-13", "七月", "", "2026-08", "2026-09"])
def test_a_bad_or_unfinished_month_is_a_400(cast, interview, month):
    response = api(cast.dept_admin).post(CLOSE, {"month": month}, format="json")
    assert response.status_code == 400 and "month" in response.json()
    assert not MonthlyScore.objects.filter(month__gte=dt.date(2026, 8, 1)).exists()


@pytest.mark.parametrize("who", ["viewer", "committee_admin", "outsider", "secretary"])
def test_only_the_department_admin_may_close(cast, interview, who):
    before = snapshot()
    response = api(getattr(cast, who)).post(CLOSE, {"month": "2026-07"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before
    assert not AuditEvent.objects.filter(
        summary__event="orglife.month_closed", actor_id__isnull=False
    ).exists()


# ---------------------------------------------------------------- interviews list and detail


def test_the_department_admin_lists_and_filters_interviews(cast, interview):
    client = api(cast.dept_admin)
    assert ids(client.get(INTERVIEWS)) == {interview.pk}
    row = client.get(INTERVIEWS).json()["results"][0]
    assert (row["status"], row["overdue"], row["level"]) == ("pending", True, "organization_member")
    assert row["org_name"] == cast.committee_a.display_name and row["month"] == "2026-07"
    assert ids(client.get(INTERVIEWS, {"status": "pending"})) == {interview.pk}
    assert ids(client.get(INTERVIEWS, {"status": "done"})) == set()
    assert ids(client.get(INTERVIEWS, {"month": "2026-07"})) == {interview.pk}
    assert ids(client.get(INTERVIEWS, {"month": "2026-06"})) == set()
    assert ids(client.get(INTERVIEWS, {"overdue": "true"})) == {interview.pk}
    assert ids(client.get(INTERVIEWS, {"overdue": "false"})) == set()


def test_an_interview_before_its_due_date_is_not_overdue(cast, interview):
    with time_machine.travel(dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC), tick=False):
        client = api(cast.dept_admin)
        assert ids(client.get(INTERVIEWS, {"overdue": "true"})) == set()
        assert client.get(f"{INTERVIEWS}{interview.pk}/").json()["overdue"] is False


def test_the_detail_carries_the_month_score(cast, interview):
    body = api(cast.dept_admin).get(f"{INTERVIEWS}{interview.pk}/").json()
    assert body["score"]["total"] == "40.00" and body["score"]["rank"] == 2
    assert body["has_attachment"] is False


def test_the_viewer_and_the_interviewed_committee_read_the_interview(cast, interview):
    for user in (cast.viewer, cast.committee_admin):
        assert ids(api(user).get(INTERVIEWS)) == {interview.pk}
        assert api(user).get(f"{INTERVIEWS}{interview.pk}/").status_code == 200


def test_an_outsider_never_sees_another_committees_interview(cast, interview):
    client = api(cast.outsider)
    assert ids(client.get(INTERVIEWS)) == set()
    assert client.get(f"{INTERVIEWS}{interview.pk}/").status_code == 404
    assert client.get(f"{INTERVIEWS}{interview.pk}/attachment/").status_code == 404
    assert complete(cast.outsider, interview).status_code == 404
    interview.refresh_from_db()
    assert interview.status == "pending" and not interview.outcome


def test_anonymous_callers_get_401_on_interviews(cast, interview):
    client = api(None)
    assert client.get(INTERVIEWS).status_code == 401
    assert client.get(f"{INTERVIEWS}{interview.pk}/").status_code == 401
    assert client.post(f"{INTERVIEWS}{interview.pk}/complete/", outcome(), format="json").status_code == 401


def test_a_plain_member_has_no_interview_list(cast, interview):
    assert api(cast.member_user).get(INTERVIEWS).status_code == 404


# ---------------------------------------------------------------- completing an interview


def test_the_department_admin_completes_an_interview_with_an_attachment(cast, interview):
    upload = SimpleUploadedFile("约谈记录.pdf", PDF, content_type="application/pdf")
    response = complete(cast.dept_admin, interview, outcome(attachment=upload), fmt="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["held_on"], body["interviewee_name"]) == ("done", "2026-08-05", "钱组织")
    assert body["has_attachment"] is True and body["completed_by"] == cast.dept_admin.pk
    interview.refresh_from_db()
    assert interview.status == "done" and interview.completed_by == cast.dept_admin
    assert "约谈记录" not in interview.attachment.name
    events = AuditEvent.objects.filter(target_id=str(interview.pk), actor_id=cast.dept_admin.pk)
    assert {e.summary["event"] for e in events} == {"orglife.interview_recorded", "orglife.interview_done"}
    download = api(cast.dept_admin).get(f"{INTERVIEWS}{interview.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert ids(api(cast.dept_admin).get(INTERVIEWS, {"status": "done"})) == {interview.pk}


def test_json_without_an_attachment_is_enough(cast, interview):
    assert complete(cast.dept_admin, interview).json()["status"] == "done"


def test_a_completed_interview_answers_409(cast, interview):
    complete(cast.dept_admin, interview)
    response = complete(cast.dept_admin, interview, outcome(outcome="改写"))
    assert response.status_code == 409
    interview.refresh_from_db()
    assert interview.outcome == "指出问题，提出整改要求"


def test_missing_fields_are_a_400_and_change_nothing(cast, interview):
    response = complete(cast.dept_admin, interview, {"held_on": "2026-08-05", "outcome": "  "})
    assert response.status_code == 400
    assert {"interviewee_name", "outcome"} <= response.json().keys()
    interview.refresh_from_db()
    assert interview.status == "pending"


def test_an_unsupported_attachment_is_a_400_and_changes_nothing(cast, interview):
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = complete(cast.dept_admin, interview, outcome(attachment=upload), fmt="multipart")
    assert response.status_code == 400 and "attachment" in response.json()
    interview.refresh_from_db()
    assert interview.status == "pending" and not interview.outcome
    assert not AuditEvent.objects.filter(summary__event="orglife.interview_recorded").exists()


@pytest.mark.parametrize("who", ["viewer", "committee_admin"])
def test_readers_and_the_interviewed_committee_get_403(cast, interview, who):
    assert complete(getattr(cast, who), interview).status_code == 403
    interview.refresh_from_db()
    assert interview.status == "pending" and not interview.outcome
