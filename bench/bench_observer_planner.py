"""Benchmark: the observer half-year planner at 太湖 scale (115 observers × 1,300 branches).

    .venv/bin/python bench/bench_observer_planner.py [--db sqlite|postgres] [--observers 115] [--branches 1300]
                                                     [--committees 24] [--runs 7] [--reuse X] [--keep]

1. Algorithm only, in memory (observers.planner_sample.county_sample): services.planner.propose (greedy
   least-loaded with own-unit checks + repair pass), with and without cross pairs, against a plain
   round-robin assignment (no constraints) on the same input — median of --runs.
2. Through the database: the same tree, members and observers inserted directly, then
   services.planner.propose_plan for the county (load, plan, bulk insert, audit), median of --runs,
   against round-robin + the same bulk insert. Every run's constraints are checked (coverage, own unit,
   balance within one of the mean).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, open_database, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--observers", type=int, default=115)
    parser.add_argument("--branches", type=int, default=1300)
    parser.add_argument("--committees", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with open_database(args.db, reuse=args.reuse, keep=args.keep) as where:
        print(f"{args.db}: {where}")
        run(args)


def check(observers: Any, branches: Any, assignments: dict[int, int]) -> None:
    by_id = {o.id: o for o in observers}
    assert set(assignments) == {b.id for b in branches}, "coverage"
    paths = {b.id: b.path for b in branches}
    assert all(by_id[o].can_observe(paths[b]) for b, o in assignments.items()), "own unit"
    loads = Counter(assignments.values())
    avg = mean(loads[i] for i in by_id)
    assert all(abs(loads[i] - avg) <= 1 for i in by_id), "balance"


def build_tree(kinds: dict[str, str], observers: Any) -> tuple[Any, Any]:
    """Organizations for every sample path, one member + observer per sample observer (a member of the
    observer's unit root); returns (root, a superuser to act as)."""
    from accounts.models import User
    from observers.models import Observer
    from orgs.models import Member, Organization
    from personal import idcard

    rows = []
    for i, (path, kind) in enumerate(sorted(kinds.items()), start=1):
        rows.append(
            Organization(
                path=path,
                depth=len(path) // 4,
                name=f"组织{i}",
                short_name=f"组织{i}",
                code=f"BENCH{i:06d}",
                kind=kind,
                unit_category="organ",
            )
        )
    Organization.objects.bulk_create(rows, batch_size=2000)
    by_path = dict(Organization.objects.values_list("path", "id"))
    for path, pk in by_path.items():
        if len(path) > 4:
            Organization.objects.filter(pk=pk).update(parent_id=by_path[path[:-4]])
    unit_home = {o.id: o.unit_path for o in observers}
    members = []
    for o in observers:
        m = Member(
            name=f"观察员{o.id}",
            gender=Member.Gender.MALE,
            birth_date=dt.date(1980, 1, 1),
            category="full",
            org_id=by_path[unit_home[o.id]],
            joined_on=dt.date(2005, 7, 1),
        )
        m.set_id_number(idcard.make("340101", dt.date(1980, 1, 1), 500 + o.id))
        m.set_phone("13800000000")
        members.append(m)
    Member.objects.bulk_create(members)
    member_ids = dict(Member.objects.values_list("name", "id"))
    Observer.objects.bulk_create(
        [
            Observer(
                member_id=member_ids[f"观察员{o.id}"],
                committee_id=by_path[o.committee_path],
                letter_number=f"太观聘〔2026〕{o.id:03d}号",
                card_number=f"太观证2026{o.id:03d}",
                appointed_on=dt.date(2026, 1, 2),
            )
            for o in observers
        ]
    )
    root = Organization.objects.get(path=min(kinds, key=len))
    actor = User.objects.create_superuser("bench_admin", password="Bench#2026x")
    return root, actor


def run(args: argparse.Namespace) -> None:
    from observers.models import Assignment, AssignmentPlan
    from observers.planner_sample import county_sample
    from observers.services.planner import (
        planner_branches,
        planner_observers,
        propose,
        propose_plan,
        round_robin,
        scope_observers,
    )

    observers, branches, kinds = county_sample(
        observers=args.observers, branches=args.branches, committees=args.committees
    )
    committees = sorted({o.committee_path for o in observers})
    pairs = [(committees[0], committees[1]), (committees[2], committees[3])]
    print(f"input: {len(observers)} observers × {len(branches)} branches, {len(committees)} committees")

    result = propose(observers, branches, seed=1)
    check(observers, branches, result.assignments)
    loads = Counter(result.assignments.values())
    print(f"loads: min {min(loads.values())}, max {max(loads.values())}, mean {mean(loads.values()):.2f}")
    algo = [
        ["round-robin (baseline)", f"{median_ms(lambda: round_robin(observers, branches), args.runs):.2f}"],
        ["planner", f"{median_ms(lambda: propose(observers, branches, seed=1), args.runs):.1f}"],
        [
            "planner, 2 cross pairs",
            f"{median_ms(lambda: propose(observers, branches, seed=1, pairs=pairs), args.runs):.1f}",
        ],
    ]
    print("\nIn memory (median ms):")
    print(table(["assignment", "ms"], algo))

    root, actor = build_tree(kinds, observers)
    half = dt.date(2026, 1, 1)
    seeds = iter(range(1000))

    def full() -> None:
        plan = propose_plan(actor=actor, scope=root, half_start=half, seed=next(seeds))
        db_observers = planner_observers(scope_observers(root))
        check(
            db_observers,
            planner_branches(root),
            dict(plan.assignments.values_list("branch_id", "observer_id")),
        )

    def baseline() -> None:
        AssignmentPlan.objects.filter(committee=root, half_start=half).delete()
        plan = AssignmentPlan.objects.create(committee=root, half_start=half, created_by=actor)
        db_observers = planner_observers(scope_observers(root))
        pairs_rr = round_robin(db_observers, planner_branches(root))
        Assignment.objects.bulk_create(
            [Assignment(plan=plan, observer_id=o, branch_id=b) for b, o in pairs_rr.items()], batch_size=1000
        )
        plan.delete()

    db = [
        ["round-robin + bulk insert (baseline)", f"{median_ms(baseline, args.runs):.1f}"],
        ["propose_plan (county)", f"{median_ms(full, args.runs):.1f}"],
    ]
    print("\nThrough the database (median ms):")
    print(table(["assignment", "ms"], db))


if __name__ == "__main__":
    main()
