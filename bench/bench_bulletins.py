"""Benchmarks of 信息报送 (issue 18): the archive search and the issue PDF, each against a baseline in the
same run.

    .venv/bin/python bench/bench_bulletins.py --db sqlite|postgres [--articles 20000] [--runs 40]
        [--pg-db NAME] [--no-trgm]
    .venv/bin/python bench/bench_bulletins.py --pdf [--runs 5]

Archive: the tiny demo county (generate_demo --scale tiny, with the bulletins demo), plus --articles adopted
articles bulk-inserted into published issues of 20 articles each (dates over 2001–2026, varied bodies; one
article in 50 mentions 「组织生活观察员」). Subject: bulletins.selectors.archive as the county editor — the
count, the first page of 20 issues and the matching articles on it (archive_hits), as the issue list runs
them. Baseline: the same three answers by hand-written SQL (plain LIKE on title and body, a join to the
journal's unit for the scope), checked to give the same issues. p50 and p95 over --runs of each query.
On PostgreSQL the subject's Chinese words are a plain ``LIKE`` (``contains``; ``icontains``, i.e.
``UPPER(col) LIKE``, only for words with Latin letters), which the trigram GIN indexes of migration bulletins
0003 answer. Two baselines there: the hand-written LIKE as it is (the planner may use the same indexes), and
the same LIKE with ``enable_bitmapscan = off`` for its statements (GIN is read only through bitmap scans, so
this is the raw LIKE scan an archive without the indexes does). --no-trgm drops those indexes first, to show the subject without them.
--pg-db names the throwaway database (created and dropped here; default xianfeng_bench_<pid>).

PDF: an issue of 12 pages (bulletins.pdf.render_pdf: time, and peak Python memory by tracemalloc in a pass
of its own), cold (the
per-process font cache emptied first, so the font files are parsed) and warm (cached) alternating, against Chromium headless (/usr/bin/chromium, or XIANFENG_CHROMIUM) printing the same
issue's text as a plain HTML page to PDF (`--print-to-pdf`, process start included), median of --runs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

WORDS = [
    "基层党建",
    "组织生活",
    "三会一课",
    "主题党日",
    "党员教育",
    "干部队伍",
    "人才工作",
    "乡村振兴",
    "网格化管理",
    "为民服务",
    "示范创建",
    "考核评价",
]
UNITS = [
    "桐城市委组织部",
    "潜山市委组织部",
    "怀宁县委组织部",
    "太湖县委组织部",
    "宿松县委组织部",
    "望江县委组织部",
]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def fill(articles: int, seed: int = 18) -> Any:
    """Bulk-insert the archive: published issues of 20 adopted articles each."""
    from django.utils import timezone

    from bulletins.models import Article, Issue, IssueEntry, Journal
    from orgs.models import Organization

    journal = Journal.objects.get(name="安庆组工信息")
    editor_id = Issue.objects.filter(journal=journal).values_list("created_by_id", flat=True).first()
    committees = list(Organization.objects.filter(depth=2).order_by("path")[:20]) or [journal.org]
    rng = random.Random(seed)
    now = timezone.now()
    issues = []
    for n in range(articles // 20):
        year = 2001 + n % 26
        issues.append(
            Issue(
                journal=journal,
                year=year,
                number=100 + n // 26,
                issue_date=timezone.datetime(year, 1 + n % 12, 1 + n % 28).date(),
                status=Issue.Status.PUBLISHED,
                leader_box=True,
                created_by_id=editor_id,
                published_by_id=editor_id,
                published_at=now,
            )
        )
    Issue.objects.bulk_create(issues, batch_size=1000)
    rows = []
    for i in range(articles):
        unit = UNITS[i % len(UNITS)]
        words = rng.sample(WORDS, 4)
        extra = "，探索建立组织生活观察员制度" if i % 50 == 0 else ""
        body = "".join(
            f"<p><strong>{w}。</strong>{unit}围绕{w}重点任务，制定工作方案{extra}，共开展活动{rng.randint(8, 60)}场次，"
            f"覆盖党员{rng.randint(200, 3000)}名。</p>"
            for w in words
        )
        rows.append(
            Article(
                org=committees[i % len(committees)],
                byline=unit,
                author_id=editor_id,
                title=f"{unit[:3]}：{words[0]}{words[1]}工作取得新成效（{i}）",
                body=body * 3,
                state=Article.State.ADOPTED,
                adoption=Article.Adoption.FULL,
                submitted_at=now,
                adopted_at=now,
            )
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    entries = [
        IssueEntry(issue=issues[i // 20], article=a, section="市内信息", position=i % 20)
        for i, a in enumerate(rows[: len(issues) * 20])
    ]
    IssueEntry.objects.bulk_create(entries, batch_size=1000)


def baseline(
    editor_org_path: str, title: str, unit: str, keyword: str, seq: bool = False
) -> tuple[int, list[int], int]:
    """The count, the first page's issue ids and the hits on it, by hand-written SQL with LIKE (seq: on
    PostgreSQL with bitmap scans off, so no trigram index is read)."""
    from django.db import connection

    if seq:
        with connection.cursor() as cur:
            cur.execute("SET enable_bitmapscan = off")
        try:
            return baseline(editor_org_path, title, unit, keyword)
        finally:
            with connection.cursor() as cur:
                cur.execute("RESET enable_bitmapscan")

    conditions, params = [], []
    if title:
        conditions.append("a.title LIKE %s")
        params.append(f"%{title}%")
    if unit:
        conditions.append("(a.byline LIKE %s OR ao.name LIKE %s)")
        params += [f"%{unit}%", f"%{unit}%"]
    if keyword:
        conditions.append("(a.title LIKE %s OR a.body LIKE %s)")
        params += [f"%{keyword}%", f"%{keyword}%"]
    words = " AND ".join(conditions)
    matching = (
        "SELECT e.issue_id FROM bulletins_issueentry e JOIN bulletins_article a ON a.id = e.article_id "
        f"JOIN orgs_organization ao ON ao.id = a.org_id WHERE {words}"
    )
    scope = (
        "FROM bulletins_issue i JOIN bulletins_journal j ON j.id = i.journal_id "
        "JOIN orgs_organization o ON o.id = j.org_id WHERE o.path LIKE %s"
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) {scope} AND i.id IN ({matching})", [f"{editor_org_path}%", *params])
        count = cur.fetchone()[0]
        cur.execute(
            f"SELECT i.id {scope} AND i.id IN ({matching}) ORDER BY i.issue_date DESC, i.id DESC LIMIT 20",
            [f"{editor_org_path}%", *params],
        )
        page = [r[0] for r in cur.fetchall()]
        hits = 0
        if page:
            marks = ",".join(["%s"] * len(page))
            cur.execute(
                f"SELECT e.issue_id, a.title FROM bulletins_issueentry e JOIN bulletins_article a "
                f"ON a.id = e.article_id JOIN orgs_organization ao ON ao.id = a.org_id "
                f"WHERE e.issue_id IN ({marks}) AND {words}",
                [*page, *params],
            )
            hits = len(cur.fetchall())
    return count, page, hits


def archive_bench(db: str, articles: int, runs: int, trgm: bool = True) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from bulletins import selectors
    from bulletins.models import Article, Journal

    settings.PAGE_SIZE = 20
    call_command("generate_demo", scale="tiny", seed=7, verbosity=0)
    started = time.perf_counter()
    fill(articles)
    print(f"archive: {Article.objects.count():,} articles, filled in {time.perf_counter() - started:.1f} s")
    if db == "postgres":
        from django.db import connection

        with connection.cursor() as cur:
            if not trgm:
                for col in ("title", "body", "byline"):
                    cur.execute(f"DROP INDEX IF EXISTS bulletins_article_{col}_trgm")
                    cur.execute(f"DROP INDEX IF EXISTS bulletins_article_{col}_upper_trgm")
            cur.execute("ANALYZE")
            cur.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'bulletins_article' AND indexname LIKE %s",
                ["%trgm"],
            )
            print("trigram indexes:", ", ".join(sorted(r[0] for r in cur.fetchall())) or "none")
            cur.execute(
                "SELECT pg_size_pretty(SUM(pg_relation_size(indexrelid))), "
                "pg_size_pretty(pg_table_size('bulletins_article')) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'bulletins_article_%%trgm'"
            )
            index_size, table_size = cur.fetchone()
            print(f"trigram index size {index_size}, table (with TOAST) {table_size}")
    editor = User.objects.get(username="xxb_editor")
    path = Journal.objects.get(name="安庆组工信息").org.path
    cases = [
        ("关键词 观察员（2%）", {"keyword": "观察员"}),
        ("关键词 乡村振兴（常见）", {"keyword": "乡村振兴"}),
        ("单位 桐城", {"unit": "桐城"}),
        ("标题 网格化管理", {"title": "网格化管理"}),
        ("关键词 不存在的词", {"keyword": "量子纠缠"}),
    ]
    rows = []
    for label, words in cases:
        query = selectors.ArchiveQuery(**words)

        def subject(query: Any = query) -> tuple[int, list[int], int]:
            qs = selectors.archive(editor, query)
            count = qs.count()
            page = list(qs[:20])
            hits = selectors.archive_hits(page, query)
            return count, [i.pk for i in page], sum(len(v) for v in hits.values())

        def hand(words: dict[str, str] = words, seq: bool = False) -> tuple[int, list[int], int]:
            return baseline(
                path, words.get("title", ""), words.get("unit", ""), words.get("keyword", ""), seq
            )

        assert subject() == hand() == hand(seq=True), (label, subject()[:1], hand()[:1])
        times_s: list[float] = []
        times_b: list[float] = []
        times_q: list[float] = []
        for _ in range(runs):  # alternating, so all see the same cache and load
            for fn, times in ((subject, times_s), (hand, times_b)) + (
                ((lambda: hand(seq=True)), times_q),
            ) * (db == "postgres"):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
        count = subject()[0]
        row = [
            db,
            label,
            f"{count:,}",
            f"{statistics.median(times_s):.1f}",
            f"{p95(times_s):.1f}",
            f"{statistics.median(times_b):.1f}",
            f"{p95(times_b):.1f}",
            f"{p95(times_s) / p95(times_b):.2f}",
        ]
        if times_q:
            row += [
                f"{statistics.median(times_q):.1f}",
                f"{p95(times_q):.1f}",
                f"{p95(times_s) / p95(times_q):.2f}",
            ]
        rows.append(row)
    head = ["DB", "检索", "命中期数", "archive p50 ms", "p95 ms", "手写 LIKE p50 ms", "p95 ms", "p95 比值"]
    if db == "postgres":
        head += ["无索引 LIKE p50 ms", "p95 ms", "p95 比值"]
    print(table(head, rows))
    print(f"load average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")


def twelve_pages() -> Any:
    import datetime as dt

    from bulletins import defaults
    from bulletins.document import DocArticle, DocSection, IssueDocument
    from bulletins.services.richtext import blocks, clean_html

    rng = random.Random(9704)
    articles = []
    for i in range(14):
        words = rng.sample(WORDS, 4)
        html = "".join(
            f"<p><strong>{w}。</strong>{UNITS[i % 6]}围绕{w}重点任务，制定工作方案，明确责任分工，"
            f"共开展活动{rng.randint(8, 60)}场次，覆盖党员{rng.randint(200, 3000)}名，形成经验做法，"
            "推动工作常态长效，取得了阶段性成效，得到了基层党员群众的普遍认可。</p>"
            for w in words
        )
        articles.append(
            DocArticle(
                f"{UNITS[i % 6][:3]}：{words[0]}工作取得新成效", UNITS[i % 6], blocks(clean_html(html)), i + 1
            )
        )
    return IssueDocument(
        journal="安庆组工信息",
        office=defaults.JOURNAL_OFFICE,
        year=2026,
        number=12,
        date=dt.date(2026, 6, 8),
        leader_box=True,
        sections=[DocSection("市内信息", articles[:10]), DocSection("市外参考", articles[10:])],
        **defaults.DISTRIBUTION,
    )


def as_html(issue: Any) -> str:
    from django.utils.html import escape

    parts = [
        "<!doctype html><meta charset=utf-8><style>@page{size:A4;margin:37mm 26mm 35mm 28mm}"
        "body{font:16pt/28.9pt 'Noto Serif CJK SC',serif}h1{color:#e60012;text-align:center;font-size:42pt}"
        "h2{font-family:'Noto Sans CJK SC',sans-serif;text-align:center;font-size:16pt}p{text-indent:2em;margin:0}"
        "</style>",
        f"<h1>{escape(issue.journal)}</h1><p>{escape(issue.number_line)}</p>",
        f"<p>{escape(issue.office)} {escape(issue.date_line)}</p><hr>",
    ]
    for section in issue.sections:
        parts.append(f"<h2>{escape(section.name)}</h2>")
        for a in section.articles:
            body = "".join(f"<p>{escape(b.text)}</p>" for b in a.blocks)
            parts.append(f"<p><b>△{escape(a.title)}。</b></p>{body}<p>（{escape(a.byline)}）</p>")
    return "".join(parts)


def pdf_bench(runs: int) -> None:
    from bulletins import pdf
    from bulletins.tests.pdf_reading import read

    issue = twelve_pages()
    chromium = os.environ.get("XIANFENG_CHROMIUM", "/usr/bin/chromium")
    # One round is: cold (the per-process font cache emptied first: the first PDF of a process, and every
    # PDF before the cache), warm (fonts already parsed), then Chromium; rounds repeat --runs times.
    modes = ("cold", "warm", "chromium")
    times: dict[str, list[float]] = {m: [] for m in modes}
    cpus: dict[str, list[float]] = {m: [] for m in modes}
    peaks: dict[str, list[float]] = {m: [] for m in modes[:2]}
    pages = chrome_pages = 0
    pdf.render_pdf(issue)  # imports and first-call costs out of the way
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "issue.html"
        html.write_text(as_html(issue), encoding="utf-8")
        out = Path(tmp) / "issue.pdf"
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html.as_uri(),
        ]
        for _ in range(runs):
            for mode in modes[:2]:
                if mode == "cold":
                    pdf._parsed.cache_clear()
                else:
                    pdf.render_pdf(issue)  # the cache holds every font the issue uses
                t, c = time.perf_counter(), time.process_time()
                data, layout = pdf.render_pdf(issue)
                times[mode].append(time.perf_counter() - t)
                cpus[mode].append(time.process_time() - c)
                pages = layout.pages
            t, c = time.perf_counter(), _children_cpu()
            subprocess.run(command, check=True, capture_output=True)
            times["chromium"].append(time.perf_counter() - t)
            cpus["chromium"].append(_children_cpu() - c)
        chrome_pages = len(read(out.read_bytes()))
    assert len(read(data)) == pages
    # Peak memory in passes of its own: tracemalloc slows allocation-heavy code (the font parse) severalfold.
    for mode in modes[:2]:
        if mode == "cold":
            pdf._parsed.cache_clear()
        tracemalloc.start()
        pdf.render_pdf(issue)
        peaks[mode].append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    theirs, theirs_cpu = statistics.median(times["chromium"]), statistics.median(cpus["chromium"])
    rows = []
    for mode, label in (
        ("cold", "fpdf2 render_pdf（字体现解析）"),
        ("warm", "fpdf2 render_pdf（字体进程内缓存）"),
    ):
        ours, ours_cpu = statistics.median(times[mode]), statistics.median(cpus[mode])
        rows.append(
            [
                label,
                pages,
                f"{ours:.2f}",
                f"{ours_cpu:.2f}",
                f"{max(peaks[mode]):.0f}（tracemalloc）",
                f"{ours / theirs:.2f}",
                f"{ours_cpu / theirs_cpu:.2f}",
            ]
        )
    rows.append(
        [
            "Chromium headless --print-to-pdf",
            chrome_pages,
            f"{theirs:.2f}",
            f"{theirs_cpu:.2f}",
            "（子进程）",
            "1.00",
            "1.00",
        ]
    )
    print(table(["渲染", "页数", "墙钟中位 s", "CPU 中位 s", "峰值内存 MB", "墙钟比值", "CPU 比值"], rows))
    print(f"load average: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--pg-db", default="")
    parser.add_argument("--no-trgm", action="store_true")
    args = parser.parse_args()
    db = "sqlite" if args.pdf else args.db
    if db == "postgres" and args.pg_db:
        from common import _pg_admin

        _pg_admin(f'CREATE DATABASE "{args.pg_db}"')
    try:
        with open_database(db, reuse=(args.pg_db or None) if db == "postgres" else None) as where:
            print(f"{args.db}: {where}")
            if args.pdf:
                pdf_bench(args.runs)
            else:
                archive_bench(args.db, args.articles, args.runs, trgm=not args.no_trgm)
    finally:
        if db == "postgres" and args.pg_db:
            _pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
