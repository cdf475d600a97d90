"""The API: the same services and scope as the pages, service errors as 400 with Chinese messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from bulletins.models import Article
from bulletins.services import issues
from bulletins.tests.conftest import adopted


def api(user: Any) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def test_an_officer_submits_and_an_editor_returns_then_adopts(cast: Any, officer: Any, editor: Any) -> None:
    response = api(officer).post(
        "/api/v1/bulletins/articles/",
        {
            "org": cast.committee_a.pk,
            "title": "经验做法",
            "byline": "县直机关工委",
            "body": "第一段\n第二段",
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "submitted"
    refused = api(editor).post(f"/api/v1/bulletins/articles/{pk}/return/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    returned = api(editor).post(
        f"/api/v1/bulletins/articles/{pk}/return/", {"reason": "请补充数据"}, format="json"
    )
    assert returned.json()["return_reason"] == "请补充数据"
    assert api(officer).post(f"/api/v1/bulletins/articles/{pk}/submit/").json()["submissions"] == 2
    adopted_ = api(editor).post(
        f"/api/v1/bulletins/articles/{pk}/adopt/", {"adoption": "brief"}, format="json"
    )
    assert adopted_.json()["adoption_display"] == "简讯综合"


def test_bad_input_gets_chinese_errors_and_saves_nothing(cast: Any, officer: Any) -> None:
    response = api(officer).post(
        "/api/v1/bulletins/articles/",
        {"org": cast.committee_a.pk, "title": " ", "byline": "x", "body": "<script>x</script>"},
        format="json",
    )
    assert response.status_code == 400
    assert not Article.objects.exists()


def test_the_four_callers(cast: Any, officer: Any, editor: Any, journal: Any) -> None:
    article = adopted(officer, editor, cast.committee_a)
    url = f"/api/v1/bulletins/articles/{article.pk}/"
    assert api(None).get(url).status_code == 401
    assert api(cast.outsider).get(url).status_code == 404
    assert api(cast.viewer).get(url).status_code == 200
    assert api(cast.viewer).post(url + "adopt/", {"adoption": "full"}, format="json").status_code == 403
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2026, 3, 2))
    issues.place_article(actor=editor, issue=issue, article=article, section="市内信息")
    publish = f"/api/v1/bulletins/issues/{issue.pk}/publish/"
    assert api(cast.viewer).post(publish).status_code == 403
    body = api(editor).post(publish).json()
    assert (body["number"], body["entries"][0]["title"]) == (1, article.title)
    assert api(editor).post(publish).status_code == 400
