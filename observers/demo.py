"""Demo data of the observer system (太湖 model) for the generated demo county, after its orglife history.

`generate_observers_demo(seed=, scale=, today=)` writes, deterministically for a seed: candidates (组织推荐 /
个人自荐 / 双向选择) drawn from branch committee members with their joint-review opinions — all appointed except two
vetoed by an objection and one still under review; ~115 observers at county scale (~10 tiny) with numbered
letters and cards, spread over the 党(工)委 by their branch counts; trainings (last year for nearly all, this
year for most); a confirmed assignment plan per 党(工)委 for each half-year from the start of last year to the
current one (services.planner.propose, or when it assigns nothing a round-robin that skips the observer's
own branch); observations with evaluation forms over those half-years (linked to the branch's meeting
records where the history has them) with findings — reminders, corrections (orglife rectifications, source
观察员) and a couple of re-holds that stop the record counting — a fifth of the current half-year's branches
left unobserved so the coverage flags show, sign-ups for upcoming planned meetings; branch ratings of the
observers; and last year's confirmed annual assessment.

Writes go through the observers services as the system (actor None): register_candidate, record_opinion,
add_observers, change_status, add_training, add_confirmed_plan (propose_plan's draft where a committee's own
observers cannot cover every branch), add_observations, add_findings, add_ratings, add_sign_ups and confirm_assessment.
The findings (reminders, corrections with their rectifications, re-holds) go through `add_findings`, the
bulk path of the evaluation form's finding rules, as of the day each form was submitted; the demo login
is linked to its observer by `link_account`.

Does nothing if observers exist or the county has no orglife history. `link_demo_observer_user()` links the
demo login `observer` (accounts demo_logins) to the first observer; it is also called at the end here.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import (
    AssignmentPlan,
    BranchRating,
    Candidate,
    EvaluationItem,
    Observation,
    Observer,
    ReviewUnit,
)
from observers.services.assessment import confirm_assessment
from observers.services.coverage import branches_under, coverage_strata
from observers.services.observe import (
    PastFinding,
    add_findings,
    add_observations,
    add_sign_ups,
    half_period,
    half_start,
)
from observers.services.planner import PBranch, add_confirmed_plan, planner_observers, propose, propose_plan
from observers.services.ratings import add_ratings
from observers.services.roster import add_training, change_status, link_account
from observers.services.selection import add_observers, record_opinion, register_candidate
from orglife.models import MeetingRecord, MonthlyPlan, PlanItem
from orglife.periods import SHANGHAI, add_months
from orglife.rules import LIFE_KINDS
from orgs.demo import DEMO_COUNTY_CODE
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q

COUNTS = {"tiny": 10, "county": 115}
POSTS = (
    Position.Title.SECRETARY,
    Position.Title.DEPUTY_SECRETARY,
    Position.Title.ORGANIZATION,
    Position.Title.DISCIPLINE,
    Position.Title.PROPAGANDA,
)
OBJECTIONS = [
    ("信访", "近一年有涉及本人的信访举报尚未办结"),
    ("纪检监察", "本人曾受党内警告处分，影响期未满"),
]
PROBLEMS = [
    "会前未充分征求党员意见",
    "个别党员发言准备不足",
    "会议记录不够详实",
    "签到表与实到人数不一致",
    "批评与自我批评不够深入",
    "学习内容与本单位工作结合不紧",
    "上次发现问题的整改情况未通报",
]
TRAININGS = ["组织生活观察员专题培训", "党内法规与组织生活规范培训", "观察质量评价表使用培训"]


def _county() -> Organization | None:
    return (
        Organization.objects.filter(code=DEMO_COUNTY_CODE).first()
        or Organization.objects.filter(parent__isnull=True).order_by("path").first()
    )


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, at least one each (largest remainders)."""
    n = len(weights)
    base = [1] * n
    rest = max(0, total - n)
    whole = sum(weights) or 1
    raw = [rest * w / whole for w in weights]
    floors = [int(r) for r in raw]
    left = rest - sum(floors)
    for i in sorted(range(n), key=lambda i: raw[i] - floors[i], reverse=True)[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors, strict=True)]


