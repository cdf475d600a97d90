"""A 太湖-sized planner input without a database (tests and bench/bench_observer_planner.py).

A county root with `committees` 党(工)委; under them 总支 holding several 支部 and plain 支部, some with 党小组;
observers are members of a 党小组, a 支部 or a 总支 (so every own-unit case occurs)."""

from __future__ import annotations

import random

from observers.services.planner import PBranch, PObserver, unit_root
from orgs.paths import encode_step

ROOT = encode_step(1)


def county_sample(
    *, observers: int = 115, branches: int = 1300, committees: int = 24, seed: int = 7
) -> tuple[list[PObserver], list[PBranch], dict[str, str]]:
    """(observers, branches, kinds by path)."""
    rng = random.Random(seed)
    kinds: dict[str, str] = {ROOT: "committee"}
    committee_paths = []
    for c in range(1, committees + 1):
        path = ROOT + encode_step(c)
        kinds[path] = "committee" if c % 3 else "working_committee"
        committee_paths.append(path)
    branch_rows: list[PBranch] = []
    groups: list[str] = []
    seq = dict.fromkeys(committee_paths, 0)
    next_id = 1
    while len(branch_rows) < branches:
        committee = rng.choice(committee_paths)
        seq[committee] += 1
        if rng.random() < 0.15:  # a 总支 with 2–5 支部 (the 总支 holds its own organizational life too)
            general = committee + encode_step(seq[committee])
            kinds[general] = "general_branch"
            branch_rows.append(PBranch(next_id, general))
            next_id += 1
            for i in range(1, rng.randint(2, 5) + 1):
                path = general + encode_step(i)
                kinds[path] = "branch"
                branch_rows.append(PBranch(next_id, path))
                next_id += 1
        else:
            path = committee + encode_step(seq[committee])
            kinds[path] = "branch"
            branch_rows.append(PBranch(next_id, path))
            next_id += 1
            if rng.random() < 0.3:
                group = path + encode_step(1)
                kinds[group] = "group"
                groups.append(group)
    branch_rows = branch_rows[:branches]
    keep = {b.path for b in branch_rows}
    homes = [b.path for b in branch_rows] + [g for g in groups if g[:-4] in keep]
    observer_rows = []
    for i in range(1, observers + 1):
        home = rng.choice(homes)
        committee = home[:8]
        root, subtree = unit_root(home, kinds)
        observer_rows.append(PObserver(i, committee, root, subtree))
    return observer_rows, branch_rows, kinds
