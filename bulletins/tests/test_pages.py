"""The pages, four ways (allowed, read-only, outsider, anonymous), and the flows an officer and an editor go
through: submit from a form, return, resubmit, adopt, compose an issue, publish, download its PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from bulletins.models import Article, Issue
from bulletins.services import articles, issues
from bulletins.tests.conftest import BODY, adopted, draft
from conftest import make_org, make_user
from orgs.roles import Role


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def stranger() -> Any:
    """A branch secretary of another county: outside the journal's tree altogether."""
    found = User.objects.filter(username="stranger").first()
    if found is not None:
        return found
    other = make_org(None, "中共邻县委员会", "committee", "C0900")
    branch = make_org(other, "邻县某党支部", "branch", "B0900")
    return make_user("stranger", Role.BRANCH_SECRETARY, branch)


@pytest.fixture
def submitted(cast: Any, officer: Any) -> Article:
    return articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))


def test_an_officer_submits_from_the_form_and_sees_it_listed(cast: Any, officer: Any) -> None:
    c = client(officer)
    assert c.get(reverse("bulletins:article_create")).status_code == 200
    response = c.post(
        reverse("bulletins:article_create"),
        {
            "org": cast.committee_a.pk,
            "title": "县直机关工委开展信息员培训",
            "byline": "县直机关工委",
            "body": "第一段\n\n第二段",
            "category": "工作动态",
            "submit": "1",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert (article.state, article.body) == ("submitted", "<p>第一段</p><p>第二段</p>")
    listing = c.get(reverse("bulletins:article_list"), {"q": "信息员培训"})
    assert "县直机关工委开展信息员培训" in listing.content.decode()


def test_a_bad_submission_keeps_what_was_typed_with_chinese_errors(cast: Any, officer: Any) -> None:
    response = client(officer).post(
        reverse("bulletins:article_create"),
        {
            "org": cast.committee_a.pk,
            "title": "保留的标题",
            "byline": "",
            "body": "<style>x</style>",
            "submit": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "保留的标题" in page and "请填写" in page
    assert not Article.objects.exists()


def test_article_pages_answer_the_four_callers(
    cast: Any, submitted: Article, editor: Any, officer: Any
) -> None:
    detail = reverse("bulletins:article_detail", args=[submitted.pk])
    adopt = reverse("bulletins:article_adopt", args=[submitted.pk])
    assert client(None).get(detail).status_code == 302
    assert client(cast.outsider).get(detail).status_code == 404
    assert client(cast.viewer).get(detail).status_code == 200
    assert client(editor).get(detail).status_code == 200
    assert client(cast.outsider).post(adopt, {"adoption": "full"}).status_code == 404
    assert client(cast.viewer).post(adopt, {"adoption": "full"}).status_code == 403
    assert client(officer).post(adopt, {"adoption": "full"}).status_code == 403
    assert client(editor).post(adopt, {"adoption": "full"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.adoption == "full"


def test_a_draft_is_its_author_s_alone(cast: Any, officer: Any, editor: Any) -> None:
    mine = draft(officer, cast.committee_a)
    url = reverse("bulletins:article_detail", args=[mine.pk])
    assert client(officer).get(url).status_code == 200
    assert client(editor).get(url).status_code == 404


def test_return_with_comments_then_the_author_resubmits(
    cast: Any, submitted: Article, editor: Any, officer: Any
) -> None:
    c = client(editor)
    c.post(reverse("bulletins:article_return", args=[submitted.pk]), {"reason": ""})
    assert Article.objects.get().state == "submitted"  # no comments, no return
    c.post(reverse("bulletins:article_return", args=[submitted.pk]), {"reason": "请补充数据"})
    assert Article.objects.get().state == "returned"
    page = client(officer).get(reverse("bulletins:article_detail", args=[submitted.pk])).content.decode()
    assert "请补充数据" in page and "再次报送" in page
    client(officer).post(reverse("bulletins:article_submit", args=[submitted.pk]))
    assert Article.objects.get().submissions == 2


def test_the_editor_s_change_shows_the_author_a_diff(
    cast: Any, submitted: Article, editor: Any, officer: Any
) -> None:
    client(editor).post(
        reverse("bulletins:article_edit", args=[submitted.pk]),
        {"title": "县直机关工委：信息报送积分制", "body": BODY, "note": "改标题"},
    )
    page = client(officer).get(reverse("bulletins:article_detail", args=[submitted.pk])).content.decode()
    assert "<ins>+ 【标题】县直机关工委：信息报送积分制</ins>" in page


def test_inbox_is_for_editors(cast: Any, submitted: Article, editor: Any, officer: Any) -> None:
    url = reverse("bulletins:inbox")
    assert client(None).get(url).status_code == 302
    assert client(cast.viewer).get(url).status_code == 403
    assert client(officer).get(url).status_code == 403
    assert submitted.title in client(editor).get(url).content.decode()


def test_an_editor_composes_publishes_and_downloads_the_pdf(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    article = adopted(officer, editor, cast.committee_a)
    c = client(editor)
    response = c.post(
        reverse("bulletins:issue_create"),
        {"journal": journal.pk, "issue_date": "2026-03-02", "leader_box": "on"},
    )
    issue = Issue.objects.get()
    assert response.status_code == 302
    page = c.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert article.title in page
    c.post(reverse("bulletins:issue_place", args=[issue.pk]), {"article": article.pk, "section": "市内信息"})
    c.post(reverse("bulletins:issue_publish", args=[issue.pk]))
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("published", 1)
    pdf = c.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client(cast.viewer).get(reverse("bulletins:issue_detail", args=[issue.pk])).status_code == 200
    assert client(cast.viewer).post(reverse("bulletins:issue_publish", args=[issue.pk])).status_code == 403
    # a county's bulletin is read across the county (the outsider here is a branch secretary in it)
    assert client(cast.outsider).get(reverse("bulletins:issue_detail", args=[issue.pk])).status_code == 200
    assert client(stranger()).get(reverse("bulletins:issue_detail", args=[issue.pk])).status_code == 404


def test_issue_pages_refuse_the_read_only_and_outsiders(cast: Any, editor: Any, journal: Any) -> None:
    issue = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2026, 3, 2))
    assert client(cast.viewer).get(reverse("bulletins:issue_create")).status_code == 403
    assert client(None).get(reverse("bulletins:issue_list")).status_code == 302
    for url in (
        "bulletins:issue_place",
        "bulletins:issue_remove",
        "bulletins:issue_move",
        "bulletins:issue_correct",
    ):
        assert client(cast.viewer).post(reverse(url, args=[issue.pk])).status_code == 403
        assert client(cast.outsider).post(reverse(url, args=[issue.pk])).status_code == 403
        assert client(stranger()).post(reverse(url, args=[issue.pk])).status_code == 404


def test_progress_and_ranking_pages(cast: Any, submitted: Article, editor: Any, officer: Any) -> None:
    page = client(cast.viewer).get(reverse("bulletins:progress")).content.decode()
    assert cast.committee_a.name in page and "保存" not in page
    c = client(editor)
    c.post(
        reverse("bulletins:quota_set"),
        {"org": cast.committee_a.pk, "per_person_week": 2, "per_unit_month": 9},
    )
    assert "9" in c.get(reverse("bulletins:progress")).content.decode()
    assert (
        client(cast.viewer)
        .post(
            reverse("bulletins:quota_set"),
            {"org": cast.committee_a.pk, "per_person_week": 2, "per_unit_month": 9},
        )
        .status_code
        == 403
    )
    ranking = client(cast.viewer).get(reverse("bulletins:ranking")).content.decode()
    assert cast.committee_a.name in ranking


def test_the_ranking_exports_the_year_s_assessment_sheet(
    cast: Any, officer: Any, editor: Any, submitted: Article
) -> None:
    import io

    from openpyxl import load_workbook

    adopted(officer, editor, cast.committee_a, "第二篇", mode="brief")
    year = dt.date.today().year
    url = reverse("bulletins:ranking_export") + f"?year={year}"

    def rows(user: Any) -> list[tuple[Any, ...]]:
        response = client(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [tuple(r) for r in sheet.iter_rows(values_only=True)]

    got = rows(editor)
    assert got[0][0] == f"{year}年度信息工作考核：各单位信息报送与采用情况"
    assert got[1] == ("名次", "单位", "报送", "采用", "其中全文", "其中简讯综合", "推荐上级", "采用率")
    assert got[2] == (1, cast.committee_a.name, 2, 1, 0, 1, 0, "50%")
    assert rows(cast.viewer)[2][1] == cast.committee_a.name  # read-only: reads the same sheet
    assert len(rows(stranger())) == 2  # outsider: headers only, no unit of this county
    assert client(None).get(url).status_code == 302