def _assign(observers: list[Observer], branches: list[Organization], seed: int) -> dict[int, int]:
    """branch id → observer id: the planner when available, else a round-robin avoiding one's own unit."""
    proposal = propose(planner_observers(observers), [PBranch(b.pk, b.path) for b in branches], seed=seed)
    if proposal.assignments:
        return dict(proposal.assignments)
    out: dict[int, int] = {}
    k = 0
    for b in branches:
        for step in range(len(observers)):
            o = observers[(k + step) % len(observers)]
            if not b.path.startswith(o.member.org.path) and not o.member.org.path.startswith(b.path):
                out[b.pk] = o.pk
                k = (k + step + 1) % len(observers)
                break
    return out


def _grade(total: int) -> str:
    if total >= 90:
        return Observation.Grade.EXCELLENT
    if total >= 80:
        return Observation.Grade.GOOD
    if total >= 65:
        return Observation.Grade.FAIR
    return Observation.Grade.POOR


class _Gen:
    def __init__(self, seed: int, scale: str, today: dt.date, county: Organization) -> None:
        self.rng = random.Random(seed)
        self.seed, self.scale, self.today, self.county = seed, scale, today, county
        self.items = list(EvaluationItem.objects.filter(is_active=True).order_by("order", "id"))
        self.counts: dict[str, int] = defaultdict(int)
        self.now = timezone.now()

    def aware(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)

    # -- selection --------------------------------------------------------------------------------

    def observers(self) -> list[Observer]:
        rng = self.rng
        committees = coverage_strata(self.county)
        weights = [branches_under(c).count() for c in committees]
        shares = _shares(COUNTS.get(self.scale, 10), weights)
        units = list(ReviewUnit.objects.filter(is_active=True).order_by("order", "id"))
        last_year = self.today.year - 1
        appointed_on = dt.date(last_year, 3, 1)
        appointed: list[Candidate] = []
        taken: set[int] = set()
        rejected_left, reviewing_left = 2, 1
        for committee, share in zip(committees, shares, strict=True):
            pool = list(
                Position.objects.current()
                .filter(
                    under_path_q(committee.path, "org__path"),
                    title__in=POSTS,
                    member__status=Member.Status.NORMAL,
                    member__category="full",
                )
                .order_by("member_id")
                .values_list("member_id", flat=True)
                .distinct()
            )
            pool = [m for m in dict.fromkeys(pool) if m not in taken]
            rng.shuffle(pool)
            extra = (1 if rejected_left else 0) + (1 if reviewing_left and committee == committees[-1] else 0)
            members = {
                m.pk: m for m in Member.objects.filter(pk__in=pool[: share + extra]).select_related("org")
            }
            for i, member_id in enumerate(pool[: share + extra]):
                member = members[member_id]
                taken.add(member_id)
                source = rng.choice(Candidate.Source.values)
                years = Decimal(rng.randint(30, 180)) / 10
                if i >= share and rejected_left:
                    status, objection = Candidate.Status.REJECTED, OBJECTIONS[rejected_left - 1]
                    rejected_left -= 1
                elif i >= share:
                    status, objection = Candidate.Status.REVIEWING, None
                    reviewing_left -= 1
                else:
                    status, objection = Candidate.Status.APPOINTED, None
                cand = register_candidate(
                    actor=None,
                    member=member,
                    committee=committee,
                    source=source,
                    party_work_years=years,
                    background=f"{member.org.display_name}党务工作{years}年，熟悉组织生活制度。",
                )
                for u, unit in enumerate(units):
                    if status == Candidate.Status.REVIEWING and u >= 2:
                        break
                    bad = objection is not None and unit.name == objection[0]
                    record_opinion(
                        actor=None,
                        candidate=cand,
                        unit=unit,
                        opinion="object" if bad else "agree",
                        note=objection[1] if objection is not None and bad else "经审查，无异议",
                        reviewer_name=f"{unit.name}审查人",
                    )
                    if bad:  # one objection rejects the candidate: the review ends there
                        break
                self.counts["candidates"] += 1
                if status == Candidate.Status.APPOINTED:
                    appointed.append(cand)
        add_observers(actor=None, candidates=appointed, appointed_on=appointed_on)
        out = list(
            Observer.objects.select_related("member__org", "committee").order_by("committee__path", "id")
        )
        if len(out) > 20:  # dynamic management: one suspended, one retired this year
            change_status(
                actor=None, observer=out[-1], status=Observer.Status.RETIRED, note="工作调动，退出观察员队伍"
            )
            change_status(
                actor=None, observer=out[-2], status=Observer.Status.SUSPENDED, note="长期外出培训，暂停观察"
            )
        self.counts["observers"] = len(out)
        return out

    def trainings(self, observers: list[Observer]) -> None:
        sessions: dict[tuple[dt.date, str], list[Observer]] = defaultdict(list)
        for o in observers:
            for year, chance in ((self.today.year - 1, 0.93), (self.today.year, 0.8)):
                if self.rng.random() < chance:
                    day = dt.date(year, self.rng.choice([3, 4, 5]), self.rng.randint(1, 28))
                    if day <= self.today:
                        sessions[(day, self.rng.choice(TRAININGS))].append(o)
        for (day, title), attended in sorted(sessions.items()):
            add_training(actor=None, observers=attended, held_on=day, title=title, hours=Decimal(4))
        self.counts["trainings"] = sum(len(attended) for attended in sessions.values())

    # -- plans --------------------------------------------------------------------------------------

    def plans(self, observers: list[Observer], halves: list[dt.date]) -> dict[dt.date, dict[int, int]]:
        """Confirmed plans per 党(工)委 and half-year (a draft where the committee's observers cannot cover
        every branch); returns half → {branch id: observer id} of the confirmed plans."""
        by_committee: dict[int, list[Observer]] = defaultdict(list)
        for o in observers:
            if o.status == Observer.Status.ACTIVE:
                by_committee[o.committee_id].append(o)
        out: dict[dt.date, dict[int, int]] = {}
        for half in halves:
            mapping: dict[int, int] = {}
            for committee in coverage_strata(self.county):
                mine = by_committee.get(committee.pk, [])
                branches = list(branches_under(committee).filter(kind__in=LIFE_KINDS).order_by("path"))
                if not mine or not branches:
                    continue
                seed = self.seed * 1000 + half.year * 10 + half.month
                assigned = _assign(mine, branches, seed)
                if set(assigned) != {b.pk for b in branches}:
                    # Its own observers cannot cover every branch (one sits in the only other unit):
                    # confirm_plan would refuse, so the planner's proposal stays a draft, observed under by none.
                    propose_plan(actor=None, scope=committee, half_start=half, seed=seed)
                    self.counts["draft_plans"] += 1
                    continue
                add_confirmed_plan(
                    actor=None,
                    scope=committee,
                    half_start=half,
                    seed=seed,
                    assignments=assigned,
                    confirmed_at=self.aware(add_months(half, -1) + dt.timedelta(days=24)),
                )
                mapping.update(assigned)
                self.counts["assignments"] += len(assigned)
            out[half] = mapping
        return out

    # -- observations ------------------------------------------------------------------------------

    def form(self, quality: float) -> tuple[dict[int, int], int]:
        scores = {}
        for item in self.items:
            low = max(0, round(item.max_score * quality))
            scores[item.pk] = self.rng.randint(min(low, item.max_score), item.max_score)
        return scores, sum(scores.values())

    def observations(
        self, halves: list[dt.date], plans: dict[dt.date, dict[int, int]], observers: list[Observer]
    ) -> list[Observation]:
        rng = self.rng
        current = half_start(self.today)
        # Diligence per observer: a few excellent (two visits per branch), a few who skip a half-year.
        diligence = {o.pk: rng.choices(["keen", "normal", "lax"], weights=[18, 76, 6])[0] for o in observers}
        records: dict[tuple[int, dt.date], list[tuple[int, dt.date, str, int | None]]] = defaultdict(list)
        lo = halves[0]
        for pk, org_id, started, kind_of, linked_item in MeetingRecord.objects.filter(
            status=MeetingRecord.Status.APPROVED,
            counts=True,
            month__gte=lo,
            org__in=Organization.objects.filter(under_path_q(self.county.path)),
        ).values_list("pk", "org_id", "started_at", "meeting_type", "plan_item_id"):
            day = timezone.localtime(started, SHANGHAI).date()
            records[(org_id, half_start(day))].append((pk, day, kind_of, linked_item))
        rows: list[Observation] = []
        for half in halves:
            period = half_period(half)
            end = min(period.end, self.today - dt.timedelta(days=1))
            for branch_id, observer_id in sorted(plans[half].items()):
                mood = diligence[observer_id]
                if half == current:
                    visits = 0 if rng.random() < 0.22 else 1
                elif mood == "lax" and half.month == 7:
                    visits = 0
                elif mood == "keen":
                    visits = 2
                else:
                    visits = 1
                held = list(records.get((branch_id, half), []))
                rng.shuffle(held)
                for _v in range(visits):
                    record_id: int | None
                    if held:
                        record_id, day, mtype, item_id = held.pop()
                    else:
                        record_id, item_id, mtype = None, None, "theme_day"
                        span = (end - period.start).days
                        if span < 0:
                            continue
                        day = period.start + dt.timedelta(days=rng.randint(0, span))
                    scores, total = self.form(0.8 if mood != "lax" else 0.55)
                    kind = rng.choices(Observation.Kind.values, weights=[5, 10, 45, 10, 25, 5])[0]
                    rows.append(
                        Observation(
                            observer_id=observer_id,
                            branch_id=branch_id,
                            plan_item_id=item_id,
                            record_id=record_id,
                            kind=kind,
                            meeting_type=mtype,
                            observed_on=day,
                            status=Observation.Status.SUBMITTED,
                            scores=scores,
                            total=total,
                            grade=_grade(total),
                            submitted_at=self.aware(day, 18),
                        )
                    )
        add_observations(actor=None, rows=rows, today=self.today)
        self.counts["observations"] = len(rows)
        return list(Observation.objects.filter(status=Observation.Status.SUBMITTED).select_related("branch"))

    def findings(self, observations: list[Observation]) -> None:
        """About one form in five carries a finding (现场提醒, 责令纠正); two recent ones with the lowest
        totals order the meeting re-held. Written through `add_findings`, as the observers wrote them."""
        rng = self.rng
        current = half_start(self.today)
        recent = sorted(
            (o for o in observations if o.record_id and o.observed_on >= add_months(current, -1)),
            key=lambda o: (o.total or 0, o.pk),
        )
        rehold = {o.pk for o in recent[:2]}
        found: list[PastFinding] = []
        for o in observations:
            roll = rng.random()
            if o.pk in rehold:
                found.append(
                    PastFinding(
                        o, Observation.Finding.REHOLD, "会议未按计划主题召开，程序走过场", "要求支部重新召开"
                    )
                )
                self.counts["reholds"] += 1
            elif roll < 0.05:
                overdue_ok = o.observed_on < self.today - dt.timedelta(days=45)
                found.append(
                    PastFinding(
                        o,
                        Observation.Finding.CORRECTION,
                        "\n".join(rng.sample(PROBLEMS, 2)),
                        deadline=o.observed_on + dt.timedelta(days=30),
                        evidence="已按要求整改并在支部党员大会上通报" if overdue_ok else "",
                        closed_at=self.aware(o.observed_on + dt.timedelta(days=20)) if overdue_ok else None,
                    )
                )
                self.counts["corrections"] += 1
            elif roll < 0.20:
                found.append(
                    PastFinding(
                        o,
                        Observation.Finding.REMINDER,
                        rng.choice(PROBLEMS),
                        "已现场提醒支部书记，当场予以纠正",
                    )
                )
                self.counts["reminders"] += 1
        add_findings(actor=None, findings=found)

    def ratings(self, observations: list[Observation]) -> None:
        rows = []
        for o in observations:
            if self.rng.random() < 0.85:
                score = self.rng.choices([5, 4, 3, 2], weights=[70, 24, 5, 1])[0]
                rows.append(
                    BranchRating(
                        observation=o, score=score, comment="认真负责，指导到位" if score >= 4 else ""
                    )
                )
        add_ratings(actor=None, rows=rows)
        self.counts["ratings"] = len(rows)

    def sign_ups(self, plans: dict[dt.date, dict[int, int]]) -> None:
        current = half_start(self.today)
        mapping = plans.get(current, {})
        items = list(
            PlanItem.objects.filter(
                plan__org_id__in=list(mapping),
                plan__status=MonthlyPlan.Status.APPROVED,
                planned_on__gte=self.today,
                planned_on__lte=min(self.today + dt.timedelta(days=30), half_period(current).end),
            )
            .select_related("plan")
            .order_by("planned_on", "id")
        )
        rows = [
            Observation(observer_id=mapping[i.plan.org_id], plan_item=i, kind=Observation.Kind.DESIGNATED)
            for i in items
            if self.rng.random() < 0.25
        ]
        add_sign_ups(actor=None, rows=rows, today=self.today)
        self.counts["sign_ups"] = len(rows)

    def assessments(self, observers: list[Observer]) -> None:
        year = self.today.year - 1
        rows = [
            confirm_assessment(actor=None, observer=o, year=year, note="经党(工)委会议研究确定")
            for o in observers
            if o.appointed_on.year <= year
        ]
        self.counts["assessments"] = len(rows)

    def pending_form(self, observer: Observer, plans: dict[dt.date, dict[int, int]]) -> None:
        """The demo observer has a meeting attended a few days ago whose form is still to fill in."""
        branches = [b for b, o in plans.get(half_start(self.today), {}).items() if o == observer.pk]
        record = (
            MeetingRecord.objects.filter(
                org_id__in=branches,
                status=MeetingRecord.Status.APPROVED,
                counts=True,
                started_at__lt=self.aware(self.today, 0),
                started_at__gte=self.aware(self.today - dt.timedelta(days=40), 0),
                plan_item__isnull=False,
            )
            .exclude(observations__isnull=False)
            .order_by("-started_at")
            .first()
        )
        if record is None or record.plan_item is None or record.plan_item.planned_on is None:
            return
        # Signed up a week before the meeting, which has been held since: the form is still to fill in.
        signed_up_on = record.plan_item.planned_on - dt.timedelta(days=7)
        row = Observation(observer=observer, plan_item=record.plan_item, kind=Observation.Kind.DESIGNATED)
        add_sign_ups(actor=None, rows=[row], today=signed_up_on)
        self.counts["sign_ups"] += 1


