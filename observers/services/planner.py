"""Half-year assignment planner: every branch observed at least once (每半年至少列席一次), balanced loads,
nobody in their own unit, optional 交叉观察 between paired 党(工)委; then the admin's edits and confirmation.

Definitions
-----------
* Scope: a 党(工)委 (or the county root). Branches: active organizations of orglife.rules.LIFE_KINDS
  (支部, 联合/临时支部, 总支) under the scope. Observers: active observers whose committee lies under the scope.
* Own unit: the observer's member.org together with its parent 支部/总支 — precisely, the highest ancestor
  reached from member.org while climbing through 党小组/支部/总支 (the *unit root*). A branch equal to or
  under the unit root is the observer's own unit: a 党小组 member's own branch, a 支部 member's branch (and,
  if that branch sits in a 总支, the 总支 and all its sibling branches), a 总支 member's whole 总支.
  If member.org is itself a 党委 (no such climb possible) only that organization is excluded.
* Pools: without cross pairs one pool: every observer of the scope over every branch of the scope.
  A cross pair (A, B) makes two pools marked is_cross: A's observers over B's branches and B's observers
  over A's branches; branches and observers of unpaired committees stay in the plain pool.
* Balance: within each pool every observer gets ⌊n/m⌋ or ⌈n/m⌉ branches, so each load is within one of
  the pool's mean (n branches, m observers) unless the own-unit rule makes that impossible.

Algorithm (deterministic for a seed; no solver): observers and branches sorted by id, then shuffled by
random.Random(seed); branches ordered most-constrained first (fewest eligible observers); each branch goes to
the least-loaded eligible observer (a heap keyed on (load, shuffled rank)); a repair pass then moves branches
from observers above ⌈n/m⌉ to eligible observers below ⌊n/m⌋. O(n·m) for the eligibility counts plus
O(n log m) for the greedy pass.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import mean

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import Assignment, AssignmentPlan, Observer
from observers.services.selection import require_committee_write
from orglife.rules import LIFE_KINDS
from orgs.models import Organization
from orgs.paths import under_path_q

UNIT_KINDS = frozenset({*LIFE_KINDS, Organization.Kind.GROUP})


# ---------------------------------------------------------------- the pure algorithm


@dataclass(frozen=True)
class PObserver:
    id: int
    committee_path: str
    unit_path: str  # the unit root (see module doc)
    unit_is_subtree: bool = True  # False: only the organization at unit_path itself is excluded

    def can_observe(self, branch_path: str) -> bool:
        if self.unit_is_subtree:
            return not branch_path.startswith(self.unit_path)
        return branch_path != self.unit_path


@dataclass(frozen=True)
class PBranch:
    id: int
    path: str


@dataclass
class Pool:
    observers: list[PObserver]
    branches: list[PBranch]
    is_cross: bool = False


@dataclass
class Proposal:
    assignments: dict[int, int] = field(default_factory=dict)  # branch id → observer id
    cross: set[int] = field(default_factory=set)  # branch ids observed across committees
    uncovered: list[int] = field(default_factory=list)  # branch ids no eligible observer can take


def unit_root(org_path: str, kinds: dict[str, str]) -> tuple[str, bool]:
    """The unit root of an organization: climb through 党小组/支部/总支 (`kinds`: path → kind of the chain)."""
    if kinds.get(org_path) not in UNIT_KINDS:
        return org_path, False
    root = org_path
    step = 4
    while len(root) > step and kinds.get(root[:-step]) in UNIT_KINDS:
        root = root[:-step]
    return root, True


def assign_pool(pool: Pool, rng: random.Random, out: Proposal) -> None:
    observers = sorted(pool.observers, key=lambda o: o.id)
    branches = sorted(pool.branches, key=lambda b: b.id)
    if not branches:
        return
    if not observers:
        out.uncovered.extend(b.id for b in branches)
        return
    rng.shuffle(observers)
    rng.shuffle(branches)
    eligible_count = {b.id: sum(1 for o in observers if o.can_observe(b.path)) for b in branches}
    branches.sort(key=lambda b: eligible_count[b.id])  # stable: the shuffle breaks ties
    heap = [(0, rank) for rank in range(len(observers))]
    load = [0] * len(observers)
    mine: list[list[PBranch]] = [[] for _ in observers]
    for b in branches:
        if eligible_count[b.id] == 0:
            out.uncovered.append(b.id)
            continue
        skipped = []
        while True:
            _, rank = heapq.heappop(heap)
            if observers[rank].can_observe(b.path):
                break
            skipped.append((load[rank], rank))
        load[rank] += 1
        mine[rank].append(b)
        heapq.heappush(heap, (load[rank], rank))
        for item in skipped:
            heapq.heappush(heap, item)
    _repair(observers, mine, len(branches))
    for rank, o in enumerate(observers):
        for b in mine[rank]:
            out.assignments[b.id] = o.id
            if pool.is_cross:
                out.cross.add(b.id)


def _repair(observers: list[PObserver], mine: list[list[PBranch]], n: int) -> None:
    """Move branches from the most to the least loaded (eligible) observers until loads differ by ≤ 1.

    Loads that differ by at most one are ⌊n/m⌋ or ⌈n/m⌉, each within one of the mean."""
    for _ in range(n + 1):
        ranks = sorted(range(len(observers)), key=lambda r: len(mine[r]))
        low, high = ranks[0], ranks[-1]
        if len(mine[high]) - len(mine[low]) <= 1:
            return
        moved = False
        for giver in reversed(ranks):
            if len(mine[giver]) <= len(mine[low]) + 1:
                break
            for taker in ranks:
                if len(mine[taker]) + 1 >= len(mine[giver]):
                    break
                for i, b in enumerate(mine[giver]):
                    if observers[taker].can_observe(b.path):
                        mine[taker].append(mine[giver].pop(i))
                        moved = True
                        break
                if moved:
                    break
            if moved:
                break
        if not moved:
            return


def make_pools(
    observers: Sequence[PObserver], branches: Sequence[PBranch], pairs: Sequence[tuple[str, str]]
) -> list[Pool]:
    """Pools from cross pairs of committee paths (see module doc)."""

    def side(path: str) -> str | None:
        for a, b in pairs:
            if path.startswith(a):
                return a
            if path.startswith(b):
                return b
        return None

    partner = dict(pairs) | {b: a for a, b in pairs}
    pools: dict[str | None, Pool] = {None: Pool([], [])}
    for a, b in pairs:
        pools[a] = Pool([], [], is_cross=True)  # A's observers over B's branches
        pools[b] = Pool([], [], is_cross=True)
    for o in observers:
        pools[side(o.committee_path)].observers.append(o)
    for br in branches:
        home = side(br.path)
        pools[partner[home] if home is not None else None].branches.append(br)
    return [pools[k] for k in [None, *sorted(partner)]]


def propose(
    observers: Sequence[PObserver],
    branches: Sequence[PBranch],
    *,
    seed: int,
    pairs: Sequence[tuple[str, str]] = (),
) -> Proposal:
    rng = random.Random(seed)
    out = Proposal()
    for pool in make_pools(observers, branches, pairs):
        assign_pool(pool, rng, out)
    return out


def round_robin(observers: Sequence[PObserver], branches: Sequence[PBranch]) -> dict[int, int]:
    """The baseline for the benchmark: branch i to observer i mod m, no constraints."""
    ids = [o.id for o in observers]
    return {b.id: ids[i % len(ids)] for i, b in enumerate(branches)}


# ---------------------------------------------------------------- loading from the database


def half_start_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def half_label(half_start: dt.date) -> str:
    return f"{half_start.year}年{'上' if half_start.month == 1 else '下'}半年"


def default_seed(half_start: dt.date) -> int:
    return half_start.year * 10 + (1 if half_start.month == 1 else 2)


def scope_branches(scope: Organization) -> QuerySet[Organization]:
    return Organization.objects.under(scope).filter(kind__in=LIFE_KINDS, is_active=True)


def scope_observers(scope: Organization) -> QuerySet[Observer]:
    return Observer.objects.filter(under_path_q(scope.path, "committee__path"), status=Observer.Status.ACTIVE)


def planner_observers(qs: Iterable[Observer] | QuerySet[Observer]) -> list[PObserver]:
    rows = list(
        qs.values_list("id", "committee__path", "member__org__path")  # type: ignore[union-attr]
        if isinstance(qs, QuerySet)
        else [(o.pk, o.committee.path, o.member.org.path) for o in qs]
    )
    prefixes = {p[:i] for _, _, p in rows for i in range(4, len(p) + 1, 4)}
    kinds = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "kind"))
    out = []
    for pk, committee_path, org_path in rows:
        root, subtree = unit_root(org_path, kinds)
        out.append(PObserver(pk, committee_path, root, subtree))
    return out


def planner_branches(scope: Organization) -> list[PBranch]:
    return [PBranch(pk, path) for pk, path in scope_branches(scope).values_list("id", "path")]


def _validate_pairs(scope: Organization, pairs: Sequence[Sequence[int]]) -> list[Organization]:
    """The committees of the cross pairs: distinct 党(工)委 strictly under the scope, none inside another."""
    ids = [int(i) for pair in pairs for i in pair]
    if any(len(pair) != 2 for pair in pairs):
        raise ValidationError({"cross_pairs": "交叉观察须两两配对"})
    if len(set(ids)) != len(ids):
        raise ValidationError({"cross_pairs": "同一党(工)委只能参加一个交叉配对"})
    found = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    committees = [found.get(i) for i in ids]
    for org in committees:
        if org is None or org.kind not in Organization.COMMITTEE_KINDS:
            raise ValidationError({"cross_pairs": "交叉观察只能在党(工)委之间配对"})
        if org.pk == scope.pk or not org.path.startswith(scope.path):
            raise ValidationError({"cross_pairs": f"{org.name}不在本次分配范围内"})
    paths = sorted(o.path for o in committees if o is not None)
    if any(b.startswith(a) for a, b in zip(paths, paths[1:], strict=False)):
        raise ValidationError({"cross_pairs": "配对的党(工)委不能互相包含"})
    return [o for o in committees if o is not None]


def _check_scope(scope: Organization, half_start: dt.date) -> None:
    """A plan covers a 党(工)委 for a half-year, and no other plan of that half-year overlaps its scope."""
    if scope.kind not in Organization.COMMITTEE_KINDS:
        raise ValidationError({"committee": "分配范围须为党委、党工委或全县"})
    if half_start != half_start_of(half_start):
        raise ValidationError({"half_start": "半年起始月须为1月或7月"})
    overlapping = (
        AssignmentPlan.objects.filter(half_start=half_start)
        .exclude(committee=scope)
        .filter(under_path_q(scope.path, "committee__path"))
    )
    ancestors = AssignmentPlan.objects.filter(half_start=half_start, committee__in=scope.ancestors())
    other = overlapping.first() or ancestors.first()
    if other is not None:
        raise ValidationError(
            f"{half_label(half_start)}已有范围重叠的分配方案（{other.committee.name}），请在该方案中调整"
        )


@transaction.atomic
def propose_plan(
    *,
    actor: User | None,
    scope: Organization,
    half_start: dt.date,
    seed: int | None = None,
    cross_pairs: Sequence[Sequence[int]] = (),
) -> AssignmentPlan:
    """Create (or redo, while still a draft) the plan of `scope` for the half-year from `half_start`."""
    require_committee_write(actor, scope)
    _check_scope(scope, half_start)
    committees = _validate_pairs(scope, cross_pairs)
    path_pairs = [(committees[i].path, committees[i + 1].path) for i in range(0, len(committees), 2)]
    plan = lock_rows(AssignmentPlan.objects).filter(committee=scope, half_start=half_start).first()
    if plan is not None and plan.status == AssignmentPlan.Status.CONFIRMED:
        raise ValidationError(f"{half_label(half_start)}的分配方案已确认，不能重新生成")
    seed = default_seed(half_start) if seed is None else seed
    pair_ids = [[committees[i].pk, committees[i + 1].pk] for i in range(0, len(committees), 2)]
    if plan is None:
        plan = AssignmentPlan.objects.create(
            committee=scope, half_start=half_start, seed=seed, cross_pairs=pair_ids, created_by=actor
        )
    else:
        plan.assignments.all().delete()
        plan.seed, plan.cross_pairs, plan.created_by = seed, pair_ids, actor
        plan.save(update_fields=["seed", "cross_pairs", "created_by"])
    observers = planner_observers(scope_observers(scope))
    result = propose(observers, planner_branches(scope), seed=seed, pairs=path_pairs)
    Assignment.objects.bulk_create(
        [
            Assignment(plan=plan, observer_id=o, branch_id=b, is_cross=b in result.cross)
            for b, o in sorted(result.assignments.items())
        ],
        batch_size=1000,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=plan,
        org=scope,
        summary={
            "half_start": half_start.isoformat(),
            "seed": seed,
            "cross_pairs": pair_ids,
            "observers": len(observers),
            "assigned": len(result.assignments),
            "uncovered": len(result.uncovered),
        },
    )
    return plan


# ---------------------------------------------------------------- review, edits, confirmation


@dataclass
class PlanSummary:
    branches: int
    uncovered: list[Organization]
    loads: dict[int, int]  # observer id → branch count (every active observer of the plan's pools)
    table: list[tuple[Observer, list[Assignment]]]
    violations: list[str]

    @property
    def load_min(self) -> int:
        return min(self.loads.values(), default=0)

    @property
    def load_max(self) -> int:
        return max(self.loads.values(), default=0)

    @property
    def load_mean(self) -> float:
        return round(mean(self.loads.values()), 2) if self.loads else 0.0


def _pair_paths(plan: AssignmentPlan) -> list[tuple[str, str]]:
    ids = [i for pair in plan.cross_pairs for i in pair]
    paths = dict(Organization.objects.filter(pk__in=ids).values_list("id", "path"))
    return [(paths[a], paths[b]) for a, b in plan.cross_pairs if a in paths and b in paths]


def _pool_of_observer(committee_path: str, pairs: Sequence[tuple[str, str]]) -> str | None:
    for a, b in pairs:
        for side in (a, b):
            if committee_path.startswith(side):
                return side
    return None


def _pool_for_branch(branch_path: str, pairs: Sequence[tuple[str, str]]) -> str | None:
    """The pool whose observers observe this branch: the partner committee's, or the plain pool (None)."""
    for a, b in pairs:
        if branch_path.startswith(a):
            return b
        if branch_path.startswith(b):
            return a
    return None


