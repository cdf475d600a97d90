"""The pipeline as .xlsx (one row per person: stage, the dated steps, the next deadline), audited as an
export. Personal data is masked; formula-like text is written as text (orgs.spreadsheets)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from audit.models import AuditEvent
from audit.services import record_event
from development.models import PersonQuerySet
from development.selectors.deadlines import iter_open, next_due
from orgs.spreadsheets import append

HEADERS = [
    "党支部",
    "姓名",
    "性别",
    "出生日期",
    "公民身份号码",
    "阶段",
    "递交申请",
    "谈话",
    "确定积极分子",
    "确定发展对象",
    "支部大会决议（入党时间）",
    "党委审批",
    "预备期满",
    "转正（党龄起算）",
    "下一期限事项",
    "期限",
    "规则",
]


def _d(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def export_pipeline(*, actor: Any, queryset: PersonQuerySet, today: dt.date) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("发展党员")
    append(ws, HEADERS)
    rows = 0
    open_ids: dict[int, Any] = {}
    for person in iter_open(queryset):
        open_ids[person.pk] = next_due(person, getattr(person, "last_assessed", None))
    for p in queryset.select_related("org").order_by("org__path", "stage", "id").iterator(chunk_size=2000):
        due = open_ids.get(p.pk)
        append(
            ws,
            [
                p.org.name,
                p.name,
                p.gender,
                _d(p.birth_date),
                p.id_number_masked,
                p.get_stage_display(),
                _d(p.applied_on),
                _d(p.talked_on),
                _d(p.activist_on),
                _d(p.candidate_on),
                _d(p.resolution_on),
                _d(p.approved_on),
                _d(p.probation_ends_on),
                _d(p.full_member_on),
                due.label if due else "",
                _d(due.due_on) if due else "",
                due.rule if due else "",
            ],
        )
        rows += 1
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target_repr="发展党员名册",
        summary={"event": "development.export", "rows": rows, "day": today.isoformat()},
    )
    return out.getvalue()
