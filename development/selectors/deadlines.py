"""Each person's next deadline, computed from the rules (RULES.md §4), and the 到期提醒 list.

Two forms of the same computation: `dues_of` in Python for one person's file (every open duty), and
`with_next_due`, the next deadline as a database annotation (the same month arithmetic, clamped to the
month's last day) so that a province's lists and counts are one query. A test holds them equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Func,
    Max,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from development import defaults as d
from development import rules
from development.models import Person, PersonQuerySet, Stage


@dataclass(frozen=True)
class Due:
    """One dated duty of a person: what, by when, under which rule; `hard` when missing it is a breach."""

    label: str
    rule: str
    due_on: dt.date
    hard: bool = True

    def overdue_days(self, today: dt.date) -> int:
        return max((today - self.due_on).days, 0)

    def status(self, today: dt.date) -> str:
        if today > self.due_on:
            return "overdue"
        return "soon" if (self.due_on - today).days <= 7 else "later"


def dues_of(person: Person, last_assessed: dt.date | None = None) -> list[Due]:
    """The person's open duties, earliest first."""
    out: list[Due] = []
    stage = person.stage
    if stage == Stage.APPLICANT and not person.talked_on:
        out.append(Due("派人谈话", "D-03", rules.talk_due(person.applied_on)))
    elif stage == Stage.ACTIVIST and person.activist_on:
        held = [last_assessed] if last_assessed else []
        out.append(Due("培养考察（每半年）", "D-05", rules.next_assessment_due(person.activist_on, held)))
    elif stage == Stage.CANDIDATE:
        if person.resolution_on:
            warn_by, hard_by = rules.approval_deadlines(person.resolution_on)
            out.append(Due("党委审批（一般3个月内）", "D-13", warn_by, hard=False))
            out.append(Due("党委审批（最迟6个月）", "D-13", hard_by))
    elif stage == Stage.PROBATIONARY and person.probation_ends_on:
        if person.conversion_resolution_on:
            out.append(
                Due(
                    "党委审批转正等决议",
                    "D-17",
                    rules.conversion_approval_due(person.conversion_resolution_on),
                )
            )
        else:
            out.append(Due("预备期满，支部大会讨论转正", "D-16", person.probation_ends_on))
    return sorted(out, key=lambda d: d.due_on)


def next_due(person: Person, last_assessed: dt.date | None = None) -> Due | None:
    dues = dues_of(person, last_assessed)
    return dues[0] if dues else None


def next_steps(person: Person) -> list[str]:
    """What the branch does next, in words (the person's file)."""
    s = person.stage
    if s == Stage.APPLICANT:
        return ["登记谈话"] if not person.talked_on else ["支委会研究确定入党积极分子并报上级党委备案"]
    if s == Stage.ACTIVIST:
        steps = ["确定培养联系人", "每半年培养考察一次"]
        if person.activist_on:
            steps.append(f"{rules.candidate_earliest(person.activist_on):%Y-%m-%d}起可经公示确定为发展对象")
        return steps
    if s == Stage.CANDIDATE:
        if person.resolution_on:
            return ["上级党委派人谈话并审批"]
        todo = []
        if not person.review_passed:
            todo.append("政治审查")
        if not rules.training_enough(person.training_days, person.training_hours):
            todo.append("集中培训")
        if not person.pre_review_on:
            todo += ["确定入党介绍人", "报上级党委预审、发放入党志愿书"]
        todo += ["拟接收预备党员公示", "支部党员大会表决"]
        return todo
    if s == Stage.PROBATIONARY:
        todo = [] if person.oath_on else ["组织入党宣誓"]
        if person.conversion_resolution_on:
            todo.append("上级党委审批决议")
        else:
            todo.append(f"{person.probation_ends_on:%Y-%m-%d}预备期满，支部大会讨论转正")
        return todo
    return []


def open_with_assessment(qs: PersonQuerySet) -> PersonQuerySet:
    return qs.open().annotate(last_assessed=Max("assessments__held_on"))


