"""The quiz pages four ways (allowed, read-only, outsider, anonymous) and a member's answer flow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from orgs.roles import Role
from quizzes.models import Attempt, Campaign, Question
from quizzes.services import start_attempt
from quizzes.tests.conftest import Bank


@pytest.fixture
def editor(cast: Any) -> Any:
    return make_user("editor", Role.EDITOR, cast.county)


def status(cast: Any, user: Any, url: str, method: str = "get", **data: Any) -> int:
    client = cast.client(user)
    return (client.post(url, data) if method == "post" else client.get(url)).status_code


def test_bank_list_four_ways(cast: Any, bank: Bank) -> None:
    url = reverse("quizzes:bank")
    assert status(cast, None, url) == 302
    assert status(cast, cast.member_user, url) == 404
    assert status(cast, cast.viewer, url) == 200
    response = cast.client(cast.dept_admin).get(url, {"q": "党章第1"})
    assert response.status_code == 200
    assert "党章第1题" in response.content.decode() and "报告第1题" not in response.content.decode()


def test_question_detail_four_ways(cast: Any, bank: Bank) -> None:
    url = reverse("quizzes:question_detail", args=[bank.questions[0].pk])
    assert status(cast, None, url) == 302
    assert status(cast, cast.member_user, url) == 404
    assert status(cast, cast.viewer, url) == 200  # the county's bank is shared with the nodes below
    assert status(cast, cast.dept_admin, url) == 200


def test_committee_bank_is_not_shown_to_a_sibling_committee(cast: Any, bank: Bank) -> None:
    from quizzes import services
    from quizzes.tests.conftest import single

    committee_admin_b = make_user("admin_b", Role.COMMITTEE_ADMIN, cast.committee_b)
    cat = services.create_category(actor=cast.committee_admin, org=cast.committee_a, name="机关题")
    q = services.create_question(actor=cast.committee_admin, category=cat, data=single("机关工委自出题？"))
    url = reverse("quizzes:question_detail", args=[q.pk])
    assert status(cast, committee_admin_b, url) == 404
    assert status(cast, cast.outsider, url) == 404
    assert status(cast, cast.secretary, url) == 200


def test_edit_four_ways_and_a_new_version(cast: Any, bank: Bank, editor: Any) -> None:
    question = bank.questions[0]
    url = reverse("quizzes:question_edit", args=[question.pk])
    assert status(cast, None, url) == 302
    assert status(cast, cast.member_user, url) == 404
    assert status(cast, cast.viewer, url) == 403
    assert status(cast, editor, url) == 200
    data = {
        "kind": "single",
        "category": bank.charter.pk,
        "stem": "党章第0题（改）？",
        "options": "甲\n乙\n丙",
        "answer": "B",
        "difficulty": 1,
    }
    response = cast.client(editor).post(url, data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current.number == 2 and question.current.answer == [1]


def test_create_refuses_a_single_with_two_answers_in_chinese(cast: Any, bank: Bank, editor: Any) -> None:
    data = {
        "kind": "single",
        "category": bank.charter.pk,
        "stem": "新题",
        "options": "甲\n乙",
        "answer": "AB",
        "difficulty": 2,
    }
    response = cast.client(editor).post(reverse("quizzes:question_create"), data)
    assert response.status_code == 200
    assert "只能有一个正确答案" in response.content.decode()
    assert not Question.objects.filter(current__stem="新题").exists()


def test_create_pages_refuse_readers(cast: Any, bank: Bank) -> None:
    for name in (
        "quizzes:question_create",
        "quizzes:import",
        "quizzes:import_template",
        "quizzes:campaign_create",
    ):
        url = reverse(name)
        assert status(cast, None, url) == 302
        assert status(cast, cast.member_user, url) == 404
        assert status(cast, cast.viewer, url) == 403
        assert status(cast, cast.dept_admin, url) == 200


def test_campaign_pages_four_ways(cast: Any, campaign: Campaign) -> None:
    for url in (reverse("quizzes:campaign_list"), reverse("quizzes:campaign_detail", args=[campaign.pk])):
        assert status(cast, None, url) == 302
        assert status(cast, cast.member_user, url) == 404
        assert status(cast, cast.viewer, url) == 200
        assert status(cast, cast.committee_admin, url) == 200
    assert status(cast, cast.outsider, reverse("quizzes:campaign_detail", args=[campaign.pk])) == 404
    void = reverse("quizzes:campaign_void", args=[campaign.pk])
    assert status(cast, cast.viewer, void, "post", reason="x") == 403
    assert status(cast, cast.outsider, void, "post", reason="x") == 404


def test_campaign_create_refuses_quotas_the_bank_cannot_fill(cast: Any, bank: Bank) -> None:
    now = timezone.localtime()
    data = {
        "org": cast.county.pk,
        "title": "测试",
        "purpose": "exam",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": 10,
        "attempts_allowed": 1,
        "pass_mark": 60,
        "quota_category_1": bank.report.pk,
        "quota_difficulty_1": 3,
        "quota_count_1": 2,
    }
    response = cast.client(cast.dept_admin).post(reverse("quizzes:campaign_create"), data)
    assert response.status_code == 200
    assert "少于要求的 2 道" in response.content.decode()
    data["quota_difficulty_1"] = ""
    response = cast.client(cast.dept_admin).post(reverse("quizzes:campaign_create"), data)
    assert response.status_code == 302


def test_member_takes_a_quiz_saving_as_they_go(cast: Any, campaign: Campaign) -> None:
    client = cast.client(cast.member_user)
    assert client.get(reverse("quizzes:my")).status_code == 200
    response = client.post(reverse("quizzes:campaign_start", args=[campaign.pk]))
    attempt = Attempt.objects.get(member=cast.member_a1)
    assert response.url == reverse("quizzes:attempt", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert "quiz-timer" in page
    items = list(attempt.items.select_related("version"))
    first = items[0]
    save = reverse("quizzes:attempt_save", args=[attempt.pk])
    body = json.dumps({"answers": {str(first.question_id): first.version.answer}})
    assert client.post(save, body, content_type="application/json").status_code == 200
    # Another member's answers for this attempt: refused and counted.
    intruder = cast.client(cast.secretary)
    assert intruder.post(save, body, content_type="application/json").status_code == 404
    assert intruder.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 200  # staff reads
    # The batch submit carries every answer of the form.
    form = {}
    for item in items[1:]:
        form[f"q_{item.question_id}"] = [str(i) for i in item.version.answer]
    response = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]), form)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.refused_answers == 1
    result = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "100.0" in result and "活动结束" in result  # answers shown only after the window closes


def test_late_save_is_refused_with_409(cast: Any, campaign: Campaign) -> None:
    attempt = start_attempt(actor=cast.member_user, campaign=campaign)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    item = attempt.items.first()
    body = json.dumps({"answers": {str(item.question_id): [0]}})
    response = cast.client(cast.member_user).post(
        reverse("quizzes:attempt_save", args=[attempt.pk]), body, content_type="application/json"
    )
    assert response.status_code == 409
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO and attempt.refused_answers == 1


def test_member_pages_are_not_for_staff_without_a_member(cast: Any, bank: Bank) -> None:
    assert status(cast, None, reverse("quizzes:my")) == 302
    assert status(cast, cast.viewer, reverse("quizzes:my")) == 404
    assert status(cast, cast.viewer, reverse("quizzes:practice"), "post") == 404
    client = cast.client(cast.member_user)
    response = client.post(reverse("quizzes:practice"))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_exports_in_three_formats(cast: Any, bank: Bank) -> None:
    client = cast.client(cast.viewer)
    for fmt in ("xlsx", "gift", "aiken"):
        response = client.get(reverse("quizzes:export"), {"format": fmt})
        assert response.status_code == 200
    gift = client.get(reverse("quizzes:export"), {"format": "gift"}).content.decode()
    assert "$CATEGORY: top/党的理论/党章" in gift
    assert status(cast, cast.member_user, reverse("quizzes:export")) == 404