def _check_pair(scope: Organization, branch: Organization, observer: Observer, p: PObserver) -> None:
    """`observer` (`p`, as the planner sees them) may observe `branch` in a plan of `scope`."""
    if not branch.path.startswith(scope.path) or branch.kind not in LIFE_KINDS:
        raise ValidationError({"branch": "该组织不在本方案范围内"})
    if observer.status != Observer.Status.ACTIVE:
        raise ValidationError({"observer": "该观察员不在岗"})
    if not observer.committee.path.startswith(scope.path):
        raise ValidationError({"observer": "该观察员不属于本方案范围"})
    if not p.can_observe(branch.path):
        raise ValidationError({"observer": "观察员不能观察本人所在支部或本单位的党组织"})


def check_move(plan: AssignmentPlan, branch: Organization, observer: Observer) -> bool:
    """Raise a ValidationError unless `observer` may observe `branch` in this plan; True when cross."""
    (p,) = planner_observers([observer])
    _check_pair(plan.committee, branch, observer, p)
    pairs = _pair_paths(plan)
    if _pool_of_observer(observer.committee.path, pairs) != _pool_for_branch(branch.path, pairs):
        raise ValidationError({"observer": "交叉观察配对下，该观察员不能观察此支部"})
    return _pool_for_branch(branch.path, pairs) is not None