def due_rows(
    qs: PersonQuerySet, *, today: dt.date, within_days: int = 30, only_overdue: bool = False
) -> list[tuple[Person, Due]]:
    """(person, next due) for the open people of `qs` due within `within_days` (or overdue), earliest
    first: the 到期提醒 list."""
    horizon = today + dt.timedelta(days=within_days)
    rows = []
    for person in iter_open(qs.select_related("org")):
        due = next_due(person, getattr(person, "last_assessed", None))
        if due is None or due.due_on > horizon or (only_overdue and due.due_on >= today):
            continue
        rows.append((person, due))
    return sorted(rows, key=lambda r: (r[1].due_on, r[0].pk))


def iter_open(qs: PersonQuerySet) -> Iterator[Person]:
    yield from open_with_assessment(qs).iterator(chunk_size=2000)


def all_dues(people: Iterable[Person]) -> Iterator[tuple[Person, Due]]:
    for person in people:
        for due in dues_of(person, getattr(person, "last_assessed", None)):
            yield person, due


class AddMonths(Func):
    """`expression` + `months` months, the month's last day when the day does not exist (rules.add_months)."""

    output_field = DateField()

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = int(months)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        n = self.months
        return (
            f"MIN(date({sql}, %s), date({sql}, 'start of month', %s, '-1 day'))",
            [*params, f"+{n} months", *params, f"+{n + 1} months"],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => %s))::date", [*params, self.months]


def with_next_due(qs: PersonQuerySet) -> PersonQuerySet:
    """The open people who have a next deadline, annotated with it: `next_due_on` and `next_rule` (the
    first of `dues_of`: D-03 talk, D-05 assessment, D-13 approval within 3 months, D-17, D-16)."""
    # The last assessment's date is a column kept by add_assessment: no subplan per person (PostgreSQL
    # otherwise plans a correlated subquery and, by its cost, a JIT compilation).
    since = Greatest(F("activist_on"), Coalesce(F("last_assessed_on"), F("activist_on")))
    applicant = Q(stage=Stage.APPLICANT, talked_on__isnull=True)
    activist = Q(stage=Stage.ACTIVIST, activist_on__isnull=False)
    candidate = Q(stage=Stage.CANDIDATE, resolution_on__isnull=False)
    converting = Q(stage=Stage.PROBATIONARY, conversion_resolution_on__isnull=False)
    probation = Q(stage=Stage.PROBATIONARY, probation_ends_on__isnull=False)
    return qs.filter(applicant | activist | candidate | probation).annotate(
        next_due_on=Case(
            When(applicant, then=AddMonths(F("applied_on"), d.TALK_WITHIN_MONTHS)),
            When(activist, then=AddMonths(since, d.ASSESSMENT_EVERY_MONTHS)),
            When(candidate, then=AddMonths(F("resolution_on"), d.APPROVAL_WARN_MONTHS)),
            When(converting, then=AddMonths(F("conversion_resolution_on"), d.CONVERSION_APPROVAL_MONTHS)),
            default=F("probation_ends_on"),
            output_field=DateField(),
        ),
        next_rule=Case(
            When(applicant, then=Value("D-03")),
            When(activist, then=Value("D-05")),
            When(candidate, then=Value("D-13")),
            When(converting, then=Value("D-17")),
            default=Value("D-16"),
            output_field=CharField(),
        ),
    )


def next_due_rows(qs: PersonQuerySet) -> Iterator[tuple[int, str, dt.date]]:
    """(person id, rule, next deadline) of every open person of `qs` with one, from the database."""
    annotated: Any = with_next_due(qs)  # the stubs do not see annotations through a function
    # By id, not the model's default ordering (a sort on three columns nobody reads here).
    yield from (
        annotated.order_by("pk").values_list("pk", "next_rule", "next_due_on").iterator(chunk_size=5000)
    )


def overdue_count(qs: PersonQuerySet, today: dt.date) -> int:
    """Open people of `qs` whose next deadline has passed (one query)."""
    annotated: Any = with_next_due(qs)
    return int(annotated.filter(next_due_on__lt=today).count())
