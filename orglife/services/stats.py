"""Completion stats upkeep and the ledger export: CompletionStat rows are rebuilt from plans, records and
attendance (so re-running, or a late record, keeps them right), per branch-month or in batches."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from orglife.models import Attendance, CompletionStat, MeetingRecord, MonthlyPlan, PlanItem
from orglife.periods import Period, add_months, first_of_month, local_today
from orglife.rules import LIFE_KINDS, due_in, groups_of, requirements, ruleset_for
from orglife.selectors.stats import counting_records, ledger
from orglife.services.rollups import deferred_sync, lock_branches, sync_branch, sync_branches
from orgs import spreadsheets
from orgs.access import covers
from orgs.models import Organization
from orgs.paths import under_path_q

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@transaction.atomic
def refresh_branch_month(org: Organization, month: dt.date) -> list[CompletionStat]:
    """Recompute the branch's stats for one month from plans, records and attendance, and carry the
    difference into the rollups of the branch and its ancestors (orglife.services.rollups)."""
    month = first_of_month(month)
    if org.kind not in LIFE_KINDS:
        return []
    lock_branches([org])  # two refreshes of one branch must not both add the same difference
    ruleset = ruleset_for(month)
    groups = groups_of(org)
    reqs = requirements(org, month, ruleset=ruleset, groups=groups)

    held_month = Counter(
        dict(
            counting_records(org, month, month)
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    unplanned = Counter(
        dict(
            counting_records(org, month, month)
            .filter(plan_item__isnull=True)
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    planned = Counter(
        dict(
            PlanItem.objects.filter(
                plan__org=org, plan__month=month, plan__status=MonthlyPlan.Status.APPROVED
            )
            .values_list("meeting_type")
            .annotate(n=Count("id"))
            .values_list("meeting_type", "n")
        )
    )
    required: Counter[str] = Counter()
    credited: Counter[str] = Counter()
    for req in reqs:
        if not due_in(req, month):
            continue
        required[req.meeting_type] += req.min_count
        in_period = counting_records(org, req.period.start, req.period.months[-1]).filter(
            meeting_type=req.meeting_type
        )
        if req.group is not None:
            in_period = in_period.filter(group=req.group)
        credited[req.meeting_type] += min(req.min_count, in_period.count())

    att = (
        Attendance.objects.filter(record__in=counting_records(org, month, month))
        .values_list("record__meeting_type")
        .annotate(
            due=Count("id", filter=~Q(status=Attendance.Status.EXEMPT)),
            present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
        )
    )
    attendance = {t: (due, present) for t, due, present in att}

    rows = []
    types = set(required) | set(held_month) | set(planned)
    CompletionStat.objects.filter(org=org, month=month).exclude(meeting_type__in=types).delete()
    for meeting_type in sorted(types):
        due, present = attendance.get(meeting_type, (0, 0))
        row, _ = CompletionStat.objects.update_or_create(
            org=org,
            month=month,
            meeting_type=meeting_type,
            defaults={
                "org_path": org.path,
                "required": required[meeting_type],
                "planned": planned[meeting_type],
                "held": held_month[meeting_type],
                "credited": credited[meeting_type],
                "unplanned": unplanned[meeting_type],
                "attendance_due": due,
                "attendance_present": present,
            },
        )
        rows.append(row)
    sync_branch(org, month)
    return rows


def rebuild_stats(*, orgs: Sequence[Organization], months: Iterable[dt.date]) -> int:
    """Bulk path of `refresh_branch_month`: every branch-month of `orgs` × `months` in a handful of
    grouped queries (the single path needs ~20 per branch-month, too slow for a county-year).

    The same rule functions decide the numbers (`requirements`, `due_in`, `ruleset_for`; the groups
    and the counting records are those of `groups_of` and `counting_records`); the rows of those
    branch-months are replaced. Returns the rows written. Like `refresh_stats`, no audit row.
    """
    orgs = [o for o in orgs if o.kind in LIFE_KINDS]
    month_list = sorted({first_of_month(m) for m in months})
    if not orgs or not month_list:
        return 0
    org_ids = [o.pk for o in orgs]
    rulesets = {m: ruleset_for(m) for m in month_list}
    prefetch_related_objects(list(rulesets.values()), "rules")
    groups: dict[int, list[Organization]] = defaultdict(list)
    for g in Organization.objects.filter(
        parent_id__in=org_ids, kind=Organization.Kind.GROUP, is_active=True
    ).order_by("path"):
        groups[g.parent_id].append(g)  # type: ignore[index]
    lo, hi = month_list[0], month_list[-1]
    # The widest period is a year, so credits reach back eleven months before the first month.
    counting = MeetingRecord.objects.filter(
        org_id__in=org_ids,
        status=MeetingRecord.Status.APPROVED,
        counts=True,
        month__gte=add_months(lo, -11),
        month__lte=hi,
    )
    held: dict[tuple[int, dt.date, str, int | None], int] = {}
    held_month: Counter[tuple[int, dt.date, str]] = Counter()
    unplanned: Counter[tuple[int, dt.date, str]] = Counter()
    for org_id, month, meeting_type, group_id, n, n_unplanned in counting.values_list(
        "org_id", "month", "meeting_type", "group_id"
    ).annotate(n=Count("id"), u=Count("id", filter=Q(plan_item__isnull=True))):
        held[(org_id, month, meeting_type, group_id)] = n
        held_month[(org_id, month, meeting_type)] += n
        unplanned[(org_id, month, meeting_type)] += n_unplanned
    planned: Counter[tuple[int, dt.date, str]] = Counter(
        {
            (org_id, month, t): n
            for org_id, month, t, n in PlanItem.objects.filter(
                plan__org_id__in=org_ids,
                plan__month__in=month_list,
                plan__status=MonthlyPlan.Status.APPROVED,
            )
            .values_list("plan__org_id", "plan__month", "meeting_type")
            .annotate(n=Count("id"))
        }
    )
    attendance = {
        (org_id, month, t): (due, present)
        for org_id, month, t, due, present in Attendance.objects.filter(
            record__in=counting.filter(month__in=month_list)
        )
        .values_list("record__org_id", "record__month", "record__meeting_type")
        .annotate(
            due=Count("id", filter=~Q(status=Attendance.Status.EXEMPT)),
            present=Count("id", filter=Q(status=Attendance.Status.PRESENT)),
        )
    }
    seen: dict[tuple[int, dt.date], set[str]] = defaultdict(set)  # held or planned that month
    for org_id, month, t in [*held_month, *planned]:
        seen[(org_id, month)].add(t)
    rows: list[CompletionStat] = []
    for org in orgs:
        for month in month_list:
            required: Counter[str] = Counter()
            credited: Counter[str] = Counter()
            for req in requirements(org, month, ruleset=rulesets[month], groups=groups[org.pk]):
                if not due_in(req, month):
                    continue
                required[req.meeting_type] += req.min_count
                n = sum(
                    held_month[(org.pk, m, req.meeting_type)]
                    if req.group is None
                    else held.get((org.pk, m, req.meeting_type, req.group.pk), 0)
                    for m in req.period.months
                )
                credited[req.meeting_type] += min(req.min_count, n)
            for t in sorted(set(required) | seen[(org.pk, month)]):
                key = (org.pk, month, t)
                due, present = attendance.get(key, (0, 0))
                rows.append(
                    CompletionStat(
                        org=org,
                        org_path=org.path,
                        month=month,
                        meeting_type=t,
                        required=required[t],
                        planned=planned[key],
                        held=held_month[key],
                        credited=credited[t],
                        unplanned=unplanned[key],
                        attendance_due=due,
                        attendance_present=present,
                    )
                )
    with transaction.atomic():
        lock_branches(orgs)
        CompletionStat.objects.filter(org_id__in=org_ids, month__in=month_list).delete()
        CompletionStat.objects.bulk_create(rows, batch_size=500)
        sync_branches(orgs, month_list)
    return len(rows)


@transaction.atomic
def refresh_after_change(org: Organization, month: dt.date) -> None:
    """A record or plan of `month` changed: refresh that month and the months where its periods fall due."""
    month = first_of_month(month)
    months = {month}
    today = first_of_month(local_today())
    for kind in ("quarter", "half", "year"):
        last = Period.containing(kind, month).months[-1]
        if last <= today:
            months.add(last)
    with deferred_sync():  # one sync for the months: the quarter and year rows are touched once
        for m in sorted(months):
            refresh_branch_month(org, m)


def refresh_stats(
    *,
    months: Iterable[dt.date],
    under: Organization | None = None,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild CompletionStat for every branch (under `under`) and month; returns branch-months done.

    Every branch with requirements gets its rows even when nothing was held (required > 0, held 0),
    so completion rates count it. Each batch is one transaction, so a long run holds no long lock.
    """
    qs = Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True)
    if under is not None:
        qs = qs.filter(under_path_q(under.path))
    month_list = sorted({first_of_month(m) for m in months})
    done = 0
    ids = list(qs.order_by("path").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = Organization.objects.filter(pk__in=ids[start : start + batch_size]).order_by("path")
        with transaction.atomic(), deferred_sync():
            for org in chunk:
                for month in month_list:
                    refresh_branch_month(org, month)
                    done += 1
        if progress is not None:
            progress(done)
    return done


def ensure_stats(*, month: dt.date, under: Organization | None = None) -> int:
    """Give every branch without stats for `month` its rows (required > 0, held 0), and only those.

    Branches with any plan or record already have rows (the services refresh them), so this touches
    just the idle ones: cheap enough for the month close and a daily job.
    """
    month = first_of_month(month)
    qs = Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True)
    if under is not None:
        qs = qs.filter(under_path_q(under.path))
    # NOT EXISTS, not NOT IN (subquery): PostgreSQL plans it as an anti-join; a NOT IN over a month's
    # stats rows (hundreds of thousands at province scale) outgrows work_mem and is re-scanned per branch.
    have = CompletionStat.objects.filter(month=month, org_id=OuterRef("pk"))
    idle = list(qs.filter(~Exists(have)).order_by("path"))
    with transaction.atomic(), deferred_sync():
        for org in idle:
            refresh_branch_month(org, month)
    return len(idle)


