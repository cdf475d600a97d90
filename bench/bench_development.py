"""Benchmark: 发展党员 deadlines for a province against an independent hand-written query, and the daily
reminder run at city scale.

    .venv/bin/python bench/bench_development.py [--db sqlite|postgres] [--people 200000] [--runs 5]
                                                [--reuse PATH_OR_DBNAME] [--keep]

Data (bulk-created directly, fixed seed, no services: seconds, not hours): a province of 16 cities × 10
党委 × 50 branches (8,000 branches), `--people` people in the pipeline spread over them at every stage with
dates around TODAY (a share overdue), activists with 0–2 half-yearly assessments, and in one city a
secretary with a phone for every branch and a 党委/组织部 administrator account on every node above.

1. Deadlines, province (timed interleaved in the same run, median of N):
   selector: development.selectors.deadlines.next_due_rows — the ORM query with_next_due (the next
             deadline as a database annotation) over the province, as (person id, rule, date);
   sql:      an independent hand-written query that computes the same next deadline in SQL (a CASE per
             stage, month arithmetic clamped to the month's last day as the rules do), through a cursor.
   Checked once to give the very same (id, rule, date) rows, and both against the rules computed in Python
   per person (iter_open + next_due, timed once for reference); ratio selector/sql (target ≤ 1.5).
2. Reminder run, one city: development.services.reminders.send_reminders for TODAY — items (deadline ×
   level claims) per second, messages written, peak Python memory (tracemalloc), and a second run the same
   day (must write nothing: exactly once).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

TODAY = dt.date(2026, 11, 24)
CITIES, COMMITTEES, BRANCHES = 16, 10, 50


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
        root, city = ensure_data(args.people, args.seed)
        deadlines_vs_sql(root, args.runs)
        reminder_run(city)


def _org(parent: Any, n: int, kind: str, name: str, seq: list[int]) -> Any:
    from orgs.models import Organization
    from orgs.paths import PATH_STEP, encode_step

    seq[0] += 1
    path = (parent.path if parent else "") + encode_step(n)
    return Organization(
        parent=parent,
        path=path,
        depth=len(path) // PATH_STEP,
        child_seq=0,
        name=name,
        code=f"B{seq[0]:07d}",
        kind=kind,
        unit_category="organ",
    )


def ensure_data(people: int, seed: int) -> tuple[Any, Any]:
    from django.db import connection, transaction
    from django.db.models import Max, OuterRef, Subquery

    from development.models import Assessment, Person
    from orgs.models import Organization

    root = Organization.objects.filter(parent__isnull=True).first()
    if root is not None:
        city = Organization.objects.filter(parent=root).order_by("path").first()
        print(f"reusing {Person.objects.count():,} people")
        return root, city
    started = time.perf_counter()
    rng = random.Random(seed)
    seq = [0]
    with transaction.atomic():
        root = _org(None, 1, "committee", "中共示范省委员会", seq)
        root.save()
        cities = [_org(root, i + 1, "committee", f"中共示范{i + 1}市委员会", seq) for i in range(CITIES)]
        Organization.objects.bulk_create(cities)
        cities = list(Organization.objects.filter(parent=root).order_by("path"))
        committees = [
            _org(c, j + 1, "committee", f"{c.name}第{j + 1}党委", seq)
            for c in cities
            for j in range(COMMITTEES)
        ]
        Organization.objects.bulk_create(committees, batch_size=2000)
        committees = list(Organization.objects.filter(depth=3).order_by("path"))
        branches = [
            _org(m, k + 1, "branch", f"{m.name}第{k + 1}党支部", seq)
            for m in committees
            for k in range(BRANCHES)
        ]
        Organization.objects.bulk_create(branches, batch_size=2000)
    branch_ids = list(
        Organization.objects.filter(kind="branch").order_by("path").values_list("pk", flat=True)
    )
    stages = (
        ["applicant"] * 25 + ["activist"] * 35 + ["candidate"] * 15 + ["probationary"] * 15 + ["full"] * 10
    )
    batch: list[Person] = []
    assessments: list[tuple[int, dt.date]] = []
    for i in range(people):
        stage = rng.choice(stages)
        applied = TODAY - dt.timedelta(days=rng.randint(10, 1500))
        p = Person(
            org_id=branch_ids[i % len(branch_ids)],
            name=f"发展{i}",
            gender="男" if i % 2 else "女",
            birth_date=dt.date(1995, 1, 1),
            id_number_enc="x",
            id_number_hash=f"{i:064d}",
            id_number_masked="3401**********0000",
            stage=stage,
            applied_on=applied,
        )
        if stage == "applicant":
            p.talked_on = None if rng.random() < 0.6 else applied + dt.timedelta(days=10)
            p.applied_on = TODAY - dt.timedelta(days=rng.randint(0, 60))
        if stage in ("activist", "candidate", "probationary", "full"):
            p.talked_on = applied + dt.timedelta(days=10)
            p.activist_on = applied + dt.timedelta(days=30)
        if stage == "activist":
            p.activist_on = TODAY - dt.timedelta(days=rng.randint(0, 500))
        if stage == "candidate" and rng.random() < 0.4:
            p.resolution_on = TODAY - dt.timedelta(days=rng.randint(0, 200))
        if stage == "probationary":
            p.resolution_on = TODAY - dt.timedelta(days=rng.randint(30, 420))
            p.approved_on = p.resolution_on + dt.timedelta(days=30)
            p.probation_ends_on = add_months(p.resolution_on, 12)
            if rng.random() < 0.2:
                p.conversion_resolution_on = p.probation_ends_on
        batch.append(p)
        if len(batch) == 5000:
            _flush(batch, assessments, rng)
    _flush(batch, assessments, rng)
    with transaction.atomic():
        Assessment.objects.bulk_create(
            (Assessment(person_id=pk, held_on=day, summary="表现良好") for pk, day in assessments),
            batch_size=5000,
        )
        # What add_assessment keeps on the person: the latest assessment's date.
        latest = (
            Assessment.objects.filter(person=OuterRef("pk"))
            .values("person")
            .annotate(m=Max("held_on"))
            .values("m")
        )
        Person.objects.filter(pk__in=Assessment.objects.values("person_id")).update(
            last_assessed_on=Subquery(latest)
        )
    city = Organization.objects.filter(parent=root).order_by("path").first()
    _city_people(city)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"bulk-created {Organization.objects.count():,} organizations, {Person.objects.count():,} people, "
        f"{len(assessments):,} assessments in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return root, city


def _flush(batch: list[Any], assessments: list[tuple[int, dt.date]], rng: random.Random) -> None:
    """Save the batch (bulk_create sets the ids on both databases) and draw 0–2 assessments per activist."""
    from django.db import transaction

    from development.models import Person

    with transaction.atomic():
        Person.objects.bulk_create(batch, batch_size=2500)
    for p in batch:
        if p.stage == "activist":
            for k in range(rng.randint(0, 2)):
                day = p.activist_on + dt.timedelta(days=150 * (k + 1))
                if day <= TODAY:
                    assessments.append((p.pk, day))
    batch.clear()


def _city_people(city: Any) -> None:
    """A secretary with a phone on every branch of the city; a 党委 and a 组织部 administrator above."""
    from accounts.models import User
    from orgs.models import Member, Organization, Position, RoleGrant
    from orgs.roles import Role

    branches = list(Organization.objects.filter(path__startswith=city.path, kind="branch"))
    members = []
    for i, b in enumerate(branches):
        m = Member(
            name=f"书记{i}",
            gender="男",
            birth_date=dt.date(1975, 1, 1),
            category="full",
            joined_on=dt.date(2000, 7, 1),
            org=b,
        )
        m.set_id_number(f"34010119750101{i:04d}"[:17] + "X")
        m.id_number_hash = f"bench-{i}"
        m.set_phone(f"139{i:08d}")
        members.append(m)
    Member.objects.bulk_create(members, batch_size=2000)
    members = list(Member.objects.filter(org__path__startswith=city.path))
    Position.objects.bulk_create(
        Position(member=m, org_id=m.org_id, title="secretary", started_on=dt.date(2024, 1, 1))
        for m in members
    )
    for org in Organization.objects.filter(path__startswith=city.path).exclude(kind="branch"):
        user = User.objects.create(username=f"admin{org.pk}")
        RoleGrant.objects.create(user=user, org=org, role=Role.COMMITTEE_ADMIN)
    root = Organization.objects.get(parent__isnull=True)
    dept = User.objects.create(username="dept")
    RoleGrant.objects.create(user=dept, org=root, role=Role.DEPT_ADMIN)


def add_months(day: dt.date, months: int) -> dt.date:
    from development.rules import add_months as rule

    return rule(day, months)


def selector_rows(root: Any) -> list[tuple[int, str, dt.date]]:
    """The selector: deadlines.next_due_rows (the ORM annotation with_next_due), the whole province."""
    from development.models import Person
    from development.selectors.deadlines import next_due_rows

    return list(next_due_rows(Person.objects.filter(org__path__startswith=root.path)))


def python_rows(root: Any) -> list[tuple[int, str, dt.date]]:
    """The same from the rules in Python (dues_of through iter_open): the check, not timed against."""
    from development.models import Person
    from development.selectors.deadlines import iter_open, next_due

    out = []
    for person in iter_open(Person.objects.filter(org__path__startswith=root.path)):
        due = next_due(person, person.last_assessed)
        if due is not None:
            out.append((person.pk, due.rule, due.due_on))
    return out


def _months(vendor: str, col: str, n: int) -> str:
    """`col` + n months, the last day of the month when the day does not exist (as development.rules)."""
    if vendor == "postgresql":
        return f"({col} + interval '{n} months')::date"
    return f"MIN(date({col}, '+{n} months'), date({col}, 'start of month', '+{n + 1} months', '-1 day'))"


def hand_written(connection: Any, root: Any, *, column: bool = False) -> list[tuple[int, str, dt.date]]:
    """The same rows by hand: the last assessment from the assessments table (a grouped LEFT JOIN), or with
    `column` from the person's last_assessed_on as the selector reads it (the stricter baseline)."""
    v = connection.vendor
    last = "p.last_assessed_on" if column else "la.last_held"
    join = (
        ""
        if column
        else "LEFT JOIN (SELECT person_id, MAX(held_on) AS last_held FROM development_assessment"
        " GROUP BY person_id) la ON la.person_id = p.id"
    )
    since = f"CASE WHEN {last} IS NOT NULL AND {last} > p.activist_on THEN {last} ELSE p.activist_on END"
    sql = f"""
        SELECT p.id,
          CASE WHEN p.stage = 'applicant' THEN 'D-03'
               WHEN p.stage = 'activist' THEN 'D-05'
               WHEN p.stage = 'candidate' THEN 'D-13'
               WHEN p.conversion_resolution_on IS NOT NULL THEN 'D-17'
               ELSE 'D-16' END,
          CASE WHEN p.stage = 'applicant' THEN {_months(v, "p.applied_on", 1)}
               WHEN p.stage = 'activist' THEN {_months(v, since, 6)}
               WHEN p.stage = 'candidate' THEN {_months(v, "p.resolution_on", 3)}
               WHEN p.conversion_resolution_on IS NOT NULL THEN {_months(v, "p.conversion_resolution_on", 3)}
               ELSE p.probation_ends_on END
        FROM development_person p
        JOIN orgs_organization o ON o.id = p.org_id
        {join}
        WHERE o.path >= %s AND o.path < %s
          AND ((p.stage = 'applicant' AND p.talked_on IS NULL)
            OR (p.stage = 'activist' AND p.activist_on IS NOT NULL)
            OR (p.stage = 'candidate' AND p.resolution_on IS NOT NULL)
            OR (p.stage = 'probationary' AND p.probation_ends_on IS NOT NULL))
        ORDER BY p.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [root.path, root.path + "~"])
        rows = cursor.fetchall()
    if v == "sqlite":
        return [(pk, rule, dt.date.fromisoformat(day)) for pk, rule, day in rows]
    return [(pk, rule, day) for pk, rule, day in rows]


def deadlines_vs_sql(root: Any, runs: int) -> None:
    from django.db import connection

    mine, theirs = sorted(selector_rows(root)), hand_written(connection, root)
    started = time.perf_counter()
    assert sorted(python_rows(root)) == mine, "the annotation differs from development.rules in Python"
    python_ms = (time.perf_counter() - started) * 1000
    assert hand_written(connection, root, column=True) == theirs, (
        "last_assessed_on differs from the assessments"
    )
    assert mine == theirs, f"different rows: {len(mine)} vs {len(theirs)}; first differences " + str(
        [(a, b) for a, b in zip(mine, theirs, strict=False) if a != b][:3]
    )
    sel, sql, col = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        selector_rows(root)
        sel.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hand_written(connection, root)
        sql.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hand_written(connection, root, column=True)
        col.append((time.perf_counter() - started) * 1000)
    a, b, c = statistics.median(sel), statistics.median(sql), statistics.median(col)
    print(f"\ndeadlines of {len(mine):,} open people with a due date (the province), median of {runs}:")
    print(
        table(
            ["selector ms", "SQL (join) ms", "ratio", "SQL (column) ms", "ratio"],
            [[f"{a:.0f}", f"{b:.0f}", f"{a / b:.2f}", f"{c:.0f}", f"{a / c:.2f}"]],
        )
    )
    print(f"(the per-person Python path, iter_open + next_due, once: {python_ms:.0f} ms)")


def reminder_run(city: Any) -> None:
    from development.models import Person, Reminder
    from development.services.reminders import send_reminders

    open_people = Person.objects.open().filter(org__path__startswith=city.path).count()
    rows = []
    for label in ("first run", "same day again"):
        tracemalloc.start()
        started = time.perf_counter()
        report = send_reminders(day=TODAY, root=city)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            [
                label,
                f"{open_people:,}",
                f"{report.items:,}",
                report.messages,
                f"{seconds:.1f}",
                f"{open_people / seconds:,.0f}",
                f"{peak / 2**20:.1f}",
            ]
        )
    print(f"\nreminder run for one city ({Reminder.objects.count():,} claims after both runs):")
    print(
        table(
            [
                "run",
                "open people read",
                "items claimed",
                "messages",
                "s",
                "people/s",
                "peak MiB (tracemalloc)",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
