"""Half-year coverage: which branches no observer has observed yet, per committee and per observer, and
the in-site notices of the coverage flags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from notifications.models import Message
from notifications.services import enqueue_message
from observers.models import Assignment, AssignmentPlan, Observation, Observer
from observers.services.observe import OBSERVED_KINDS, half_period, half_start, in_half
from orglife.periods import local_today
from orgs import reference
from orgs.models import Organization, RoleGrant
from orgs.paths import under_path_q
from orgs.roles import Role


def branches_under(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(under_path_q(org.path), kind__in=OBSERVED_KINDS, is_active=True)


def observed_q(start: dt.date) -> Exists:
    return Exists(
        Observation.objects.filter(
            in_half(start), branch_id=OuterRef("pk"), status=Observation.Status.SUBMITTED
        )
    )


def unobserved_branches(committee: Organization, half_start: dt.date) -> QuerySet[Organization]:
    """Branches under `committee` with no submitted observation in the half-year starting `half_start`."""
    return branches_under(committee).exclude(observed_q(half_start)).order_by("path")


def coverage_strata(root: Organization) -> list[Organization]:
    """The 党(工)委 a coverage table lists: the root itself if it has no committee children, else those. The
    tree is reference data, kept in the process's memory while current (orgs.reference)."""
    children = reference.remember(
        ("observers.coverage_strata", root.pk),
        lambda: list(
            Organization.objects.filter(
                parent=root, kind__in=Organization.COMMITTEE_KINDS, is_active=True
            ).order_by("path")
        ),
    )
    return children or [root]


@dataclass
class CommitteeCoverage:
    committee: Organization
    branches: int
    observed: int

    @property
    def unobserved(self) -> int:
        return self.branches - self.observed

    @property
    def rate(self) -> float:
        return round(100 * self.observed / self.branches, 1) if self.branches else 100.0


@dataclass
class Coverage:
    committees: list[CommitteeCoverage]
    branches: int  # under the root, the branches directly under it (in no listed committee) included
    observed: int

    @property
    def unobserved(self) -> int:
        return self.branches - self.observed


def coverage_of(root: Organization, start: dt.date) -> Coverage:
    """The coverage table of `root` and its totals in two queries, however many committees it lists: the
    committees, then the branches under the root counted by their path's prefix at the committees' depth
    (every stratum is at one depth: the root, or its children) and by whether they were observed."""
    strata = coverage_strata(root)
    width = len(strata[0].path)
    rows = (
        branches_under(root)
        .annotate(prefix=Substr("path", 1, width), observed=observed_q(start))
        .order_by()
        .values_list("prefix", "observed")
        .annotate(n=Count("id"))
    )
    totals: dict[str, int] = {}
    observed: dict[str, int] = {}
    for prefix, was_observed, n in rows:
        totals[prefix] = totals.get(prefix, 0) + n
        if was_observed:
            observed[prefix] = observed.get(prefix, 0) + n
    committees = [CommitteeCoverage(c, totals.get(c.path, 0), observed.get(c.path, 0)) for c in strata]
    return Coverage(committees, sum(totals.values()), sum(observed.values()))


def committee_coverage(root: Organization, start: dt.date) -> list[CommitteeCoverage]:
    return coverage_of(root, start).committees


@dataclass
class ObserverProgress:
    observer: Observer
    assigned: int
    observed: int  # assigned branches this observer has evaluated in the half-year
    forms: int  # forms submitted in the half-year
    signed_up: int

    @property
    def pending(self) -> int:
        return self.assigned - self.observed


def _count(qs: QuerySet[Any], distinct: str = "id") -> Coalesce:
    """The number of `qs`'s rows (of distinct `distinct`) for the outer observer, as a correlated subquery."""
    counted = qs.order_by().values("observer_id").annotate(n=Count(distinct, distinct=True)).values("n")
    return Coalesce(Subquery(counted), Value(0))