@transaction.atomic
def move_branch(*, actor: User, plan: AssignmentPlan, branch: Organization, observer: Observer) -> Assignment:
    """Give `branch` to `observer` (moving it from whoever had it), with the planner's constraints."""
    require_committee_write(actor, plan.committee)
    is_cross = check_move(plan, branch, observer)
    current = list(plan.assignments.filter(branch=branch).select_related("observer__member"))
    if any(a.observer_id == observer.pk for a in current) and len(current) == 1:
        return current[0]
    plan.assignments.filter(branch=branch).delete()
    row = Assignment.objects.create(plan=plan, observer=observer, branch=branch, is_cross=is_cross)
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=plan,
        org=plan.committee,
        summary={
            "branch": branch.pk,
            "branch_name": branch.name,
            "from": [a.observer_id for a in current],
            "to": observer.pk,
        },
    )
    return row


def summarize(plan: AssignmentPlan) -> PlanSummary:
    scope = plan.committee
    branches = {b.pk: b for b in scope_branches(scope).only("id", "name", "short_name", "path")}
    rows = list(
        plan.assignments.select_related("observer__member__org", "observer__committee", "branch").order_by(
            "observer__committee__path", "observer__letter_number", "branch__path"
        )
    )
    covered = {a.branch_id for a in rows}
    observers = {o.pk: o for o in scope_observers(scope).select_related("member__org", "committee")}
    by_observer: dict[int, list[Assignment]] = defaultdict(list)
    for a in rows:
        observers.setdefault(a.observer_id, a.observer)
        by_observer[a.observer_id].append(a)
    loads = {
        pk: len(by_observer.get(pk, [])) for pk, o in observers.items() if o.status == Observer.Status.ACTIVE
    }
    violations = []
    pmap = {p.id: p for p in planner_observers(list(observers.values()))}
    for a in rows:
        if not pmap[a.observer_id].can_observe(a.branch.path):
            violations.append(f"{a.observer.member.name}观察本单位的{a.branch.display_name}")
        if observers[a.observer_id].status != Observer.Status.ACTIVE:
            violations.append(f"{a.observer.member.name}已不在岗，仍分配了{a.branch.display_name}")
    ordered = sorted(observers.values(), key=lambda o: (o.committee.path, o.letter_number))
    return PlanSummary(
        branches=len(branches),
        uncovered=[b for pk, b in sorted(branches.items(), key=lambda kv: kv[1].path) if pk not in covered],
        loads=loads,
        table=[(o, by_observer.get(o.pk, [])) for o in ordered],
        violations=violations,
    )


