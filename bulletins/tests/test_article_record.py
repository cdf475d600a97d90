"""An article may name the 组织生活 record it reports on: an approved record of its unit or a branch under it,
chosen on the form or given to the API; any other record is refused with a Chinese error and nothing saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from bulletins.models import Article
from bulletins.services import articles
from bulletins.tests.conftest import BODY
from orglife.models import MeetingRecord
from orglife.tests.stats_fixtures import make_record

REFUSED = "只能关联本单位或下级党组织已审核的组织生活纪实"


def this_month() -> dt.date:
    return dt.date.today().replace(day=1)


@pytest.fixture
def records(cast: Any) -> dict[str, MeetingRecord]:
    return {
        "own": make_record(
            cast.branch_a1, "theme_day", this_month(), topic="学习贯彻全会精神", refresh=False
        ),
        "draft": make_record(
            cast.branch_a1, "lecture", this_month(), status=MeetingRecord.Status.DRAFT, refresh=False
        ),
        "other": make_record(cast.branch_b1, "theme_day", this_month(), topic="企业支部学习", refresh=False),
    }


def test_the_service_links_a_record_of_the_unit_and_refuses_others(
    cast: Any, officer: Any, records: Any
) -> None:
    article = articles.save_draft(
        actor=officer,
        org=cast.committee_a,
        title="财政局支部学习全会精神",
        body=BODY,
        byline="县直机关工委",
        record=records["own"],
    )
    assert Article.objects.get(pk=article.pk).record == records["own"]
    for key in ("other", "draft"):
        with pytest.raises(ValidationError) as refused:
            articles.save_draft(
                actor=officer,
                org=cast.committee_a,
                title="另一篇",
                body=BODY,
                byline="县直机关工委",
                record=records[key],
            )
        assert refused.value.message_dict["record"] == [REFUSED]
    assert Article.objects.count() == 1


def test_the_form_offers_the_unit_s_approved_records_and_the_detail_links_it(
    cast: Any, officer: Any, editor: Any, records: Any
) -> None:
    c = Client()
    c.force_login(officer)
    page = c.get(reverse("bulletins:article_create")).content.decode()
    assert "学习贯彻全会精神" in page
    assert "企业支部学习" not in page  # another committee's branch
    response = c.post(
        reverse("bulletins:article_create"),
        {
            "org": cast.committee_a.pk,
            "title": "财政局支部学习全会精神",
            "byline": "县直机关工委",
            "body": "第一段",
            "record": records["own"].pk,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.record == records["own"]
    editor_client = Client()
    editor_client.force_login(editor)
    detail = editor_client.get(reverse("bulletins:article_detail", args=[article.pk])).content.decode()
    assert reverse("orglife:record_detail", args=[records["own"].pk]) in detail
    assert "相关组织生活纪实" in detail and "主题党日：学习贯彻全会精神" in detail


def test_the_form_refuses_a_record_outside_the_list_and_keeps_what_was_typed(
    cast: Any, officer: Any, records: Any
) -> None:
    c = Client()
    c.force_login(officer)
    response = c.post(
        reverse("bulletins:article_create"),
        {
            "org": cast.committee_a.pk,
            "title": "保留的标题",
            "byline": "县直机关工委",
            "body": "第一段",
            "record": records["other"].pk,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "请选择列表中的组织生活纪实" in page and "保留的标题" in page
    assert not Article.objects.exists()


def test_the_api_takes_a_record_and_refuses_one_outside_the_unit(
    cast: Any, officer: Any, records: Any
) -> None:
    api = APIClient()
    api.force_authenticate(officer)
    body = {"org": cast.committee_a.pk, "title": "经验做法", "byline": "县直机关工委", "body": "第一段"}
    refused = api.post("/api/v1/bulletins/articles/", {**body, "record": records["other"].pk}, format="json")
    assert refused.status_code == 400 and refused.json()["record"] == [REFUSED]
    assert not Article.objects.exists()
    made = api.post("/api/v1/bulletins/articles/", {**body, "record": records["own"].pk}, format="json")
    assert made.status_code == 201 and made.json()["record"] == records["own"].pk
    plain = api.post("/api/v1/bulletins/articles/", body, format="json")
    assert plain.status_code == 201 and plain.json()["record"] is None
