"""The demo through the services: the three seed issues re-composed with their 期号, sections and table of
contents, and this year's articles in every state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bulletins.demo import generate_bulletins_demo
from bulletins.document import issue_document
from bulletins.models import Article, ArticleVersion, Issue
from bulletins.pdf import render_pdf
from bulletins.tests.pdf_reading import clean, read


def test_the_demo_recomposes_the_seed_issues_and_a_year_of_work(cast: Any) -> None:
    result = generate_bulletins_demo(seed=1, scale="tiny")
    assert result["seed_issues"] == 3
    published = {
        (i.year, i.number): i for i in Issue.objects.filter(status="published", journal__name="安庆组工信息")
    }
    assert {(2021, 35), (2022, 35), (2023, 5)} <= set(published)
    seed_2023 = published[(2023, 5)]
    assert seed_2023.issue_date == dt.date(2023, 2, 27)
    sections = {e.section for e in seed_2023.entries.all()}
    assert sections == {"市内信息", "市外参考"}
    states = set(Article.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "returned", "adopted"}
    assert ArticleVersion.objects.filter(kind="editor").exists()
    assert Issue.objects.filter(status="draft").count() == 1
    assert generate_bulletins_demo(seed=1, scale="tiny")["skipped"]

    data, layout = render_pdf(issue_document(seed_2023))
    pages = read(data)
    first = pages[0].text
    assert "安庆组工信息" in first and "第5期" in first and "2023年2月27日" in first
    assert first.index("★市内信息") < first.index("太湖县：探索建立观察员制度") < first.index("★市外参考")
    assert layout.missing == ""
    for entry in seed_2023.entries.select_related("article"):
        page = layout.article_pages[entry.article_id]
        assert clean("△" + entry.article.title) in pages[page - 1].text
