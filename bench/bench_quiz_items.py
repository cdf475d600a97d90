"""Benchmark: item analysis of a campaign of 100k attempts against hand-written SQL (issue 14).

    .venv/bin/python bench/bench_quiz_items.py [--db sqlite|postgres] [--attempts 100000] [--runs 5]
                                               [--reuse X] [--keep]

Data, inserted with INSERT … SELECT (not through the services): one county, --attempts / 10 members, a
bank of 200 单选 questions (4 options, one version each), one closed campaign with --attempts submitted
attempts (10 per member) of 20 items each (2M item rows at the default), each item answered with a
pseudo-random option and credited 1 when it is the right one; the attempt's score is its items' mean.

Subject: quizzes.selectors.item_analysis(campaign) — what the campaign page and its .xlsx export show:
per question the difficulty index (mean credit), the discrimination (mean credit of the top 27% of
attempts by score minus the bottom 27%, Kelley) and how often each option was chosen.

Baseline, the same run, interleaved: the same figures by hand-written SQL through a cursor — one
statement ranking the attempts with window functions and aggregating credit per question overall, in
the top and in the bottom group; one counting the responses per question and response (the option
lists expanded in Python). The baseline's figures are checked equal to the subject's. Median of --runs.
Target in the issue: ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, open_database, table  # noqa: E402

QUESTIONS = 200
PER_ATTEMPT = 20
PER_MEMBER = 10


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}", flush=True)
        run(args)


def series(n: int, pg: bool) -> str:
    """A FROM clause of the integers 0 … n-1 as s(x)."""
    if pg:
        return f"generate_series(0, {n - 1}) AS s(x)"
    return f"(WITH RECURSIVE r(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM r WHERE x < {n - 1}) SELECT x FROM r) AS s"


def ensure_data(attempts: int) -> Any:
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import Member, Organization
    from orgs.paths import encode_step
    from quizzes.models import Attempt, AttemptItem, Campaign, Category, Question, QuestionVersion

    found = Campaign.objects.first()
    if found is not None:
        return found
    pg = connection.vendor == "postgresql"
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
        members = Member.objects.bulk_create(
            [
                Member(
                    name=f"党员{i}",
                    gender="男",
                    birth_date=dt.date(1980, 1, 1),
                    id_number_enc="x",
                    id_number_hash=f"h{i}",
                    id_number_masked="3401**********0000",
                    category="full",
                    joined_on=dt.date(2005, 7, 1),
                    org=county,
                )
                for i in range(attempts // PER_MEMBER)
            ],
            batch_size=5000,
        )
        category = Category.objects.create(org=county, name="党章")
        questions = Question.objects.bulk_create(
            [
                Question(org=county, category=category, kind="single", stem_key=f"k{i}")
                for i in range(QUESTIONS)
            ]
        )
        versions = QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(
                    question=q, number=1, stem=f"第{i}题？", options=["甲", "乙", "丙", "丁"], answer=[i % 4]
                )
                for i, q in enumerate(questions)
            ]
        )
        for q, v in zip(questions, versions, strict=True):
            q.current = v
        Question.objects.bulk_update(questions, ["current"])
        now = timezone.now()
        campaign = Campaign.objects.create(
            org=county,
            title="基准：条目分析",
            starts_at=now - dt.timedelta(days=30),
            ends_at=now - dt.timedelta(days=1),
            quotas=[{"category": category.pk, "difficulty": None, "count": PER_ATTEMPT}],
            question_count=PER_ATTEMPT,
            time_limit_minutes=20,
            attempts_allowed=PER_MEMBER,
        )
        a, it = Attempt._meta.db_table, AttemptItem._meta.db_table
        first_member, first_q, first_v = members[0].pk, questions[0].pk, versions[0].pk
        stamp = "'2026-11-01 10:00:00+00'" if pg else "'2026-11-01 10:00:00'"
        json = "::jsonb" if pg else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {a} (campaign_id, member_id, number, seed, started_at, deadline, submitted_at, status,"
                f" score, passed, refused_answers, practice_on) SELECT {campaign.pk}, {first_member} + x / {PER_MEMBER},"
                f" 1 + x % {PER_MEMBER}, x, {stamp}, {stamp}, {stamp}, 'submitted', 0, false, 0, NULL"
                f" FROM {series(attempts, pg)}"
            )
            cursor.execute(f"SELECT min(id) FROM {a}")
            first_attempt = cursor.fetchone()[0]
            # Question (a + 10p) mod 200 for p = 0…19: twenty distinct questions per attempt. The option chosen
            # is a hash of (attempt, position); the attempt's "ability" (a mod 5) makes it right more often.
            for start in range(0, attempts, 20_000):
                n = min(20_000, attempts - start)
                cursor.execute(
                    f'INSERT INTO {it} (attempt_id, position, question_id, version_id, "order", response,'
                    f" answered_at, credit) SELECT {first_attempt} + t.a, t.p + 1, {first_q} + t.q, {first_v} + t.q,"
                    f" '[0, 1, 2, 3]'{json}, ('[' || t.c || ']'){json}, {stamp},"
                    " CASE WHEN t.c = t.q % 4 THEN 1 ELSE 0 END"
                    f" FROM (SELECT s.x / {PER_ATTEMPT} + {start} AS a, s.x % {PER_ATTEMPT} AS p,"
                    f" ((s.x / {PER_ATTEMPT} + {start}) + 10 * (s.x % {PER_ATTEMPT})) % {QUESTIONS} AS q,"
                    f" CASE WHEN ((s.x / {PER_ATTEMPT} + {start}) * 7 + (s.x % {PER_ATTEMPT}) * 13) % 10"
                    f" < ((s.x / {PER_ATTEMPT} + {start}) % 5) * 2"
                    f" THEN (((s.x / {PER_ATTEMPT} + {start}) + 10 * (s.x % {PER_ATTEMPT})) % {QUESTIONS}) % 4"
                    f" ELSE ((s.x / {PER_ATTEMPT} + {start}) * 31 + (s.x % {PER_ATTEMPT}) * 17) % 4 END AS c"
                    f" FROM {series(n * PER_ATTEMPT, pg)}) AS t"
                )
            cursor.execute(
                f"UPDATE {a} SET score = (SELECT 100.0 * SUM(credit) / {PER_ATTEMPT} FROM {it} WHERE attempt_id = {a}.id)"
                f" WHERE campaign_id = {campaign.pk}"
            )
            cursor.execute(f"UPDATE {a} SET passed = (score >= 60) WHERE campaign_id = {campaign.pk}")
            cursor.execute("ANALYZE")
    print(
        f"  {attempts:,} attempts, {attempts * PER_ATTEMPT:,} items in {time.perf_counter() - started:.0f} s"
    )
    return campaign


def hand_written(campaign_id: int) -> dict[int, tuple[int, Decimal, Decimal | None, list[int]]]:
    """Per question: answered, difficulty, discrimination, times each option was chosen."""
    from django.db import connection

    from quizzes.models import Attempt, AttemptItem, QuestionVersion

    a, it, v = Attempt._meta.db_table, AttemptItem._meta.db_table, QuestionVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranked AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY score DESC, id) AS rn, COUNT(*) OVER () AS n
                FROM {a} WHERE campaign_id = %s AND status <> 'open'
            ), grouped AS (
                SELECT id, CASE WHEN n < 4 THEN 0
                                WHEN rn <= CAST(n * 0.27 AS INTEGER) THEN 1
                                WHEN rn > n - CAST(n * 0.27 AS INTEGER) THEN -1 ELSE 0 END AS g
                FROM ranked
            )
            SELECT i.question_id, COUNT(*), SUM(COALESCE(i.credit, 0)),
                   SUM(CASE WHEN g.g = 1 THEN COALESCE(i.credit, 0) END), SUM(CASE WHEN g.g = 1 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN g.g = -1 THEN COALESCE(i.credit, 0) END), SUM(CASE WHEN g.g = -1 THEN 1 ELSE 0 END)
            FROM {it} i JOIN grouped g ON g.id = i.attempt_id
            GROUP BY i.question_id
            """,
            [campaign_id],
        )
        stats = cursor.fetchall()
        cursor.execute(
            f"""
            SELECT i.question_id, i.response, COUNT(*) FROM {it} i JOIN {a} t ON t.id = i.attempt_id
            WHERE t.campaign_id = %s AND t.status <> 'open'
            GROUP BY i.question_id, i.response
            """,
            [campaign_id],
        )
        chosen: dict[int, Counter[int]] = defaultdict(Counter)
        import json

        for qid, response, n in cursor.fetchall():
            for index in json.loads(response) if isinstance(response, str) else response or []:
                chosen[qid][index] += n
        cursor.execute(f"SELECT question_id, options FROM {v}")
        width = {qid: len(json.loads(o) if isinstance(o, str) else o) for qid, o in cursor.fetchall()}
    out = {}
    q2 = Decimal("0.01")
    for qid, n, total, up, nu, low, nl in stats:
        disc = None
        if nu and nl:
            disc = (Decimal(up) / nu - Decimal(low) / nl).quantize(q2)
        out[qid] = ((n), (Decimal(total) / n).quantize(q2), disc, [chosen[qid][i] for i in range(width[qid])])
    return out


def run(args: argparse.Namespace) -> None:
    from quizzes.selectors import item_analysis

    campaign = ensure_data(args.attempts)

    def subject() -> Any:
        return item_analysis(campaign)

    def baseline() -> Any:
        return hand_written(campaign.pk)

    mine = {
        s.question_id: (s.answered, s.difficulty, s.discrimination, [c for _, c, _ in s.options])
        for s in subject()
    }
    theirs = baseline()
    assert mine == theirs, "the hand-written SQL and item_analysis disagree"
    times: dict[str, list[float]] = {"subject": [], "baseline": []}
    for _ in range(args.runs):
        times["subject"].append(median_ms(subject, 1))
        times["baseline"].append(median_ms(baseline, 1))
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    rows = [
        [
            args.db,
            f"{args.attempts:,}",
            f"{args.attempts * PER_ATTEMPT:,}",
            f"{med['subject']:.0f}",
            f"{med['baseline']:.0f}",
            f"{med['subject'] / med['baseline']:.2f}",
        ]
    ]
    print(table(["DB", "答卷", "答题记录", "item_analysis ms", "手写 SQL ms", "比值"], rows))


if __name__ == "__main__":
    main()