# ---------------------------------------------------------------- ledger (台账) export


def ledger_file_name(org: Organization, year: int) -> str:
    return f"{org.code}-{year}年组织生活台账.xlsx"


def _head(ws: Any, row: list[str]) -> None:
    spreadsheets.append(ws, row)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="C8161D")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def export_ledger(*, actor: User, org: Organization, year: int) -> bytes:
    """The branch's ledger for the year as .xlsx bytes; audited. Names only, no ID numbers or phones."""
    if not covers(actor, org.path):
        raise PermissionDenied("您无权导出该组织的台账")
    data = ledger(org, year)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "完成情况"
    spreadsheets.append(ws, [f"{org.name} {year}年组织生活台账（应开/已开）"])
    _head(ws, ["月份", *[label for _, label in data.types]])
    for month, row in data.grid:
        spreadsheets.append(ws, [f"{month.month}月", *[f"{c.required}/{c.held}" for c in row]])
    spreadsheets.append(ws, ["合计", *[f"{c.required}/{c.held}" for c in data.totals]])
    ws.column_dimensions["A"].width = 10

    rs = wb.create_sheet("会议记录")
    _head(
        rs,
        [
            "日期",
            "会议类型",
            "党小组",
            "主题",
            "地点",
            "主持人",
            "记录人",
            "应到",
            "实到",
            "状态",
            "计入完成",
            "补录",
        ],
    )
    for r in data.records:
        spreadsheets.append(
            rs,
            [
                timezone.localtime(r.started_at).strftime("%Y-%m-%d %H:%M"),
                r.get_meeting_type_display(),
                r.group.display_name if r.group else "",
                r.topic,
                r.place,
                r.host_name,
                r.recorder_name,
                getattr(r, "due", 0),
                getattr(r, "present", 0),
                r.get_status_display(),
                "是" if r.counts else "否（要求重新召开）",
                "是" if r.is_backfill else "",
            ],
        )
    for col, width in zip("ABCDEFGHIJKL", (18, 14, 12, 40, 20, 10, 10, 6, 6, 12, 16, 6), strict=True):
        rs.column_dimensions[col].width = width

    ps = wb.create_sheet("月度计划")
    _head(ps, ["计划月份", "状态", "报送时间", "逾期报送", "计划事项数"])
    for p in data.plans:
        spreadsheets.append(
            ps,
            [
                f"{p.month:%Y-%m}",
                p.get_status_display(),
                timezone.localtime(p.submitted_at).strftime("%Y-%m-%d %H:%M") if p.submitted_at else "",
                "是" if p.is_late else "",
                getattr(p, "item_count", 0),
            ],
        )
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target=org,
        org=org,
        summary={"what": "orglife_ledger", "year": year, "records": len(data.records)},
    )
    return out.getvalue()
