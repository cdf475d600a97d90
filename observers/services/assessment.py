"""年度考核 and 工作津贴 (以奖代补): the evidence per observer, a proposed grade, the committee's confirmation,
the allowance per grade (settings), the per-committee payment list with totals, its .xlsx export, and the
observers flagged for commendation (履职好、支部评价高 优先推荐评优).

The proposed grade (the committee confirms or overrides it with a note):

* 优秀 — at least two submitted forms per assigned branch-half-year of the year (2 × assignments in confirmed
  plans), an average branch rating of 4.5 or more (at least one rating), and at least one training in the year;
* 不称职 — fewer than one submitted form in any half-year the observer served (a half-year with an assignment
  in a confirmed plan; a half-year still under way counts only once it has ended or has a form); an observer
  with no assignment at all in the year is judged on the half-years after appointment in the same way;
* 称职 — everyone else.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event, snapshot
from observers.models import AnnualAssessment, Assignment, AssignmentPlan, BranchRating, Observation, Observer
from observers.services.coverage import coverage_strata
from orglife.periods import HALF, Period, local_today
from orgs import spreadsheets
from orgs.access import covers
from orgs.models import Organization
from orgs.paths import under_path_q

Grade = AnnualAssessment.Grade
EXCELLENT_FORMS_PER_ASSIGNMENT = 2
EXCELLENT_MIN_RATING = 4.5


def allowance_for(grade: str) -> Decimal:
    if grade == Grade.EXCELLENT:
        return Decimal(settings.OBSERVER_ALLOWANCE_EXCELLENT)
    if grade == Grade.COMPETENT:
        return Decimal(settings.OBSERVER_ALLOWANCE_COMPETENT)
    return Decimal(0)


def default_year(today: dt.date | None = None) -> int:
    """The year assessed by default: this year from December on, before that the last one."""
    today = today or local_today()
    return today.year if today.month == 12 else today.year - 1


def halves_of(year: int) -> list[dt.date]:
    return [dt.date(year, 1, 1), dt.date(year, 7, 1)]


def evidence_for(observer: Observer, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The grading evidence of one observer for one year (stored with the assessment)."""
    today = today or local_today()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    assigned = list(
        Assignment.objects.filter(
            observer=observer, plan__status=AssignmentPlan.Status.CONFIRMED, plan__half_start__year=year
        ).values_list("plan__half_start", "branch_id")
    )
    observations = Observation.objects.filter(observer=observer, observed_on__gte=start, observed_on__lte=end)
    submitted = observations.filter(status=Observation.Status.SUBMITTED)
    per_half = {f"{h:%Y-%m}": 0 for h in halves_of(year)}
    for day in submitted.values_list("observed_on", flat=True):
        per_half[f"{Period.containing(HALF, day).start:%Y-%m}"] += 1
    ratings = BranchRating.objects.filter(observation__in=submitted).aggregate(
        n=Count("id"), avg=Avg("score")
    )
    findings = dict(
        submitted.exclude(finding=Observation.Finding.NONE)
        .values_list("finding")
        .annotate(n=Count("id"))
        .values_list("finding", "n")
    )
    trainings = observer.trainings.filter(held_on__gte=start, held_on__lte=end).aggregate(
        n=Count("id"), hours=Sum("hours")
    )
    served = sorted({f"{h:%Y-%m}" for h, _ in assigned})
    if not served:
        served = [f"{h:%Y-%m}" for h in halves_of(year) if Period(h, HALF).end >= observer.appointed_on]
    judged = [
        h
        for h in served
        if per_half.get(h, 0) > 0 or Period(dt.date(int(h[:4]), int(h[5:]), 1), HALF).end < today
    ]
    avg = ratings["avg"]
    return {
        "year": year,
        "assigned_branch_halves": len(assigned),
        "halves_served": served,
        "halves_judged": judged,
        "observations": observations.exclude(status=Observation.Status.CANCELLED)
        .filter(observed_on__lte=today)
        .count(),
        "forms": submitted.count(),
        "per_half": per_half,
        "ratings": ratings["n"],
        "avg_rating": round(float(avg), 2) if avg is not None else None,
        "trainings": trainings["n"],
        "training_hours": float(trainings["hours"] or 0),
        "findings": findings,
        "findings_total": sum(findings.values()),
    }


