"""Posts (书记, 副书记, 组织委员 …) imported from a sheet: who, where, which post, from when to when.

All-or-nothing like the roster. A post is the same post when the member (by ID number), the organization,
the title and the start date agree, so importing a file twice changes nothing; a later 离任日期 ends it.
A post held by someone who is not a registered member is a row error.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from openpyxl import Workbook

import personal
from audit.models import AuditEvent
from audit.services import record_event
from orgs import spreadsheets
from orgs.access import Actor, can_write_anywhere, covers
from orgs.models import Member, Organization, Position
from orgs.services.members import add_positions, revoke_post_grants
from orgs.services.roster import (
    RowError,
    SheetLayout,
    cell_text,
    chunks,
    common_org,
    parse_date,
    read_data_rows,
)
from personal import idcard

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("seq", "序号", "可不填；序号填“示例”的行不会导入"),
    ("name", "姓名", "必填，与公民身份号码核对"),
    ("id_number", "公民身份号码", "必填：任职者须是已登记的党员"),
    ("org_code", "任职组织代码", "必填（或填写“任职组织”全称）"),
    ("org_name", "任职组织", "组织全称；已填代码时仅供核对"),
    ("title", "职务", "必填：" + "、".join(str(label) for label in Position.Title.labels)),
    ("started_on", "任职日期", "必填；如 2024-01-01"),
    ("ended_on", "离任日期", "在任不填"),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
LAYOUT = SheetLayout(
    headers={header: key for key, header, _ in COLUMNS}
    | {
        "身份证号": "id_number",
        "身份证号码": "id_number",
        "组织代码": "org_code",
        "党组织代码": "org_code",
        "所在党组织代码": "org_code",
        "党组织名称": "org_name",
        "任职党组织": "org_name",
        "党内职务": "title",
        "职务名称": "title",
        "任职时间": "started_on",
        "离任时间": "ended_on",
        "免职日期": "ended_on",
    },
    labels=HEADERS,
    identifying=("id_number", "title"),
    required=(("org_code", "org_name"), ("started_on",)),
    what="职务",
)
_TITLES = (
    {str(label): str(value) for value, label in Position.Title.choices}
    | {str(v): str(v) for v in Position.Title.values}
    | {
        "党支部书记": "secretary",
        "党委书记": "secretary",
        "支部书记": "secretary",
        "组长": "group_leader",
        "党小组长": "group_leader",
    }
)


@dataclass
class PositionsImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, HEADERS[key], message))


def import_positions(
    *, actor: Actor, file: IO[bytes] | str, file_name: str = "", mapping: dict[str, str] | None = None
) -> PositionsImportResult:
    """Validate every row of a posts file; write all rows (new, ended) or none; one audit event."""
    if not can_write_anywhere(actor):
        raise PermissionDenied("您没有导入职务的权限")
    result = PositionsImportResult(file_name=file_name)
    rows = [
        _Row(number, cells)
        for number, cells in read_data_rows(file, LAYOUT.with_mapping(mapping), what="职务")
    ]
    result.rows = len(rows)
    with transaction.atomic():
        _check(actor, rows, result)
    return result


def _check(actor: Actor, rows: list[_Row], result: PositionsImportResult) -> None:
    hashes: dict[int, str] = {}
    for row in rows:
        number = idcard.normalize(cell_text(row.values.get("id_number")))
        if not number:
            row.error("id_number", "请填写公民身份号码")
        else:
            hashes[row.number] = personal.blind_index("id", number)
    members: dict[str, Member] = {}
    for chunk in chunks(set(hashes.values())):
        members |= {
            m.id_number_hash: m for m in Member.objects.filter(id_number_hash__in=chunk).select_related("org")
        }
    codes = {cell_text(r.values.get("org_code")) for r in rows} - {""}
    names = {cell_text(r.values.get("org_name")) for r in rows if not cell_text(r.values.get("org_code"))} - {
        ""
    }
    writable = Organization.objects.visible_to(actor, write=True)
    by_code: dict[str, Organization] = {}
    for chunk in chunks(codes):
        by_code |= {o.code: o for o in writable.filter(code__in=chunk)}
    by_name: dict[str, list[Organization]] = defaultdict(list)
    for chunk in chunks(names):
        for o in writable.filter(name__in=chunk):
            by_name[o.name].append(o)
    member_ids = {m.pk for m in members.values()}
    existing: dict[tuple[int, int, str, Any], Position] = {}
    for chunk in chunks(member_ids):
        for p in Position.objects.filter(member_id__in=chunk):
            existing[(p.member_id, p.org_id, p.title, p.started_on)] = p
    seen: dict[tuple[int, int, str, Any], int] = {}
    to_create: list[Position] = []
    to_end: list[Position] = []
    for row in rows:
        member = members.get(hashes.get(row.number, ""))
        if row.number in hashes and (member is None or not covers(actor, member.org.path)):
            # Outside the scope the number is treated as unknown: an import does not confirm who is a member.
            row.error("id_number", "该公民身份号码不是您管理范围内的在册党员，不能任职")
            member = None
        name = cell_text(row.values.get("name"))
        if member is not None and name and name != member.name:
            row.error("name", f"姓名“{name}”与该公民身份号码登记的党员姓名“{member.name}”不符")
        if member is not None and member.status not in Member.ACTIVE_STATUSES:
            row.error("id_number", f"{member.name}的党籍状态为{member.get_status_display()}，不能任职")
        org = _resolve_org(row, by_code, by_name)
        title_text = cell_text(row.values.get("title"))
        title = _TITLES.get(title_text, "")
        if not title:
            row.error(
                "title",
                f"职务“{title_text}”不可识别，应为：{'、'.join(Position.Title.labels)}"
                if title_text
                else "请填写职务",
            )
        dates: dict[str, dt.date | None] = {}
        for key in ("started_on", "ended_on"):
            try:
                dates[key] = parse_date(row.values.get(key))
            except ValueError as exc:
                dates[key] = None
                row.error(key, str(exc))
        if dates["started_on"] is None and not any(e.column == HEADERS["started_on"] for e in row.errors):
            row.error("started_on", "请填写任职日期")
        if dates["started_on"] and dates["ended_on"] and dates["ended_on"] < dates["started_on"]:
            row.error("ended_on", "离任日期不能早于任职日期")
        outside = member is not None and org is not None and not member.org.path.startswith(org.path)
        if outside and org is not None and member is not None and org.parent_id != member.org_id:
            row.error("org_code", f"{member.name}只能在本人所在组织、其上级组织或所在党小组任职")
        started_on = dates["started_on"]
        if row.errors or member is None or org is None or not title or started_on is None:
            result.errors.extend(row.errors)
            continue
        post = (member.pk, org.pk, title, started_on)
        if post in seen:
            row.error("title", f"与第{seen[post]}行是同一职务")
            result.errors.extend(row.errors)
            continue
        seen[post] = row.number
        found = existing.get(post)
        if found is None:
            to_create.append(
                Position(
                    member=member,
                    org=org,
                    title=title,
                    started_on=started_on,
                    ended_on=dates["ended_on"],
                )
            )
        elif found.ended_on != dates["ended_on"]:
            found.ended_on = dates["ended_on"]
            to_end.append(found)
        else:
            result.unchanged += 1
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        result.unchanged = 0
        return
    add_positions(actor=actor, rows=to_create)
    Position.objects.bulk_update(to_end, ["ended_on"], batch_size=1000)
    # A post ended here revokes the role it implied, as end_position does (RoleGrant.position).
    ended = [p.pk for p in to_end if p.ended_on is not None]
    with_grants = Position.objects.filter(pk__in=ended, grants__isnull=False).distinct().order_by("pk")
    for position in with_grants:
        revoke_post_grants(actor=actor, position=position)
    result.created, result.updated = len(to_create), len(to_end)
    if to_create or to_end:
        record_event(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            target_repr=f"导入职务 {result.file_name}".strip(),
            org=common_org(p.org for p in (*to_create, *to_end)),
            summary={
                "file_name": result.file_name,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )


def _resolve_org(
    row: _Row, by_code: dict[str, Organization], by_name: dict[str, list[Organization]]
) -> Organization | None:
    code = cell_text(row.values.get("org_code"))
    name = cell_text(row.values.get("org_name"))
    if code:
        org = by_code.get(code)
        if org is None:
            row.error("org_code", f"组织“{code}”不存在或不在您的管理范围内")
        return org
    if not name:
        row.error("org_code", "请填写任职组织代码")
        return None
    found = by_name.get(name, [])
    if len(found) != 1:
        row.error(
            "org_name",
            f"有多个组织名为“{name}”，请填写任职组织代码"
            if found
            else f"组织“{name}”不存在或不在您的管理范围内",
        )
        return None
    return found[0]


def build_template() -> bytes:
    """The posts template: the header row and a notes sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "职务"
    spreadsheets.append(ws, [header for _, header, _ in COLUMNS])
    notes = wb.create_sheet("填写说明")
    spreadsheets.append(notes, ["列名", "说明"])
    for _, header, note in COLUMNS:
        spreadsheets.append(notes, [header, note])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
