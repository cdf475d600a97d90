"""Benchmark: drawing one 20-question attempt with quotas from a 200k-question bank (issue 14).

    .venv/bin/python bench/bench_quiz_draw.py [--db sqlite|postgres] [--questions 200000] [--runs 41]
                                              [--reuse X] [--keep]

Data: one county, a category tree of 4 themes (党章, 准则, 条例, 二十大报告) with 5 chapters each, and
--questions 单选 questions spread evenly over the 20 chapters and the 3 difficulties, each with its first
version, inserted with bulk_create (not through the services: the bank's import is benchmarked apart).

Subject: quizzes.services.draw.draw — the campaign's real draw, in its own transaction, as start_attempt
calls it: 4 quotas of 5 (a theme's subtree at one difficulty, a theme at any difficulty, one chapter at
one difficulty, a theme at another), least used in the campaign first, no repeats; the usage counters
written and committed each time, so each draw sees the previous ones' counts.

Baselines, the same run, interleaved, independent hand-written SQL through a cursor:
  random20 — the issue's plain `SELECT id FROM question WHERE … ORDER BY random() LIMIT 20` over the
             node's bank (no quotas, no usage, no writes);
  quota4   — the same quotas written by hand: four `ORDER BY random() LIMIT 5` queries, one per quota
             (categories and difficulty in the WHERE; no usage, no writes).
Median of --runs each; ratio = draw / baseline. Target in the issue: ≤ 2 ms median on both databases.
Also printed: the draw's statements and its commit apart, and commit1 — one row updated and committed alone,
the floor under any durable write on this disk (the draw must commit its usage counters).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, open_database, table  # noqa: E402

THEMES = ["党章", "准则", "条例", "二十大报告"]
CHAPTERS = 5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--questions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}", flush=True)
        run(args)


def ensure_bank(questions: int) -> Any:
    from django.db import connection, transaction

    from orgs.models import Organization
    from orgs.paths import encode_step
    from quizzes.models import Category, Question, QuestionVersion

    county = Organization.objects.filter(depth=1).first()
    if county is not None:
        return county
    started = time.perf_counter()
    with transaction.atomic():
        county = Organization.objects.create(
            path=encode_step(1),
            depth=1,
            name="中共示范县委员会",
            code="C0001",
            kind="committee",
            unit_category="organ",
        )
        leaves = []
        for theme in THEMES:
            top = Category.objects.create(org=county, name=theme)
            leaves += [Category.objects.create(org=county, parent=top, name=f"第{i}章") for i in range(1, 6)]
        step = 20_000
        for start in range(0, questions, step):
            rows = [
                Question(
                    org=county,
                    category=leaves[i % len(leaves)],
                    kind="single",
                    difficulty=1 + (i // len(leaves)) % 3,
                    stem_key=f"k{i}",
                )
                for i in range(start, min(start + step, questions))
            ]
            Question.objects.bulk_create(rows, batch_size=5000)
            QuestionVersion.objects.bulk_create(
                [
                    QuestionVersion(
                        question=q,
                        number=1,
                        stem=f"第{q.pk}题：根据党章规定，下列说法正确的是？",
                        options=["选项甲", "选项乙", "选项丙", "选项丁"],
                        answer=[q.pk % 4],
                    )
                    for q in rows
                ],
                batch_size=5000,
            )
        q, v = Question._meta.db_table, QuestionVersion._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q} SET current_id = (SELECT v.id FROM {v} v WHERE v.question_id = {q}.id)"
            )
            if connection.vendor != "postgresql":
                cursor.execute("ANALYZE")
    if connection.vendor == "postgresql":
        # Outside the transaction: the UPDATE above left a dead copy of every row, which autovacuum would
        # clear on a live server long before 200k draws; without it every index read visits the dead rows.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {q}")
            cursor.execute(f"VACUUM ANALYZE {v}")
    print(f"  {questions:,} questions in {time.perf_counter() - started:.0f} s", flush=True)
    return county


def run(args: argparse.Namespace) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from quizzes.models import Campaign, Category, Question
    from quizzes.services.draw import candidates, draw, parse_quotas, subtree_ids

    county = ensure_bank(args.questions)
    themes = {c.name: c for c in Category.objects.filter(parent=None)}
    chapter = Category.objects.filter(parent=themes["条例"]).order_by("pk").first()
    assert chapter is not None
    now = timezone.now()
    quotas = [
        {"category": themes["党章"].pk, "difficulty": 1, "count": 5},
        {"category": themes["准则"].pk, "difficulty": None, "count": 5},
        {"category": chapter.pk, "difficulty": 2, "count": 5},
        {"category": themes["二十大报告"].pk, "difficulty": 3, "count": 5},
    ]
    campaign = Campaign.objects.create(
        org=county,
        title="基准抽题",
        starts_at=now,
        ends_at=now + timezone.timedelta(days=1),
        quotas=quotas,
        question_count=20,
        time_limit_minutes=20,
    )
    pools = [candidates(county, q).count() for q in parse_quotas(quotas)]
    print(f"  quota pools: {pools}", flush=True)
    table_q = Question._meta.db_table
    rng = random.Random(7)

    split: dict[str, list[float]] = {"statements": [], "commit": []}

    def subject() -> None:
        block = transaction.atomic()
        start = time.perf_counter()
        block.__enter__()
        try:
            picked = draw(campaign, rng)
        except BaseException:
            block.__exit__(*sys.exc_info())
            raise
        drawn = time.perf_counter()
        block.__exit__(None, None, None)
        split["statements"].append((drawn - start) * 1e3)
        split["commit"].append((time.perf_counter() - drawn) * 1e3)
        assert len({d.question_id for d in picked}) == 20

    table_c = Campaign._meta.db_table

    def commit1() -> None:
        """The floor of any durable write here: one row updated and committed (the draw must commit its usage)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table_c} SET title = title WHERE id = %s", [campaign.pk])

    def random20() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table_q} WHERE org_id = %s AND retired_at IS NULL AND current_id IS NOT NULL "
                "ORDER BY random() LIMIT 20",
                [county.pk],
            )
            assert len(cursor.fetchall()) == 20

    hand_quotas = []
    for q in parse_quotas(quotas):
        cats = sorted(subtree_ids([q.category]))
        marks = ",".join(["%s"] * len(cats))
        level = " AND difficulty = %s" if q.difficulty else ""
        params = [county.pk, *cats, *([q.difficulty] if q.difficulty else []), q.count]
        hand_quotas.append(
            (
                f"SELECT id FROM {table_q} WHERE org_id = %s AND retired_at IS NULL AND current_id IS NOT NULL "
                f"AND category_id IN ({marks}){level} ORDER BY random() LIMIT %s",
                params,
            )
        )

    def quota4() -> None:
        got = 0
        with connection.cursor() as cursor:
            for sql, params in hand_quotas:
                cursor.execute(sql, params)
                got += len(cursor.fetchall())
        assert got == 20

    for fn in (subject, random20, quota4, commit1):  # warm the caches
        fn()
    split["statements"].clear()
    split["commit"].clear()
    results: dict[str, list[float]] = {"draw": [], "random20": [], "quota4": [], "commit1": []}
    for _ in range(args.runs):  # interleaved: the four share whatever load the machine has
        results["draw"].append(median_ms(subject, 1))
        results["random20"].append(median_ms(random20, 1))
        results["quota4"].append(median_ms(quota4, 1))
        results["commit1"].append(median_ms(commit1, 1))
    med = {k: sorted(v)[len(v) // 2] for k, v in results.items()}
    part = {k: sorted(v)[len(v) // 2] for k, v in split.items()}
    print(
        f"  the draw's parts (medians): statements {part['statements']:.2f} ms, commit {part['commit']:.2f} ms; "
        f"a one-row UPDATE committed alone: {med['commit1']:.2f} ms",
        flush=True,
    )
    rows = [
        [
            args.db,
            f"{args.questions:,}",
            f"{med['draw']:.2f}",
            f"{med['random20']:.2f}",
            f"{med['quota4']:.2f}",
            f"{med['draw'] / med['random20']:.2f}",
            f"{med['draw'] / med['quota4']:.2f}",
        ]
    ]
    headers = ["DB", "题库", "抽题 ms", "random20 ms", "quota4 ms", "比值/random20", "比值/quota4"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
