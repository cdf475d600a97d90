"""The tree (党组织) imported from a sheet with the columns of the 党组织和所在单位基本信息采集表.

A row names its parent by a parent column (上级组织代码 or 上级组织) or by a nested path (组织路径:
全称 from the top down, separated by "/"). All-or-nothing, like the roster: every row is checked first,
a file with any error writes nothing. Organizations are matched by their code, or by their full path
when the row has no code, so importing the same file twice changes nothing. After a write, the
structure checks run over the imported subtree and their findings come back with the result.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

import personal
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from orgs import reference, spreadsheets
from orgs.access import Actor, can_write_anywhere, covers
from orgs.models import Organization
from orgs.paths import encode_step
from orgs.services.roster import (
    RowError,
    SheetLayout,
    cell_text,
    chunks,
    common_org,
    parse_date,
    read_data_rows,
)
from orgs.services.tree import ORG_UNIT_FIELDS, add_organizations, check_fields
from orgs.structure import Warning, problem_list, structure_findings

PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\]\s*")
CHANGES_SHOWN = 200  # the change preview lists this many changed organizations

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("seq", "序号", "可不填；序号填“示例”的行不会导入"),
    ("name", "组织全称", "必填（公章名称）"),
    ("short_name", "组织简称", "可不填"),
    ("code", "组织代码", "新增组织必填；已有组织按代码识别"),
    ("parent_code", "上级组织代码", "与“上级组织”二选一；顶级组织不填"),
    ("parent_name", "上级组织", "上级组织全称；已填上级组织代码时仅供核对"),
    ("full_path", "组织路径", "不用上级组织列时填写：从顶级到本组织的全称，用“/”分隔"),
    ("kind", "组织类别", "必填：" + "、".join(str(label) for label in Organization.Kind.labels)),
    (
        "unit_category",
        "单位类别",
        "必填：" + "、".join(str(label) for label in Organization.UnitCategory.labels),
    ),
    ("unit_situation", "单位建立党组织情况", "可不填"),
    ("secretary_name", "书记姓名", "可不填"),
    ("contact_name", "联系人", "可不填"),
    ("contact_phone", "联系电话", "可不填"),
    ("established_on", "成立日期", "可不填；如 2001-07-01"),
    ("has_committee", "是否设立支部委员会", "是或否，不填视为否"),
    ("term_started_on", "本届届期开始", "可不填"),
    ("term_years", "届期（年）", "可不填，按规定：党委5年，总支和支部3年，村和社区5年"),
    ("unit_name", "单位名称", "可不填；联合党支部可列出各单位，用“、”分隔"),
    ("unit_credit_code", "统一社会信用代码", "可不填；18位"),
    (
        "unit_economic_type",
        "单位性质/经济类型",
        "可不填：" + "、".join(str(label) for label in Organization.EconomicType.labels),
    ),
    (
        "enterprise_size",
        "企业规模",
        "企业填写：" + "、".join(str(label) for label in Organization.EnterpriseSize.labels),
    ),
    ("unit_staff_count", "在岗职工数", "可不填"),
    ("unit_address", "单位地址", "可不填"),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
_ALIASES = {
    "党组织名称": "name",
    "组织名称": "name",
    "党组织全称": "name",
    "党组织简称": "short_name",
    "党组织代码": "code",
    "上级党组织代码": "parent_code",
    "上级党组织": "parent_name",
    "上级党组织名称": "parent_name",
    "上级组织名称": "parent_name",
    "层级路径": "full_path",
    "完整路径": "full_path",
    "党组织类别": "kind",
    "书记": "secretary_name",
    "党组织书记": "secretary_name",
    "联系人电话": "contact_phone",
    "党组织成立日期": "established_on",
    "设立支部委员会": "has_committee",
    "是否设立支委会": "has_committee",
    "本届换届时间": "term_started_on",
    "换届日期": "term_started_on",
    "届期": "term_years",
    "单位性质": "unit_economic_type",
    "经济类型": "unit_economic_type",
    "单位性质类别": "unit_economic_type",
    "在岗职工人数": "unit_staff_count",
    "职工人数": "unit_staff_count",
}
LAYOUT = SheetLayout(
    headers={header: key for key, header, _ in COLUMNS} | _ALIASES,
    labels=HEADERS,
    identifying=("kind",),
    required=(
        ("name", "full_path"),
        ("code", "full_path"),
        ("parent_code", "parent_name", "full_path"),
        ("unit_category",),
    ),
    what="党组织",
)
_PLAIN = (
    "name",
    "short_name",
    "code",
    "kind",
    "unit_category",
    "unit_situation",
    "secretary_name",
    "contact_name",
    "established_on",
    "has_committee",
    "term_started_on",
    "term_years",
    *ORG_UNIT_FIELDS,
)
_FIELD_COLUMNS = {name: name for name in _PLAIN} | {"contact_phone_masked": "contact_phone"}
_BOOLEANS = {"是": True, "否": False, "有": True, "无": False, "1": True, "0": False}


def _choices(choices: Any, **aliases: str) -> dict[str, str]:
    out = {str(label): str(value) for value, label in choices.choices}
    return out | {str(value): str(value) for value in choices.values} | aliases


_CHOICE_CELLS = {
    "kind": _choices(Organization.Kind, 党委员会="committee", 基层党委="committee", 总支="general_branch"),
    "unit_category": _choices(
        Organization.UnitCategory, 村="village", 企业单位="enterprise", 机关单位="organ"
    ),
    "unit_economic_type": _choices(
        Organization.EconomicType,
        国有="state",
        集体="collective",
        私营="private",
        民营="private",
        个体="individual",
        股份制="shareholding",
        外资="foreign",
        外商投资="foreign",
        港澳台资="hk_macao_taiwan",
    ),
    "enterprise_size": _choices(
        Organization.EnterpriseSize, 大型企业="large", 中型企业="medium", 小型企业="small", 微型企业="micro"
    ),
}


@dataclass
class OrgChange:
    row: int
    code: str
    name: str
    created: bool
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # column header -> (before, after)


@dataclass
class TreeImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[OrgChange] = field(default_factory=list)
    findings: list[tuple[Organization, list[Warning]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    phone: str = ""
    full_path: tuple[str, ...] = ()
    errors: list[RowError] = field(default_factory=list)
    existing: Organization | None = None
    parent_row: _Row | None = None
    parent_org: Organization | None = None
    is_root: bool = False
    org: Organization | None = None
    depth: int = 0

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, HEADERS[key], message))

    @property
    def label(self) -> str:
        return self.fields.get("code") or self.fields.get("name") or f"第{self.number}行"


def _parse(row: _Row) -> None:
    v = row.values
    out: dict[str, Any] = {}
    for key in (
        "name",
        "short_name",
        "code",
        "unit_situation",
        "secretary_name",
        "contact_name",
        "unit_name",
    ):
        out[key] = cell_text(v.get(key))
    out["unit_address"] = cell_text(v.get("unit_address"))
    out["unit_credit_code"] = cell_text(v.get("unit_credit_code")).replace(" ", "").upper()
    row.phone = re.sub(r"[\s-]", "", cell_text(v.get("contact_phone")))
    if row.phone and not (row.phone.isdigit() and 7 <= len(row.phone) <= 20):
        row.error("contact_phone", "联系电话应为数字")
    for key in ("established_on", "term_started_on"):
        try:
            out[key] = parse_date(v.get(key))
        except ValueError as exc:
            out[key] = None
            row.error(key, str(exc))
    for key in ("term_years", "unit_staff_count"):
        text = cell_text(v.get(key))
        out[key] = None
        if text:
            if text.isdigit():
                out[key] = int(text)
            else:
                row.error(key, f"{HEADERS[key]}应为整数")
    flag = cell_text(v.get("has_committee"))
    out["has_committee"] = _BOOLEANS.get(flag, False)
    if flag and flag not in _BOOLEANS:
        row.error("has_committee", "是否设立支部委员会应填“是”或“否”")
    for key, mapping in _CHOICE_CELLS.items():
        text = cell_text(v.get(key))
        out[key] = mapping.get(text, "")
        if text and text not in mapping:
            row.error(
                key,
                f"{HEADERS[key]}“{text}”不可识别，应为：{'、'.join(k for k in mapping if not k.isascii())}",
            )
        elif not text and key in ("kind", "unit_category"):
            row.error(key, f"请填写{HEADERS[key]}")
    path_text = cell_text(v.get("full_path"))
    if path_text:
        row.full_path = tuple(p for p in PATH_SEPARATORS.split(path_text) if p)
        if not out["name"]:
            out["name"] = row.full_path[-1]
        elif row.full_path[-1] != out["name"]:
            row.error("full_path", f"组织路径的最后一级“{row.full_path[-1]}”应为本组织全称“{out['name']}”")
    if not out["name"]:
        row.error("name", "请填写组织全称")
    row.fields = out


class _Existing:
    """The organizations a file names: by code (anywhere, to refuse a code in use) and by full path."""

    def __init__(self, actor: Actor, rows: list[_Row]) -> None:
        codes = {r.fields["code"] for r in rows} | {cell_text(r.values.get("parent_code")) for r in rows}
        codes -= {""}
        self.by_code: dict[str, Organization] = {}
        for chunk in chunks(codes):
            self.by_code |= {o.code: o for o in Organization.objects.filter(code__in=chunk)}
        self.by_path: dict[tuple[str, ...], Organization] = {}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        if any(r.full_path or cell_text(r.values.get("parent_name")) for r in rows):
            # Full name paths from the top of the whole tree, and from the top of the actor's subtrees.
            full: dict[str, tuple[str, ...]] = {}
            local: dict[str, tuple[str, ...]] = {}
            for top in Organization.objects.roots_for(actor, write=True):
                full[top.path[:-4]] = tuple(top.ancestors().order_by("path").values_list("name", flat=True))
            for org in Organization.objects.visible_to(actor, write=True).order_by("path"):
                parent = org.path[:-4]
                full[org.path] = (*full.get(parent, ()), org.name)
                local[org.path] = (*local.get(parent, ()), org.name)
                self.by_path[full[org.path]] = org
                self.by_path.setdefault(local[org.path], org)
                self.by_name[org.name].append(org)


def _link(actor: Actor, rows: list[_Row], existing: _Existing) -> None:
    """Find each row's existing organization and its parent (a row of the file or a saved organization)."""
    by_code = {r.fields["code"]: r for r in rows if r.fields["code"] and not r.errors}
    by_path = {r.full_path: r for r in rows if r.full_path}
    by_name: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_name[r.fields["name"]].append(r)
    for row in rows:
        code = row.fields["code"]
        if code:
            row.existing = existing.by_code.get(code)
        elif row.full_path:
            row.existing = existing.by_path.get(row.full_path)
            if row.existing is None:
                row.error("code", "新增组织请填写组织代码")
            else:
                row.fields["code"] = row.existing.code
        else:
            row.error("code", "请填写组织代码")
        if row.existing is not None and not covers(actor, row.existing.path, write=True):
            row.error("code", f"组织代码“{code}”已被您管理范围以外的组织使用")
            row.existing = None
            continue
        parent_code = cell_text(row.values.get("parent_code"))
        parent_name = cell_text(row.values.get("parent_name"))
        if row.full_path:
            parent_path = row.full_path[:-1]
            if not parent_path:
                row.is_root = True
            elif parent_path in by_path:
                row.parent_row = by_path[parent_path]
            elif parent_path in existing.by_path:
                row.parent_org = existing.by_path[parent_path]
            else:
                row.error("full_path", f"上级组织“{'/'.join(parent_path)}”不存在（本文件和系统中都没有）")
        elif parent_code:
            if parent_code == code:
                row.error("parent_code", "上级组织不能是本组织")
            elif parent_code in by_code:
                row.parent_row = by_code[parent_code]
            elif parent_code in existing.by_code:
                row.parent_org = existing.by_code[parent_code]
            else:
                row.error("parent_code", f"上级组织代码“{parent_code}”不存在（本文件和系统中都没有）")
        elif parent_name:
            in_file = by_name.get(parent_name, [])
            saved = existing.by_name.get(parent_name, [])
            if len(in_file) + len(saved) > 1:
                row.error("parent_name", f"有多个组织名为“{parent_name}”，请填写上级组织代码")
            elif in_file:
                row.parent_row = in_file[0]
            elif saved:
                row.parent_org = saved[0]
            else:
                row.error("parent_name", f"上级组织“{parent_name}”不存在（本文件和系统中都没有）")
        else:
            row.is_root = True
        if row.parent_org is not None and not covers(actor, row.parent_org.path, write=True):
            key = "parent_code" if parent_code else ("full_path" if row.full_path else "parent_name")
            row.error(key, f"您无权在组织“{row.parent_org.name}”下导入")
        if row.is_root and row.existing is None and not getattr(actor, "is_superuser", False):
            row.error("parent_code", "请填写上级组织：只有系统管理员可以导入顶级组织")