def proposed_grade(evidence: dict[str, Any]) -> str:
    """The documented rule (module docstring) applied to `evidence_for`'s result."""
    if any(evidence["per_half"].get(h, 0) < 1 for h in evidence["halves_judged"]):
        return Grade.INCOMPETENT
    assigned = evidence["assigned_branch_halves"]
    avg = evidence["avg_rating"]
    if (
        assigned > 0
        and evidence["forms"] >= EXCELLENT_FORMS_PER_ASSIGNMENT * assigned
        and avg is not None
        and avg >= EXCELLENT_MIN_RATING
        and evidence["trainings"] >= 1
    ):
        return Grade.EXCELLENT
    return Grade.COMPETENT


def assessed_observers(root: Organization, year: int) -> QuerySet[Observer]:
    """Observers of 党(工)委 under `root` appointed by the year's end; a retired observer only if they worked
    (an observation or an assignment) that year."""
    worked = Observation.objects.filter(observed_on__year=year).values("observer_id")
    assigned = Assignment.objects.filter(plan__half_start__year=year).values("observer_id")
    return (
        Observer.objects.filter(
            under_path_q(root.path, "committee__path"), appointed_on__lte=dt.date(year, 12, 31)
        )
        .exclude(Q(status=Observer.Status.RETIRED) & ~Q(pk__in=worked) & ~Q(pk__in=assigned))
        .select_related("member", "committee")
        .order_by("committee__path", "letter_number")
    )


@dataclass
class Proposal:
    observer: Observer
    evidence: dict[str, Any]
    proposed: str
    assessment: AnnualAssessment | None

    @property
    def proposed_display(self) -> str:
        return Grade(self.proposed).label


def proposals(root: Organization, year: int, today: dt.date | None = None) -> list[Proposal]:
    observers = list(assessed_observers(root, year))
    done = {a.observer_id: a for a in AnnualAssessment.objects.filter(year=year, observer__in=observers)}
    out = []
    for o in observers:
        ev = evidence_for(o, year, today)
        out.append(Proposal(o, ev, proposed_grade(ev), done.get(o.pk)))
    return out


def require_assessor(actor: User | None, observer: Observer) -> None:
    """`actor` None is the system itself (the demo generator, a command run by an operator)."""
    if actor is not None and not covers(actor, observer.committee.path, write=True):
        raise PermissionDenied("只有所属党(工)委或组织部可以考核观察员")


@transaction.atomic
def confirm_assessment(
    *, actor: User | None, observer: Observer, year: int, grade: str | None = None, note: str = ""
) -> AnnualAssessment:
    """Confirm the proposed grade (grade None) or override it (a note is then required); sets the allowance."""
    require_assessor(actor, observer)
    evidence = evidence_for(observer, year)
    proposed = proposed_grade(evidence)
    grade = grade or proposed
    errors: dict[str, str] = {}
    if grade not in Grade.values:
        errors["grade"] = "请选择考核等次"
    elif grade != proposed and not note.strip():
        errors["note"] = f"调整建议等次（{Grade(proposed).label}）时请填写考核意见"
    if year > local_today().year:
        errors["year"] = "不能考核未来的年度"
    if errors:
        raise ValidationError(errors)
    evidence["proposed"] = proposed
    existing = lock_rows(AnnualAssessment.objects).filter(observer=observer, year=year).first()
    fields = ["grade", "allowance", "commended", "note"]
    before = snapshot(existing, fields) if existing else None
    assessment = existing or AnnualAssessment(observer=observer, year=year)
    assessment.committee = observer.committee
    assessment.grade = grade
    assessment.evidence = evidence
    assessment.allowance = allowance_for(grade)
    assessment.commended = grade == Grade.EXCELLENT
    assessment.note = note.strip()
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
        target=assessment,
        org=observer.committee,
        summary={
            "what": "observer_assessed",
            "year": year,
            "proposed": proposed,
            "before": before,
            "after": snapshot(assessment, fields),
        },
    )
    return assessment


@transaction.atomic
def confirm_proposed(*, actor: User, root: Organization, year: int) -> int:
    """Confirm the proposed grade of every observer under `root` not yet assessed that year (that the actor may)."""
    count = 0
    for p in proposals(root, year):
        if p.assessment is None and covers(actor, p.observer.committee.path, write=True):
            confirm_assessment(actor=actor, observer=p.observer, year=year)
            count += 1
    return count


# ---------------------------------------------------------------- allowance list


@dataclass
class CommitteeAllowance:
    committee: Organization
    excellent: int
    competent: int
    incompetent: int
    total: Decimal

    @property
    def assessed(self) -> int:
        return self.excellent + self.competent + self.incompetent


