"""The quizzes API: the same rules as the pages, four ways, and a member's attempt through it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from quizzes.models import Attempt, Campaign, Question
from quizzes.tests.conftest import Bank


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_question_list_four_ways(cast: Any, bank: Bank) -> None:
    url = "/api/v1/quizzes/questions/"
    assert api(None).get(url).status_code == 401
    assert api(cast.member_user).get(url).status_code == 404
    assert api(cast.viewer).get(url).json()["count"] == 20
    assert api(cast.dept_admin).get(url, {"q": "报告第3"}).json()["count"] == 1


def test_create_and_revise_through_the_api(cast: Any, bank: Bank) -> None:
    data = {
        "category": bank.charter.pk,
        "kind": "multiple",
        "stem": "API多选？",
        "options": ["甲", "乙", "丙"],
        "answer": [0, 2],
    }
    assert api(cast.viewer).post("/api/v1/quizzes/questions/", data, format="json").status_code == 403
    bad = api(cast.dept_admin).post("/api/v1/quizzes/questions/", {**data, "answer": [1]}, format="json")
    assert bad.status_code == 400 and "至少要有两个正确答案" in str(bad.json())
    created = api(cast.dept_admin).post("/api/v1/quizzes/questions/", data, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    revised = api(cast.dept_admin).post(
        f"/api/v1/quizzes/questions/{pk}/revise/", {**data, "answer": [0, 1]}, format="json"
    )
    assert revised.json()["version"] == 2
    assert Question.objects.get(pk=pk).versions.count() == 2


def test_campaign_with_quotas_the_bank_cannot_fill_is_a_400(cast: Any, bank: Bank) -> None:
    now = timezone.now()
    data = {
        "org": cast.county.pk,
        "title": "API 测试",
        "starts_at": now.isoformat(),
        "ends_at": (now + dt.timedelta(days=1)).isoformat(),
        "quotas": [{"category": bank.report.pk, "difficulty": 3, "count": 1}],
        "time_limit_minutes": 5,
    }
    response = api(cast.dept_admin).post("/api/v1/quizzes/campaigns/", data, format="json")
    assert response.status_code == 400 and "少于要求的 1 道" in str(response.json())
    data["quotas"] = [{"category": bank.report.pk, "count": 2}]
    assert api(cast.dept_admin).post("/api/v1/quizzes/campaigns/", data, format="json").status_code == 201


def test_member_takes_the_quiz_through_the_api(cast: Any, campaign: Campaign) -> None:
    member = api(cast.member_user)
    assert [c["id"] for c in member.get("/api/v1/quizzes/campaigns/").json()["results"]] == [campaign.pk]
    started = member.post(f"/api/v1/quizzes/campaigns/{campaign.pk}/start/")
    assert started.status_code == 201
    sheet = started.json()
    assert len(sheet["items"]) == 4 and "answer" not in sheet["items"][0]
    attempt = Attempt.objects.get(pk=sheet["id"])
    answers = {str(i.question_id): i.version.answer for i in attempt.items.select_related("version")}
    first = dict(list(answers.items())[:1])
    assert (
        member.post(
            f"/api/v1/quizzes/attempts/{attempt.pk}/answers/", {"answers": first}, format="json"
        ).status_code
        == 200
    )
    other = api(cast.secretary).post(
        f"/api/v1/quizzes/attempts/{attempt.pk}/answers/", {"answers": first}, format="json"
    )
    assert other.status_code == 404
    done = member.post(
        f"/api/v1/quizzes/attempts/{attempt.pk}/submit/", {"answers": answers}, format="json"
    ).json()
    assert done["score"] == "100.0" and done["passed"] is True and done["refused_answers"] == 1
    again = member.post(f"/api/v1/quizzes/attempts/{attempt.pk}/answers/", {"answers": first}, format="json")
    assert again.status_code == 409


def test_void_needs_a_bank_role(cast: Any, campaign: Campaign) -> None:
    url = f"/api/v1/quizzes/campaigns/{campaign.pk}/void/"
    assert api(cast.viewer).post(url, {"reason": "x"}).status_code == 403
    assert api(cast.outsider).post(url, {"reason": "x"}).status_code == 404
    assert api(cast.dept_admin).post(url, {"reason": "出题有误"}).json()["status"] == "voided"
