"""草稿 → 已报送 → 采用 / 退回 → 再次报送, with versions and diffs the author can read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bulletins.models import Article
from bulletins.selectors import versions_with_diffs
from bulletins.services import articles
from bulletins.tests.conftest import adopted, draft


def test_a_draft_submitted_is_a_version_and_an_event(cast: Any, officer: Any) -> None:
    article = articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    assert article.state == Article.State.SUBMITTED
    assert article.submissions == 1
    assert [v.kind for v in article.versions.all()] == ["author"]
    assert [e.action for e in article.events.all()] == ["submitted"]


def test_return_needs_comments_then_the_author_resubmits(cast: Any, officer: Any, editor: Any) -> None:
    article = articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    with pytest.raises(ValidationError, match="退回意见"):
        articles.return_article(actor=editor, article=article, reason="  ")
    article = articles.return_article(actor=editor, article=article, reason="请补充具体数据")
    assert article.state == Article.State.RETURNED
    assert article.return_reason == "请补充具体数据"
    article = articles.save_draft(
        actor=officer,
        org=cast.committee_a,
        article=article,
        title=article.title,
        body="<p>全年报送信息 120 篇。</p>",
        byline="县直机关工委",
    )
    article = articles.submit_article(actor=officer, article=article)
    assert article.state == Article.State.SUBMITTED
    assert article.submissions == 2
    assert article.return_reason == ""
    assert [e.action for e in article.events.all()] == ["submitted", "returned", "resubmitted"]


def test_every_editor_change_is_a_version_with_a_diff(cast: Any, officer: Any, editor: Any) -> None:
    article = articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    articles.edit_article(
        actor=editor,
        article=article,
        title="县直机关工委：建立信息报送积分制",
        body="<p>下一步，将持续推进。</p>",
    )
    history = versions_with_diffs(article)
    assert [v.version.kind for v in history] == ["author", "editor"]
    diff = history[1].diff
    assert ("-", "【标题】县直机关工委建立信息报送积分制") in diff
    assert ("+", "【标题】县直机关工委：建立信息报送积分制") in diff
    assert ("-", "建章立制。出台办法，明确每人每周至少报送一篇信息。") in diff
    assert ("=", "下一步，将持续推进。") in diff


def test_an_unchanged_edit_is_refused(cast: Any, officer: Any, editor: Any) -> None:
    article = articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    with pytest.raises(ValidationError, match="没有修改"):
        articles.edit_article(actor=editor, article=article, title=article.title, body=article.body)


def test_adoption_modes_and_the_states_they_need(cast: Any, officer: Any, editor: Any) -> None:
    article = draft(officer, cast.committee_a)
    with pytest.raises(ValidationError, match="只有已报送"):
        articles.adopt_article(actor=editor, article=article, adoption="full")
    article = articles.submit_article(actor=officer, article=article)
    with pytest.raises(ValidationError):
        articles.adopt_article(actor=editor, article=article, adoption="everything")
    article = articles.adopt_article(actor=editor, article=article, adoption="brief")
    assert (article.state, article.adoption) == ("adopted", "brief")
    with pytest.raises(ValidationError, match="不能重复报送"):
        articles.submit_article(actor=officer, article=article)
    with pytest.raises(ValidationError, match="只有已报送"):
        articles.return_article(actor=editor, article=article, reason="x")


def test_only_the_unit_s_officer_submits_and_only_an_editor_adopts(
    cast: Any, officer: Any, editor: Any
) -> None:
    with pytest.raises(PermissionDenied):
        draft(officer, cast.committee_b)
    with pytest.raises(PermissionDenied):
        draft(cast.viewer, cast.committee_a)
    article = articles.submit_article(actor=officer, article=draft(officer, cast.committee_a))
    for someone in (officer, cast.viewer, cast.committee_admin):
        with pytest.raises(PermissionDenied):
            articles.adopt_article(actor=someone, article=article, adoption="full")
    assert adopted(officer, editor, cast.branch_a1, "支部信息").state == "adopted"


def test_a_word_paste_is_cleaned_to_paragraphs_and_bold(cast: Any, officer: Any) -> None:
    paste = (
        "<html><head><style>p.MsoNormal{font-size:12pt}</style></head><body><!--[if gte mso 9]><xml>"
        '<w:WordDocument></w:WordDocument></xml><![endif]--><p class=MsoNormal style="text-indent:2em">'
        '<b><span style="font-family:黑体">强化培训。</span></b><span lang=EN-US>开展培训 3 场。<o:p></o:p>'
        '</span></p><div><img src="x.png" onerror="alert(1)">第二段</div><script>alert(1)</script></body></html>'
    )
    article = draft(officer, cast.committee_a, body=paste)
    assert article.body == "<p><b>强化培训。</b>开展培训 3 场。</p><p>第二段</p>"


def test_an_empty_or_style_only_body_is_refused_with_a_clear_error(cast: Any, officer: Any) -> None:
    with pytest.raises(ValidationError) as err:
        draft(officer, cast.committee_a, title="", body="<style>p{}</style><p> </p>")
    assert err.value.message_dict == {
        "title": ["请填写标题"],
        "body": ["请填写正文（粘贴的内容清理格式后为空）"],
    }