def observer_progress(root: Organization, start: dt.date) -> list[ObserverProgress]:
    """Per observer of a 党(工)委 under `root` (or assigned to branches under it): the half-year's progress.
    Two queries: the half-year's assignments under the root, each with whether its observer has submitted a
    form for its branch; then the observers, each with its counts of submitted forms and of sign-ups
    (correlated subqueries over its own rows). One query with the assignments correlated per observer too
    was 1.6x slower on SQLite (bench/bench_observer_progress.py)."""
    submitted = Observation.objects.filter(in_half(start), status=Observation.Status.SUBMITTED)
    rows = (
        Assignment.objects.filter(plan__status=AssignmentPlan.Status.CONFIRMED, plan__half_start=start)
        .filter(
            under_path_q(root.path, "branch__path") | under_path_q(root.path, "observer__committee__path")
        )
        .annotate(
            observed=Exists(
                submitted.filter(observer_id=OuterRef("observer_id"), branch_id=OuterRef("branch_id"))
            )
        )
        .values_list("observer_id", "branch_id", "observed")
    )
    assigned: dict[int, set[int]] = {}
    done: dict[int, set[int]] = {}
    for observer_id, branch_id, observed in rows:
        assigned.setdefault(observer_id, set()).add(branch_id)
        if observed:
            done.setdefault(observer_id, set()).add(branch_id)
    observers = (
        Observer.objects.filter(
            Q(pk__in=list(assigned))
            | (under_path_q(root.path, "committee__path") & Q(status=Observer.Status.ACTIVE))
        )
        .select_related("member", "committee")
        .annotate(
            n_forms=_count(submitted.filter(observer_id=OuterRef("pk"))),
            n_signed_up=_count(
                Observation.objects.filter(
                    in_half(start), status=Observation.Status.SIGNED_UP, observer_id=OuterRef("pk")
                )
            ),
        )
    )
    out = [
        ObserverProgress(
            o,
            len(assigned.get(o.pk, ())),
            len(done.get(o.pk, ())),
            o.n_forms,  # type: ignore[attr-defined]
            o.n_signed_up,  # type: ignore[attr-defined]
        )
        for o in observers
    ]
    out.sort(key=lambda p: (-p.pending, p.observer.committee.path, p.observer.letter_number))
    return out


# ---------------------------------------------------------------- in-site notices of the coverage flags


def send_coverage_notices(*, today: dt.date | None = None) -> dict[str, int]:
    """In-site notices of branches not yet observed this half-year: to each observer, one per assigned
    unobserved branch, and to each 党(工)委 admin, one digest per committee. Deduplicated per branch (or
    committee), recipient, half-year and ISO week, so a daily run notifies at most once a week."""
    today = today or local_today()
    start = half_start(today)
    year, week, _ = today.isocalendar()
    stamp = f"{start:%Y%m}:{year}w{week:02d}"
    period = half_period(start)
    counts = {"observers": 0, "committees": 0}
    unobserved_ids = set(
        Organization.objects.filter(kind__in=OBSERVED_KINDS, is_active=True)
        .exclude(observed_q(start))
        .values_list("pk", flat=True)
    )
    for a in (
        Assignment.objects.filter(
            plan__status=AssignmentPlan.Status.CONFIRMED,
            plan__half_start=start,
            branch_id__in=unobserved_ids,
            observer__user__isnull=False,
            observer__status=Observer.Status.ACTIVE,
        )
        .select_related("branch", "observer__user")
        .order_by("observer_id", "branch__path")
    ):
        user = a.observer.user
        assert user is not None
        _, created = enqueue_message(
            channel=Message.Channel.SITE,
            dedupe_key=f"observers:coverage:b{a.branch_id}:u{user.pk}:{stamp}",
            recipient=user,
            org=a.branch,
            title="支部尚未观察提醒",
            body=f"{a.branch.display_name}{period.label}尚未有观察员列席观察，请尽快报名列席（每半年至少一次）。",
        )
        counts["observers"] += int(created)
    for grant in RoleGrant.objects.filter(role=Role.COMMITTEE_ADMIN, user__is_active=True).select_related(
        "org", "user"
    ):
        missing = unobserved_branches(grant.org, start).count()
        if not missing:
            continue
        total = branches_under(grant.org).count()
        _, created = enqueue_message(
            channel=Message.Channel.SITE,
            dedupe_key=f"observers:coverage:c{grant.org_id}:u{grant.user_id}:{stamp}",
            recipient=grant.user,
            org=grant.org,
            title="观察覆盖提醒",
            body=f"{grant.org.display_name}{period.label}共 {total} 个支部，尚有 {missing} 个支部未被观察员列席观察。",
        )
        counts["committees"] += int(created)
    return counts