def _check_covered(uncovered: int) -> None:
    if uncovered:
        raise ValidationError(f"仍有{uncovered}个支部未安排观察员（每半年至少列席一次），请先调整后再确认")


@transaction.atomic
def confirm_plan(*, actor: User, plan: AssignmentPlan) -> AssignmentPlan:
    require_committee_write(actor, plan.committee)
    plan = lock_rows(AssignmentPlan.objects).get(pk=plan.pk)
    if plan.status == AssignmentPlan.Status.CONFIRMED:
        raise ValidationError("该方案已确认")
    summary = summarize(plan)
    _check_covered(len(summary.uncovered))
    if summary.violations:
        raise ValidationError("；".join(summary.violations[:5]))
    plan.status = AssignmentPlan.Status.CONFIRMED
    plan.confirmed_by = actor
    plan.confirmed_at = timezone.now()
    plan.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=plan,
        org=plan.committee,
        summary={
            "status": [AssignmentPlan.Status.DRAFT, AssignmentPlan.Status.CONFIRMED],
            "assignments": sum(summary.loads.values()),
        },
    )
    return plan


@transaction.atomic
def add_confirmed_plan(
    *,
    actor: User | None,
    scope: Organization,
    half_start: dt.date,
    seed: int,
    assignments: dict[int, int],
    confirmed_at: dt.datetime | None = None,
) -> AssignmentPlan:
    """A plan written already confirmed, branch id → observer id (the demo generator's past half-years):
    propose_plan's scope rules, check_move's rules for every pair, confirm_plan's rule that every branch
    of the scope is covered; no cross pairs. No audit row: the caller records one for the batch."""
    require_committee_write(actor, scope)
    _check_scope(scope, half_start)
    if AssignmentPlan.objects.filter(committee=scope, half_start=half_start).exists():
        raise ValidationError(f"{half_label(half_start)}已有分配方案")
    branches = Organization.objects.in_bulk(list(assignments))
    observers = Observer.objects.select_related("member__org", "committee").in_bulk(set(assignments.values()))
    seen = {p.id: p for p in planner_observers(list(observers.values()))}
    for branch_id, observer_id in assignments.items():
        if branch_id not in branches or observer_id not in observers:
            raise ValidationError({"branch": "该组织或观察员不存在"})
        _check_pair(scope, branches[branch_id], observers[observer_id], seen[observer_id])
    _check_covered(scope_branches(scope).exclude(pk__in=list(assignments)).count())
    plan = AssignmentPlan.objects.create(
        committee=scope,
        half_start=half_start,
        seed=seed,
        status=AssignmentPlan.Status.CONFIRMED,
        created_by=actor,
        confirmed_by=actor,
        confirmed_at=confirmed_at or timezone.now(),
    )
    Assignment.objects.bulk_create(
        [Assignment(plan=plan, observer_id=o, branch_id=b) for b, o in assignments.items()], batch_size=1000
    )
    return plan