def allowance_rows(
    root: Organization, year: int, user: User | None = None
) -> tuple[list[CommitteeAllowance], Decimal]:
    """Per 党(工)委 under `root`: observers per grade and the allowance to pay; and the grand total."""
    qs = AnnualAssessment.objects.filter(year=year).filter(under_path_q(root.path, "committee__path"))
    if user is not None:
        qs = qs.visible_to(user)
    counts: dict[int, dict[str, int]] = {}
    totals: dict[int, Decimal] = {}
    for committee_id, grade, n, amount in (
        qs.values("committee_id", "grade")
        .annotate(n=Count("id"), amount=Sum("allowance"))
        .values_list("committee_id", "grade", "n", "amount")
    ):
        counts.setdefault(committee_id, {})[grade] = n
        totals[committee_id] = totals.get(committee_id, Decimal(0)) + (amount or Decimal(0))
    committees = {o.pk: o for o in Organization.objects.filter(pk__in=list(counts)).order_by("path")}
    rows = [
        CommitteeAllowance(
            c,
            counts[pk].get(Grade.EXCELLENT, 0),
            counts[pk].get(Grade.COMPETENT, 0),
            counts[pk].get(Grade.INCOMPETENT, 0),
            totals[pk],
        )
        for pk, c in sorted(committees.items(), key=lambda kv: kv[1].path)
    ]
    return rows, sum((r.total for r in rows), Decimal(0))


def commended(root: Organization, year: int, user: User | None = None) -> QuerySet[AnnualAssessment]:
    qs = AnnualAssessment.objects.filter(year=year, commended=True).filter(
        under_path_q(root.path, "committee__path")
    )
    if user is not None:
        qs = qs.visible_to(user)
    return qs.select_related("observer__member", "committee").order_by(
        "committee__path", "observer__letter_number"
    )


def export_allowance(*, actor: User, root: Organization, year: int) -> bytes:
    """The 以奖代补 payment list as .xlsx: one row per assessed observer, subtotals per 党(工)委; audited."""
    wb = Workbook()
    ws = cast(Worksheet, wb.active)
    ws.title = f"{year}年度观察员津贴"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FCE4E4")
    spreadsheets.append(
        ws, [f"{root.display_name} {year} 年度组织生活观察员考核及工作津贴（以奖代补）发放表"]
    )
    ws["A1"].font = Font(bold=True, size=13)
    header = [
        "党(工)委",
        "观察员",
        "聘书编号",
        "考核等次",
        "工作津贴（元）",
        "优先推荐评优",
        "列席次数",
        "提交评价表",
        "支部评价均分",
        "培训次数",
        "考核意见",
    ]
    spreadsheets.append(ws, header)
    for cell in ws[2]:
        cell.font, cell.fill = bold, fill
    rows = (
        AnnualAssessment.objects.filter(year=year)
        .filter(under_path_q(root.path, "committee__path"))
        .visible_to(actor)
        .select_related("observer__member", "committee")
        .order_by("committee__path", "observer__letter_number")
    )
    current: Organization | None = None
    subtotal = Decimal(0)
    total = Decimal(0)
    count = 0

    def close(committee: Organization | None) -> None:
        if committee is not None:
            spreadsheets.append(ws, [f"{committee.display_name} 小计", "", "", "", float(subtotal)])
            for cell in ws[ws.max_row]:
                cell.font = bold

    for a in rows:
        if current is None or a.committee_id != current.pk:
            close(current)
            current, subtotal = a.committee, Decimal(0)
        ev = a.evidence or {}
        spreadsheets.append(
            ws,
            [
                a.committee.display_name,
                a.observer.member.name,
                a.observer.letter_number,
                a.get_grade_display(),
                float(a.allowance),
                "是" if a.commended else "",
                ev.get("observations", ""),
                ev.get("forms", ""),
                ev.get("avg_rating") if ev.get("avg_rating") is not None else "",
                ev.get("trainings", ""),
                a.note,
            ],
        )
        subtotal += a.allowance
        total += a.allowance
        count += 1
    close(current)
    spreadsheets.append(ws, ["合计", f"{count} 人", "", "", float(total)])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for col, width in zip("ABCDEFGHIJK", (26, 10, 16, 10, 14, 12, 10, 10, 12, 10, 30), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target=root,
        org=root,
        summary={"what": "observer_allowance", "year": year, "observers": count, "total": str(total)},
    )
    return out.getvalue()


def strata(root: Organization) -> list[Organization]:
    return coverage_strata(root)