def demo_observer() -> Observer | None:
    """The observer the demo login plays: the first active one with branches this half-year."""
    return (
        Observer.objects.filter(
            status=Observer.Status.ACTIVE,
            assignments__plan__half_start=half_start(),
            assignments__plan__status=AssignmentPlan.Status.CONFIRMED,
        )
        .order_by("committee__path", "id")
        .first()
    )


def link_demo_observer_user() -> Observer | None:
    """Link the demo login `observer` (demo_logins) to the first active observer with assigned branches."""
    user = User.objects.filter(username="observer").first()
    if user is None:
        return None
    linked = Observer.objects.filter(user=user).first()
    if linked is not None:
        return linked
    observer = demo_observer()
    if observer is None or observer.user_id is not None:
        return None
    return link_account(actor=None, observer=observer, user=user)


def generate_observers_demo(
    *, seed: int, scale: str, today: dt.date | None = None, stdout: Any = None
) -> dict[str, Any]:
    started = time.perf_counter()
    today = today or timezone.localdate()
    county = _county()
    if county is None:
        return {"skipped": True, "reason": "尚无组织数据，请先运行 generate_demo"}
    if Observer.objects.exists() or Candidate.objects.exists():
        linked = link_demo_observer_user()
        return {"skipped": True, "reason": "已有观察员数据", "linked": linked is not None}
    if not MeetingRecord.objects.exists():
        return {"skipped": True, "reason": "尚无组织生活记录，请先生成组织生活演示数据"}
    gen = _Gen(seed, scale, today, county)
    current = half_start(today)
    halves = [dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 7, 1)]
    halves += [h for h in (dt.date(today.year, 1, 1), dt.date(today.year, 7, 1)) if h <= current]
    with transaction.atomic():
        observers = gen.observers()
        gen.trainings(observers)
        plans = gen.plans(observers, halves)
        submitted = gen.observations(halves, plans, observers)
        gen.findings(submitted)
        gen.ratings(submitted)
        gen.sign_ups(plans)
        gen.assessments(observers)
        linked = link_demo_observer_user()
        first = demo_observer()
        if first is not None:
            gen.pending_form(first, plans)
    result = {
        "skipped": False,
        "seed": seed,
        "scale": scale,
        **gen.counts,
        "linked": linked is not None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    record_event(
        actor=None,
        actor_name="observers_demo",
        action=AuditEvent.Action.IMPORT,
        target_repr="观察员演示数据",
        summary={k: v for k, v in result.items() if isinstance(v, int | float | str)},
    )
    if stdout is not None:
        stdout.write(f"观察员：{result}")
    return result
