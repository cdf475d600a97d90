"""Benchmark: the month close (scores, ranking, escalating interviews) and the reminder digests.

    .venv/bin/python bench/bench_month_close.py [--db sqlite|postgres] [--scale county|city|province]
                                                [--reuse DIR_OR_DB] [--keep] [--seed 1]

Data: organizations from orgs.demo at the given scale, then for a year (Nov 2025–Oct 2026) bulk-created
CompletionStat rows for every branch, written in batches as the branches stream past (a per-branch
diligence draws how much it completes, so some committees lag month after month), and approved 主题党日 records for the diligent part of the
branches in October (the rest are missing items, so the reminder run writes digests for them).

Timed, each on the full data: month close for Aug, Sep and Oct in turn (the escalation chain needs
the previous month), Oct again (idempotent re-run: same rows), and the reminder run for 2026-10-20
(then again: nothing new). Peak memory: tracemalloc peak of Python allocations during each step and
the process's peak RSS (tracemalloc runs on a repeat of the step, never on the timed run).
Targets: county under 10 s, province under 10 minutes (2 cores) for the month close with reminders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

MONTHS = [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]  # closed in turn
YEAR = [dt.date(2025, 11, 1), dt.date(2025, 12, 1)] + [dt.date(2026, m, 1) for m in range(1, 11)]  # Nov–Oct
REMINDER_DAY = dt.date(2026, 10, 20)


def ensure_data(scale: str, seed: int) -> None:
    from django.db import connection, transaction

    from orglife.models import CompletionStat, MeetingRecord
    from orglife.periods import SHANGHAI
    from orglife.rules import LIFE_KINDS
    from orgs import demo
    from orgs.models import Organization

    if not Organization.objects.exists():
        started = time.perf_counter()
        stats = demo.write(demo.iter_chunks(scale, seed, today=dt.date(2026, 11, 24)), every=25)
        print(
            f"generated {stats.orgs:,} organizations, {stats.members:,} members "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    if CompletionStat.objects.filter(month__in=MONTHS).exists():
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    branches = (
        Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True)
        .order_by("path")
        .values_list("pk", "path", "has_committee")
        .iterator(chunk_size=5000)
    )
    # A committee's diligence sets its branches' level, so whole committees lag (as in real counties).
    committee_level: dict[str, float] = {}
    rows: list[CompletionStat] = []
    records: list[MeetingRecord] = []
    written = [0, 0, 0]

    def flush() -> None:
        with transaction.atomic():
            CompletionStat.objects.bulk_create(rows, batch_size=5000)
            MeetingRecord.objects.bulk_create(records, batch_size=2000)
        written[1] += len(rows)
        written[2] += len(records)
        rows.clear()
        records.clear()

    for pk, path, has_committee in branches:
        written[0] += 1
        level = committee_level.setdefault(path[:8], rng.random())
        diligence = min(1.0, 0.4 * level + 0.6 * rng.random() + 0.25)
        for month in YEAR:
            types = ["theme_day", "group"] + (["committee"] if has_committee else [])
            if month.month in (3, 6, 9, 12):
                types += ["general_assembly", "lecture"]
            for t in types:
                held = int(rng.random() < diligence)
                rows.append(
                    CompletionStat(
                        org_id=pk,
                        org_path=path,
                        month=month,
                        meeting_type=t,
                        required=1,
                        planned=1,
                        held=held,
                        credited=held,
                    )
                )
        if rng.random() < diligence:
            start = dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI)
            records.append(
                MeetingRecord(
                    org_id=pk,
                    meeting_type="theme_day",
                    month=MONTHS[-1],
                    topic="主题党日",
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=2),
                    place="党员活动室",
                    host_name="书记",
                    recorder_name="组织委员",
                    content="学习",
                    status=MeetingRecord.Status.APPROVED,
                )
            )
        if len(rows) >= 50_000:
            flush()
    flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"bulk-created {written[1]:,} CompletionStat rows (12 months) and {written[2]:,} records for "
        f"{written[0]:,} branches in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn, trace: bool) -> tuple[str, float, float, object]:  # noqa: ANN001
    """Wall time of one step; with `trace`, the step runs again under tracemalloc for its peak allocation.

    (tracemalloc roughly doubles the run time of allocation-heavy code, so it never wraps the timed run.)
    """
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = 0.0
    if trace:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(
        f"  {label}: {seconds:.2f} s, peak Python allocations {peak:.1f} MB, RSS {rss_mb():.0f} MB — {result}",
        flush=True,
    )
    return label, seconds, peak, result


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    from notifications.models import Message
    from orglife.models import Interview, MonthlyScore
    from orglife.services.reminders import send_reminders
    from orglife.services.scores import close_month

    ensure_data(args.scale, args.seed)
    from orgs.models import Organization

    branches = Organization.objects.filter(kind__in=["branch", "joint_branch", "temporary_branch"]).count()
    print(f"{connection.vendor}: {branches:,} branches", flush=True)
    MonthlyScore.objects.filter(month__in=MONTHS).delete()
    Interview.objects.filter(month__in=MONTHS).delete()
    Message.objects.all().delete()
    results = []
    for month in MONTHS:
        results.append(timed(f"month close {month:%Y-%m}", lambda m=month: close_month(month=m), trace=True))
    before = list(
        MonthlyScore.objects.filter(month=MONTHS[-1]).order_by("org_id").values_list("total", "rank")
    )
    results.append(timed("month close 2026-10 again", lambda: close_month(month=MONTHS[-1]), trace=False))
    after = list(
        MonthlyScore.objects.filter(month=MONTHS[-1]).order_by("org_id").values_list("total", "rank")
    )
    assert before == after, "re-running the month close changed its result"
    # The traced repeat of the first reminder run is the "again" run: it writes nothing new.
    results.append(timed("reminders 2026-10-20", lambda: send_reminders(day=REMINDER_DAY), trace=False))
    results.append(timed("reminders 2026-10-20 again", lambda: send_reminders(day=REMINDER_DAY), trace=True))
    close_total = sum(r[1] for r in results if r[0] == "month close 2026-10")
    reminder_total = sum(r[1] for r in results if r[0] == "reminders 2026-10-20")
    levels = {
        lvl: Interview.objects.filter(month=MONTHS[-1], level=lvl).count()
        for lvl in ("organization_member", "deputy_secretary", "principal")
    }
    rss = rss_mb()
    print()
    print(
        table(
            ["step", "seconds", "peak Python MB"],
            [[r[0], f"{r[1]:.2f}", f"{r[2]:.1f}" if r[2] else "—"] for r in results],
        )
    )
    print()
    print(
        f"month close + reminders for one month: {close_total + reminder_total:.2f} s "
        f"(target < 10 s at county scale); process peak RSS {rss:.0f} MB; "
        f"Oct interviews by level: {levels}; messages written: {Message.objects.count():,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--scale", default="county", choices=["tiny", "county", "city", "province"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db} {args.scale}: {where}", flush=True)
        run(args)


if __name__ == "__main__":
    main()
