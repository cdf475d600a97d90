"""The half-year planner: coverage, no own unit, balance within one of the mean, determinism, run time."""

import time
from collections import Counter
from statistics import mean

from observers.planner_sample import county_sample
from observers.services.planner import PBranch, PObserver, make_pools, propose, round_robin, unit_root


def check_plan(observers, branches, result, pairs=()):
    by_id = {o.id: o for o in observers}
    assert set(result.assignments) == {b.id for b in branches}, "every branch is observed"
    assert result.uncovered == []
    paths = {b.id: b.path for b in branches}
    for b, o in result.assignments.items():
        assert by_id[o].can_observe(paths[b]), "nobody observes their own unit"
    for pool in make_pools(observers, branches, pairs):
        ids = {o.id for o in pool.observers}
        loads = Counter(dict.fromkeys(ids, 0))
        loads.update(o for b, o in result.assignments.items() if o in ids)
        avg = mean(loads.values())
        assert all(abs(n - avg) <= 1 for n in loads.values()), (min(loads.values()), max(loads.values()), avg)


def test_115_observers_over_1300_branches_meet_every_constraint_and_the_run_time_is_printed():
    observers, branches, _ = county_sample()
    started = time.perf_counter()
    result = propose(observers, branches, seed=20261)
    planner_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    round_robin(observers, branches)
    baseline_ms = (time.perf_counter() - started) * 1000
    print(f"\nplanner 115 × 1300: {planner_ms:.1f} ms (round-robin baseline {baseline_ms:.2f} ms)")
    check_plan(observers, branches, result)
    loads = Counter(result.assignments.values())
    assert len(loads) == 115 and max(loads.values()) - min(loads.values()) <= 1


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    observers, branches, _ = county_sample(observers=40, branches=300)
    first = propose(observers, branches, seed=5)
    assert propose(observers, branches, seed=5).assignments == first.assignments
    assert propose(observers, branches, seed=6).assignments != first.assignments


def test_cross_pairs_send_each_committees_observers_to_the_partner_and_mark_them():
    observers, branches, _ = county_sample(observers=115, branches=1300, committees=6)
    committees = sorted({o.committee_path for o in observers})
    pairs = [(committees[0], committees[1]), (committees[2], committees[3])]
    result = propose(observers, branches, seed=1, pairs=pairs)
    check_plan(observers, branches, result, pairs)
    by_id = {o.id: o for o in observers}
    partner = dict(pairs) | {b: a for a, b in pairs}
    for b in branches:
        home = b.path[:8]
        o = by_id[result.assignments[b.id]]
        if home in partner:
            assert o.committee_path == partner[home] and b.id in result.cross
        else:
            assert o.committee_path not in partner and b.id not in result.cross


def test_own_unit_is_the_branch_of_a_group_member_and_the_general_branch_of_a_branch_member():
    kinds = {
        "0001": "committee",
        "00010001": "committee",
        "000100010001": "general_branch",
        "0001000100010001": "branch",
        "00010001000100010001": "group",
        "000100010002": "branch",
    }
    assert unit_root("00010001000100010001", kinds) == ("000100010001", True)
    assert unit_root("000100010002", kinds) == ("000100010002", True)
    assert unit_root("00010001", kinds) == ("00010001", False)
    o = PObserver(1, "00010001", *unit_root("0001000100010001", kinds))
    assert not o.can_observe("000100010001") and not o.can_observe("0001000100010001")
    assert o.can_observe("000100010002")


def test_a_branch_nobody_may_observe_is_reported_uncovered():
    observers = [PObserver(1, "00010001", "000100010001")]
    branches = [PBranch(1, "000100010001"), PBranch(2, "000100010002")]
    result = propose(observers, branches, seed=1)
    assert result.assignments == {2: 1} and result.uncovered == [1]


def test_balance_holds_when_one_observer_cannot_take_most_branches():
    # observer 1 sits in a 总支 holding 6 of the 9 branches: the others take those, loads stay 3/3/3
    observers = [PObserver(1, "C", "CG"), PObserver(2, "C", "CX"), PObserver(3, "C", "CY")]
    branches = [PBranch(i, f"CG{i}") for i in range(6)] + [PBranch(10 + i, f"CZ{i}") for i in range(3)]
    result = propose(observers, branches, seed=3)
    check_plan(observers, branches, result)
    assert Counter(result.assignments.values()) == {1: 3, 2: 3, 3: 3}