def _check_cycles(rows: list[_Row]) -> None:
    """A cycle in the parent column: every row on it gets an error naming the loop."""
    state: dict[int, int] = {}  # id(row) -> 1 on the current walk, 2 done
    for start in rows:
        walk: list[_Row] = []
        row: _Row | None = start
        while row is not None and state.get(id(row)) is None:
            state[id(row)] = 1
            walk.append(row)
            row = row.parent_row
        if row is not None and state.get(id(row)) == 1:
            loop = walk[walk.index(row) :]
            names = " → ".join(r.label for r in [*loop, row])
            for r in loop:
                r.error("parent_code", f"上级组织形成循环：{names}")
                r.parent_row = None
        for r in walk:
            state[id(r)] = 2


def _check_duplicates(rows: list[_Row]) -> None:
    seen: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.fields["code"]:
            seen[row.fields["code"]].append(row)
    for dupes in seen.values():
        for row in dupes if len(dupes) > 1 else ():
            others = "、".join(str(r.number) for r in dupes if r is not row)
            row.error("code", f"组织代码“{row.fields['code']}”与第{others}行重复")
    paths: dict[tuple[str, ...], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.full_path:
            paths[row.full_path].append(row)
    for dupes in paths.values():
        for row in dupes if len(dupes) > 1 else ():
            others = "、".join(str(r.number) for r in dupes if r is not row)
            row.error("full_path", f"组织路径与第{others}行重复")


def _depth(row: _Row) -> int:
    if not row.depth:
        if row.existing is not None:
            row.depth = row.existing.depth
        elif row.parent_org is not None:
            row.depth = row.parent_org.depth + 1
        elif row.parent_row is not None:
            row.depth = _depth(row.parent_row) + 1  # no cycles by now; a tree is at most 63 levels deep
        else:
            row.depth = 1
    return row.depth


def _check_moves(row: _Row) -> None:
    """An import adds and updates organizations; moving one under another parent is the tree page's job."""
    if row.existing is None:
        return
    if row.parent_row is not None and row.parent_row.existing is None:
        row.error("parent_code", f"导入不能把已有组织“{row.existing.name}”移到新组织下，请在组织页面调整")
        return
    if row.is_root:
        wanted = None
    elif row.parent_org is not None:
        wanted = row.parent_org.pk
    elif row.parent_row is not None and row.parent_row.existing is not None:
        wanted = row.parent_row.existing.pk
    else:
        return  # the parent is unknown: already reported
    if wanted != row.existing.parent_id:
        row.error("parent_code", f"导入不能改变已有组织“{row.existing.name}”的上级，请在组织页面调整")


def _validate(row: _Row) -> None:
    """The model's own rules (choices, lengths, the credit code) on the row's values."""
    candidate = Organization(**row.fields)
    candidate.set_contact_phone(row.phone)
    try:
        check_fields(candidate)
        candidate.full_clean(exclude=["parent", "path", "depth", "contact_phone_enc"], validate_unique=False)
    except ValidationError as exc:
        reported = {e.column for e in row.errors}
        for name, messages in exc.message_dict.items():
            key = _FIELD_COLUMNS.get(name, "name")
            if HEADERS[key] in reported:
                continue
            for message in messages:
                row.error(key, message)
    row.fields["unit_credit_code"] = candidate.unit_credit_code


def _changes(row: _Row, org: Organization) -> dict[str, tuple[Any, Any]]:
    out = {}
    for name in _PLAIN:
        if name not in row.values:
            continue  # a column the file does not have changes nothing
        before, after = getattr(org, name), row.fields[name]
        if not after and name in ("code", "secretary_name"):
            continue  # a blank keeps them: the code when matched by path, the secretary the posts name
        if before != after:
            out[name] = (before, after)
    if row.phone and personal.decrypt(org.contact_phone_enc) != row.phone:
        out["contact_phone_masked"] = (org.contact_phone_masked, personal.mask_phone(row.phone))
    return out


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def import_tree(
    *,
    actor: Actor,
    file: IO[bytes] | str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    findings: bool = True,
) -> TreeImportResult:
    """Validate every row of an organizations file; write all rows (new, changed) or none; one audit event.

    `findings` False leaves the structure checks to the caller (the wizard runs them after the members)."""
    if not can_write_anywhere(actor):
        raise PermissionDenied("您没有导入党组织的权限")
    result = TreeImportResult(file_name=file_name)
    rows = [
        _Row(number, cells)
        for number, cells in read_data_rows(file, LAYOUT.with_mapping(mapping), what="党组织")
    ]
    result.rows = len(rows)
    for row in rows:
        _parse(row)
    _check_duplicates(rows)
    with transaction.atomic():
        _link(actor, rows, _Existing(actor, rows))
        _check_cycles(rows)
        for row in rows:
            _validate(row)
            _check_moves(row)
        for row in rows:
            result.errors.extend(row.errors)
        result.errors.sort(key=lambda e: e.row)
        if result.errors:
            return result
        top = _write(actor, rows, result)
        if findings:
            touched = [o.pk for o in (r.org or r.existing for r in rows) if o is not None]
            result.findings = import_findings(top, touched)
    return result


def _write(actor: Actor, rows: list[_Row], result: TreeImportResult) -> Organization | None:
    for row in rows:
        _depth(row)
    now = timezone.now()
    to_update: list[Organization] = []
    update_fields: set[str] = set()
    new_rows: list[_Row] = []
    for row in rows:
        if row.existing is None:
            new_rows.append(row)
            continue
        changed = _changes(row, row.existing)
        if not changed:
            result.unchanged += 1
            continue
        org = row.existing
        for name in changed:
            if name == "contact_phone_masked":
                org.set_contact_phone(row.phone)
                update_fields |= {"contact_phone_enc", "contact_phone_masked"}
            else:
                setattr(org, name, row.fields[name])
                update_fields.add(name)
        org.updated_at = now
        to_update.append(org)
        if len(result.changes) < CHANGES_SHOWN:
            result.changes.append(
                OrgChange(
                    row.number,
                    org.code,
                    org.name,
                    created=False,
                    fields={
                        HEADERS[_FIELD_COLUMNS[n]]: (_shown(before), _shown(after))
                        for n, (before, after) in changed.items()
                    },
                )
            )
    if to_update:
        Organization.objects.bulk_update(to_update, [*sorted(update_fields), "updated_at"], batch_size=1000)
        reference.bump()  # bulk writes send no signal
    _create(actor, sorted(new_rows, key=lambda r: r.depth))
    for row in new_rows:
        if len(result.changes) < CHANGES_SHOWN:
            result.changes.append(OrgChange(row.number, row.fields["code"], row.fields["name"], created=True))
    result.created, result.updated = len(new_rows), len(to_update)
    touched = [r.org or r.existing for r in rows]
    top = common_org(o for o in touched if o is not None)
    if new_rows or to_update:
        record_event(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            target_repr=f"导入党组织 {result.file_name}".strip(),
            org=top,
            summary={
                "file_name": result.file_name,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return top


def _create(actor: Actor, rows: list[_Row]) -> None:
    """New organizations level by level, numbered after each parent's last child (add_organizations)."""
    next_root = 0
    counters: dict[int, int] = {}
    for depth in sorted({r.depth for r in rows}):
        level = [r for r in rows if r.depth == depth]
        parents: dict[int, Organization] = {}
        for row in level:
            parent = row.parent_org or (
                row.parent_row.org or row.parent_row.existing if row.parent_row else None
            )
            if parent is not None:
                parents[parent.pk] = parent
        for chunk in chunks(sorted(set(parents) - set(counters))):
            for locked in lock_rows(Organization.objects).filter(pk__in=chunk):
                parents[locked.pk].child_seq = locked.child_seq
                counters[locked.pk] = locked.child_seq
        new: list[Organization] = []
        for row in level:
            parent = row.parent_org or (
                row.parent_row.org or row.parent_row.existing if row.parent_row else None
            )
            org = Organization(**row.fields, is_active=True)
            org.set_contact_phone(row.phone)
            if parent is None:
                if not next_root:
                    last = (
                        Organization.objects.filter(parent__isnull=True)
                        .order_by("-path")
                        .values_list("path", flat=True)
                        .first()
                    )
                    next_root = int(last, 36) if last else 0
                next_root += 1
                org.path = encode_step(next_root)
            else:
                counters[parent.pk] = counters.get(parent.pk, parent.child_seq) + 1
                org.parent = parent
                org.path = parent.path + encode_step(counters[parent.pk])
            org.depth = len(org.path) // 4
            row.org = org
            new.append(org)
        add_organizations(actor=actor, parents=parents, rows=new)


def import_findings(top: Organization | None, ids: list[int]) -> list[tuple[Organization, list[Warning]]]:
    """The structure checks over what was imported (the whole subtree under its common top)."""
    qs = Organization.objects.under(top) if top is not None else Organization.objects.filter(pk__in=ids)
    today = timezone.localdate()
    merged: dict[int, tuple[Organization, list[Warning]]] = {}
    for org, warnings in [*structure_findings(qs, today), *problem_list(qs, today)]:
        merged.setdefault(org.pk, (org, []))[1].extend(warnings)
    return sorted(merged.values(), key=lambda pair: pair[0].path)


def build_template() -> bytes:
    """The organizations template: the header row, one example row marked 示例, and a notes sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "党组织"
    spreadsheets.append(ws, [header for _, header, _ in COLUMNS])
    example = {
        "seq": "示例",
        "name": "中共示范县财政局机关支部委员会",
        "code": "B0001",
        "parent_code": "C0001",
    }
    example |= {"kind": "党支部", "unit_category": "机关", "unit_name": "示范县财政局", "has_committee": "否"}
    spreadsheets.append(ws, [example.get(key, "") for key, _, _ in COLUMNS])
    notes = wb.create_sheet("填写说明")
    spreadsheets.append(notes, ["列名", "说明"])
    for _, header, note in COLUMNS:
        spreadsheets.append(notes, [header, note])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
