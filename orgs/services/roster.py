"""Roster (党员名册) import and export as .xlsx, with the columns of the 党员基本信息汇总表.

Import is all-or-nothing: every row is checked first with bulk look-ups (no query per row), and
only a file without a single error is written, in one transaction, with one audit event.
Rows are keyed by ID number, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

import personal
from audit.models import AuditEvent
from audit.services import record_event
from orgs import spreadsheets
from orgs.access import Actor, can_write_anywhere, covers, scope_paths
from orgs.bulkinsert import insert_rows
from orgs.models import Member, Organization
from orgs.paths import PATH_STEP
from orgs.services.members import (
    MEMBER_PLAIN_FIELDS,
    MEMBER_ROW_COLUMNS,
    MemberData,
    apply_member_data,
    member_rows,
    validate_member,
)
from personal import idcard

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_MARK = "示例"
BATCH = 1000
LOOKUP_CHUNK = 500  # stays far below SQLite's limit on query parameters


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    note: str = ""
    choices: tuple[str, ...] = ()
    text: bool = False  # formatted as text in the template, so Excel keeps all 18 digits


def _labels(choices: Any) -> tuple[str, ...]:
    return tuple(str(label) for label in choices.labels)


YES_NO = ("是", "否")
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", 6, "可不填；序号填“示例”的行不会导入"),
    Column("name", "姓名", 10, "必填"),
    Column("gender", "性别", 6, "可不填，按公民身份号码推定", _labels(Member.Gender)),
    Column("ethnicity", "民族", 8, "不填视为汉族"),
    Column("birth_date", "出生日期", 12, "可不填，按公民身份号码推定；日期格式如 1985-06-15"),
    Column("id_number", "公民身份号码", 21, "必填，18位", text=True),
    Column("education", "学历", 11, "可不填", _labels(Member.Education)),
    Column("category", "人员类别", 10, "必填", _labels(Member.Category)),
    Column("joined_on", "入党日期", 12, "必填"),
    Column("full_member_on", "转正日期", 12, "正式党员必填，预备党员不填"),
    Column("org_code", "所在党组织代码", 15, "必填（或不填代码而填写“所在党组织”全称）", text=True),
    Column("org_name", "所在党组织", 28, "组织全称；已填组织代码时仅供核对"),
    Column("party_group", "所在党小组", 14, "可不填；党小组名称或代码"),
    Column("phone", "联系电话", 14, "可不填", text=True),
    Column("occupation", "工作岗位", 14, "可不填"),
    Column("status", "党籍状态", 10, "不填视为正常", _labels(Member.Status)),
    Column("is_exempt", "是否免参组织生活", 10, "不填视为否", YES_NO),
    Column("exempt_reason", "免参原因", 20, "免参组织生活时必填"),
)
HEADERS = {c.key: c.header for c in COLUMNS}
_ALIASES = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份证号码": "id_number",
    "组织代码": "org_code",
    "党组织代码": "org_code",
    "所在党组织名称": "org_name",
    "所在党支部": "org_name",
    "手机号": "phone",
    "手机号码": "phone",
    "党员类别": "category",
    "是否免参": "is_exempt",
}
_HEADER_KEYS = {c.header: c.key for c in COLUMNS} | _ALIASES
# Member fields an import may change; the rest (ID number, phone) are compared through their hashes.
_PLAIN_FIELDS = MEMBER_PLAIN_FIELDS
_UPDATE_FIELDS = [
    *_PLAIN_FIELDS,
    "org",
    "party_group",
    "id_number_enc",
    "id_number_masked",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "updated_at",
]
_ERROR_COLUMNS = {"org": "org_code", "party_group": "party_group"}


def _choice_map(choices: Any, **aliases: str) -> dict[str, str]:
    out = {str(label): str(value) for value, label in choices.choices}
    out |= {str(value): str(value) for value in choices.values}
    return out | aliases


_GENDERS = _choice_map(Member.Gender)
_CATEGORIES = _choice_map(Member.Category, 正式="full", 预备="probationary")
_EDUCATIONS = _choice_map(
    Member.Education,
    博士研究生="postgraduate",
    硕士研究生="postgraduate",
    博士="postgraduate",
    硕士="postgraduate",
    本科="bachelor",
    大专="college",
    专科="college",
    中技="secondary",
    职高="secondary",
    初中="junior",
    小学="junior",
)
_STATUSES = _choice_map(Member.Status)
_BOOLEANS = {"是": True, "否": False, "1": True, "0": False, "TRUE": True, "FALSE": False}
_CHOICE_CELLS: tuple[tuple[str, dict[str, str], str | None, str], ...] = (
    ("gender", _GENDERS, "", "性别应为男或女"),
    ("education", _EDUCATIONS, "", "学历应为：" + "、".join(_labels(Member.Education))),
    ("category", _CATEGORIES, None, "人员类别应为正式党员或预备党员"),
    ("status", _STATUSES, str(Member.Status.NORMAL), "党籍状态应为：" + "、".join(_labels(Member.Status))),
)


class RosterFileError(Exception):
    """The upload is not a roster we can read (not an .xlsx, no header row …); message in Chinese."""


@dataclass
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    message: str


@dataclass
class ImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The preview of what an import would change: new members and, for known ones, column -> (before, after).
    changes: list[MemberChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class MemberChange:
    row: int
    code: str  # the masked ID number: the preview never shows a full one
    name: str
    created: bool
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


CHANGES_SHOWN = 500  # the change preview lists this many members


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    id_hash: str = ""
    unreadable: set[str] = field(default_factory=set)  # columns whose cell could not be read

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, HEADERS[key], message))


# ---------------------------------------------------------------- cell values


def cell_text(value: Any) -> str:
    if type(value) is str:  # most cells: the reader gives text as str
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?$"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
DATE_HINT = "日期格式应为 2001-07-01、2001/7/1、2001.07.01 或 20010701"


def parse_date(value: Any) -> dt.date | None:
    """A cell as a date: real Excel dates, or text like 2001-07-01, 2001/7/1, 2001.07.01, 20010701."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            value = str(int(value))
        elif 1 <= value < 100000:  # an Excel serial day number in a cell without a date format
            return from_excel(value).date()
        else:
            raise ValueError(DATE_HINT)
    text = str(value).strip()
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if not match:
        raise ValueError(DATE_HINT)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


# ---------------------------------------------------------------- the archive, before parsing

# The parser (expat 2.5 under openpyxl) re-reads an unfinished token on every 16 KB it is fed, so one
# long token costs quadratic time: a 20 MB XML comment held a worker for a minute. Excel writes no
# comments, declarations or CDATA into its parts and no tag holds a '<', so a part may contain no "<!",
# no "<?" but its XML declaration, and no run longer than this without a '<' (a cell holds at most
# 32,767 characters, under 100 KB).
MAX_RUN_BYTES = 256 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
SCAN_CHUNK = 1024 * 1024


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_xlsx(file: IO[bytes] | str) -> None:
    """Refuse a zip bomb or an oversized part before any parser sees it (RosterFileError in Chinese).

    Entry count and every part's declared size first (zipfile enforces them while reading: a part that
    unpacks to more than it declares fails its check), then every XML part is read once, in linear time.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > settings.IMPORT_MAX_ZIP_ENTRIES:
                raise RosterFileError(
                    f"文件包含 {len(entries)} 个部件，超过上限 {settings.IMPORT_MAX_ZIP_ENTRIES} 个，"
                    "不是正常的 Excel 名册文件"
                )
            total = 0
            for entry in entries:
                total += entry.file_size
                if entry.file_size > settings.IMPORT_MAX_PART_BYTES:
                    raise RosterFileError(
                        f"文件解压后过大：部件 {entry.filename} 解压后 {_mb(entry.file_size)}，"
                        f"上限 {_mb(settings.IMPORT_MAX_PART_BYTES)}。请拆分成多个文件导入"
                    )
            if total > settings.IMPORT_MAX_UNZIPPED_BYTES:
                raise RosterFileError(
                    f"文件解压后共 {_mb(total)}，超过上限 "
                    f"{_mb(settings.IMPORT_MAX_UNZIPPED_BYTES)}。请拆分成多个文件导入"
                )
            for entry in entries:
                if entry.filename.lower().endswith(XML_SUFFIXES):
                    _check_xml_part(archive, entry)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise RosterFileError("无法读取该文件，请上传用导入模板填写的 .xlsx 文件") from exc
    finally:
        if not isinstance(file, str):
            file.seek(0)


def _check_xml_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    refused = RosterFileError(
        f"文件部件 {entry.filename} 含有 Excel 不会写入的内容（XML 注释、声明或超长标记），已拒绝读取。"
        "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
    )
    run = 0  # bytes since the last '<'
    previous = b""
    first = True
    with archive.open(entry) as part:
        while chunk := part.read(SCAN_CHUNK):
            if first:
                first = False
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                if chunk.startswith(b"<?xml") and b"?>" in chunk[:512]:
                    end = chunk.index(b"?>") + 2
                    chunk = b" " * end + chunk[end:]  # the declaration is allowed, once, at the start
            seam = previous[-1:] + chunk
            if b"<!" in seam or b"<?" in seam:
                raise refused
            pieces = chunk.split(b"<")
            if run + len(pieces[0]) > MAX_RUN_BYTES or max(map(len, pieces)) > MAX_RUN_BYTES:
                raise refused
            run = len(pieces[-1]) if len(pieces) > 1 else run + len(chunk)
            previous = chunk


# ---------------------------------------------------------------- reading


def header_text(value: Any) -> str:
    """A header cell as compared with the known headers: no spaces, no required-marks (*)."""
    return re.sub(r"[\s*＊]", "", cell_text(value))


@dataclass(frozen=True)
class SheetLayout:
    """What a sheet's header row may say, and what it must have (the roster's, the tree's, the posts')."""

    headers: dict[str, str]  # header text (as header_text gives it) -> column key
    labels: dict[str, str]  # column key -> the template's header, for messages
    identifying: tuple[str, ...]  # the header row is the first row with all of these
    required: tuple[tuple[str, ...], ...] = ()  # each: one of these columns must be present
    what: str = "数据"

    def with_mapping(self, mapping: dict[str, str] | None) -> SheetLayout:
        """This layout with a county's own headers (header text -> key) understood as well."""
        if not mapping:
            return self
        extra = {header_text(h): k for h, k in mapping.items() if k in self.labels}
        return SheetLayout(self.headers | extra, self.labels, self.identifying, self.required, self.what)


def read_header(file: IO[bytes] | str) -> list[str]:
    """The first row that has text in it (the wizard maps these headers to columns)."""
    for values in _sheet_values(file):
        headers = [cell_text(v) for v in values]
        if any(headers):
            return headers
    return []


def _sheet_values(file: IO[bytes] | str) -> Iterator[list[Any]]:
    """Every row of the first sheet, from row 1, as cached values (a formula is never evaluated).

    python-calamine (Rust) reads a sheet about twenty times faster than openpyxl (bench/RESULTS.md); its
    XML parser expands no entities. Empty cells read as "", whole numbers as floats (cell_text folds them).
    """
    check_xlsx(file)
    try:
        if isinstance(file, str):
            workbook = CalamineWorkbook.from_path(file)
        else:
            workbook = CalamineWorkbook.from_filelike(file)
        sheet = workbook.get_sheet_by_index(0)
        end = sheet.end
        if (
            end is not None and end[0] > settings.IMPORT_MAX_ROWS
        ):  # refused before a row becomes Python objects
            raise RosterFileError(f"文件行数超过 {settings.IMPORT_MAX_ROWS:,} 行，请分成几个文件导入")
        # skip_empty_area=False: rows and columns keep their places, so row numbers are Excel's.
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise RosterFileError("无法读取该文件，请上传用导入模板填写的 .xlsx 文件") from exc
    finally:
        if not isinstance(file, str):
            file.seek(0)
    yield from rows


def read_sheet(file: IO[bytes] | str, layout: SheetLayout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as Excel shows it, {column key: cell}) for each data row of the first sheet.

    Blank rows and rows whose 序号 starts with 示例 are skipped; the file's size, row count and reading
    time are bounded (settings.IMPORT_MAX_*), and a zip bomb is refused before parsing (check_xlsx).
    """
    columns: dict[str, int] = {}
    deadline = time.monotonic() + settings.IMPORT_MAX_SECONDS
    for number, values in enumerate(_sheet_values(file), start=1):
        if number > settings.IMPORT_MAX_ROWS + 1:
            raise RosterFileError(f"文件行数超过 {settings.IMPORT_MAX_ROWS:,} 行，请分成几个文件导入")
        if time.monotonic() > deadline:
            raise RosterFileError(
                f"读取文件超过 {settings.IMPORT_MAX_SECONDS} 秒仍未完成，已停止；请检查文件或分成几个文件导入"
            )
        if not columns:
            keys: dict[str, int] = {}
            for i, v in enumerate(values):
                key = layout.headers.get(header_text(v))
                if key and key not in keys:
                    keys[key] = i
            if all(k in keys for k in layout.identifying):
                columns = keys
                missing = [
                    layout.labels[any_of[0]] for any_of in layout.required if not set(any_of) & set(keys)
                ]
                if missing:
                    raise RosterFileError(f"表头缺少以下列：{'、'.join(missing)}。请使用导入模板")
            elif number >= 10:
                break
            continue
        cells = {k: (values[i] if i < len(values) else None) for k, i in columns.items()}
        if all(v is None or cell_text(v) == "" for v in cells.values()):
            continue
        if cell_text(cells.get("seq")).startswith(EXAMPLE_MARK):
            continue
        yield number, cells
    if not columns:
        names = "“" + "”“".join(layout.labels[k] for k in layout.identifying) + "”"
        raise RosterFileError(f"未找到表头行（应包含{names}等列）。请使用导入模板")


ROSTER_LAYOUT = SheetLayout(
    headers=_HEADER_KEYS,
    labels=HEADERS,
    identifying=("name", "id_number"),
    required=(("category",), ("joined_on",), ("org_code", "org_name")),
    what="党员",
)


def read_data_rows(
    file: IO[bytes] | str, layout: SheetLayout, *, what: str
) -> list[tuple[int, dict[str, Any]]]:
    """Every data row of an import file (`read_sheet`); a damaged workbook and a file without data rows are
    refused with the same messages by every import that reads this way (organizations, posts)."""
    try:
        rows = list(read_sheet(file, layout))
    except RosterFileError:
        raise
    except Exception as exc:  # a damaged workbook can fail anywhere inside the reader
        raise RosterFileError("文件已损坏或格式不正确，请使用导入模板重新填写") from exc
    if not rows:
        raise RosterFileError(f"文件中没有{what}数据行")
    return rows


def _read_rows(file: IO[bytes] | str, mapping: dict[str, str] | None = None) -> Iterator[_Row]:
    for number, cells in read_sheet(file, ROSTER_LAYOUT.with_mapping(mapping)):
        yield _Row(number, cells)


def _parse(row: _Row) -> dict[str, Any]:
    """Turn a row's cells into MemberData arguments, noting cells that cannot be read."""
    v = row.values
    out: dict[str, Any] = {
        "name": cell_text(v.get("name")),
        "id_number": idcard.normalize(cell_text(v.get("id_number"))),
        "ethnicity": cell_text(v.get("ethnicity")) or "汉族",
        "phone": re.sub(r"[\s-]", "", cell_text(v.get("phone"))),
        "occupation": cell_text(v.get("occupation")),
        "exempt_reason": cell_text(v.get("exempt_reason")),
    }
    for key in ("birth_date", "joined_on", "full_member_on"):
        try:
            out[key] = parse_date(v.get(key))
        except ValueError as exc:
            out[key] = None
            row.error(key, str(exc))
    if out["joined_on"] is None and not any(e.column == HEADERS["joined_on"] for e in row.errors):
        row.error("joined_on", "请填写入党日期")
    for key, mapping, default, message in _CHOICE_CELLS:
        text = cell_text(v.get(key))
        if not text and default is not None:
            out[key] = str(default)
        elif text in mapping:
            out[key] = mapping[text]
        else:
            out[key] = ""
            row.error(key, message if text else f"请填写{HEADERS[key]}")
    exempt = cell_text(v.get("is_exempt")).upper()
    out["is_exempt"] = _BOOLEANS.get(exempt, False)
    if exempt and exempt not in _BOOLEANS:
        row.error("is_exempt", "是否免参组织生活应填“是”或“否”")
    if len(out["name"]) > 40:
        row.error("name", "姓名不能超过40个字")
    return out


# ---------------------------------------------------------------- bulk look-ups


def chunks(items: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Orgs:
    """The organizations a file names, fetched in a few queries and checked against write scope."""

    def __init__(self, actor: Actor, rows: list[_Row]) -> None:
        codes = {cell_text(r.values.get("org_code")) for r in rows} - {""}
        names = {
            cell_text(r.values.get("org_name")) for r in rows if not cell_text(r.values.get("org_code"))
        } - {""}
        writable = Organization.objects.visible_to(actor, write=True)
        self.by_code: dict[str, Organization] = {}
        for chunk in chunks(codes):
            self.by_code |= {o.code: o for o in writable.filter(code__in=chunk)}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        for chunk in chunks(names):
            for o in writable.filter(name__in=chunk):
                self.by_name[o.name].append(o)
        # Organizations the importer may see but not change get a clearer message than "not found".
        self.read_only: set[str] = set()
        for chunk in chunks(codes - self.by_code.keys()):
            self.read_only |= set(
                Organization.objects.visible_to(actor).filter(code__in=chunk).values_list("code", flat=True)
            )
        for chunk in chunks(names - self.by_name.keys()):
            self.read_only |= set(
                Organization.objects.visible_to(actor).filter(name__in=chunk).values_list("name", flat=True)
            )
        org_ids = {o.pk for o in self.by_code.values()} | {o.pk for os in self.by_name.values() for o in os}
        self.groups: dict[tuple[int, str], Organization] = {}
        for chunk in chunks(org_ids):
            for g in Organization.objects.filter(parent_id__in=chunk, kind=Organization.Kind.GROUP):
                assert g.parent_id is not None
                for key in (g.code, g.short_name, g.name):
                    if key:
                        self.groups[(g.parent_id, key)] = g

    def resolve(self, row: _Row) -> Organization | None:
        code = cell_text(row.values.get("org_code"))
        name = cell_text(row.values.get("org_name"))
        key = "org_code" if code else "org_name"
        if not code and not name:
            row.error("org_code", "请填写所在党组织代码")
            return None
        if code:
            org = self.by_code.get(code)
        else:
            found = self.by_name.get(name, [])
            if len(found) > 1:
                row.error("org_name", f"有多个组织名为“{name}”，请填写所在党组织代码")
                return None
            org = found[0] if found else None
        if org is None:
            if (code or name) in self.read_only:
                row.error(key, f"您对组织“{code or name}”只有查看权限，不能导入党员")
            else:
                row.error(key, f"组织“{code or name}”不存在或不在您的管理范围内")
            return None
        if not org.is_active:
            row.error(key, f"组织“{org.name}”已撤销")
            return None
        return org

    def group(self, row: _Row, org: Organization | None) -> Organization | None:
        text = cell_text(row.values.get("party_group"))
        if not text or org is None:
            return None
        group = self.groups.get((org.pk, text))
        if group is None:
            row.error("party_group", f"“{org.display_name}”下没有党小组“{text}”")
        return group


def _registered(hashes: set[str]) -> set[str]:
    """Which of these ID-number hashes are registered, on PostgreSQL in one query with the hashes as one
    array parameter: an IN list of hundreds of 64-character literals per query costs the client-side
    driver more than the database (a county's file is tens of thousands of hashes, mostly new)."""
    table = connection.ops.quote_name(Member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number_hash FROM {table} WHERE id_number_hash = ANY(%s)", [list(hashes)])
        return {found for (found,) in cursor.fetchall()}


def _existing_members(hashes: set[str]) -> dict[str, Member]:
    if connection.vendor == "postgresql":
        hashes = _registered(hashes)  # only these are fetched as members
    found: dict[str, Member] = {}
    for chunk in chunks(hashes):
        found |= {
            m.id_number_hash: m
            for m in Member.objects.filter(id_number_hash__in=chunk).select_related("org", "party_group")
        }
    return found


def _shown(name: str, value: Any) -> Any:
    """A member field's value as the preview shows it: choice labels, dates as text, blanks as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    model_field = Member._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    choices = dict(model_field.flatchoices)
    return str(choices.get(value, value))


def _field_changes(member: Member, data: MemberData) -> dict[str, tuple[Any, Any]]:
    """Column header -> (before, after) for a known member the row would change (phones masked)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in _PLAIN_FIELDS:
        before, after = getattr(member, name), getattr(data, name)
        if before != after:
            model_field = Member._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            label = str(model_field.verbose_name)
            out[label] = (_shown(name, before), _shown(name, after))
    if member.org_id != data.org.pk:
        out["所在党组织"] = (member.org.name, data.org.name)
    group_id = data.party_group.pk if data.party_group else None
    if member.party_group_id != group_id:
        out["所在党小组"] = (
            member.party_group.name if member.party_group else "",
            data.party_group.name if data.party_group else "",
        )
    if member.phone_hash != personal.blind_index("phone", data.phone):
        out["联系电话"] = (member.phone_masked, personal.mask_phone(data.phone) if data.phone else "")
    return out


def _differs(member: Member, data: MemberData) -> bool:
    if any(getattr(member, name) != getattr(data, name) for name in _PLAIN_FIELDS):
        return True
    group_id = data.party_group.pk if data.party_group else None
    return (
        member.org_id != data.org.pk
        or member.party_group_id != group_id
        or member.phone_hash != personal.blind_index("phone", data.phone)
    )


def common_org(orgs: Iterable[Organization]) -> Organization | None:
    """The deepest organization above every touched one, so scoped auditors see the event."""
    paths = {o.path for o in orgs}
    if not paths:
        return None
    prefix = ""
    first = min(paths)
    for end in range(PATH_STEP, len(first) + 1, PATH_STEP):
        if all(p.startswith(first[:end]) for p in paths):
            prefix = first[:end]
        else:
            break
    return Organization.objects.filter(path=prefix).first() if prefix else None


# ---------------------------------------------------------------- import


# A long import reports how far its validation has come every this many rows (the wizard's progress bar).
PROGRESS_EVERY = 2000


def import_members(
    *,
    actor: Actor,
    file: IO[bytes] | str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row of a roster file; write all rows (new, changed) or none; one audit event.

    `progress(done, total)` is called every PROGRESS_EVERY rows while the rows are validated."""
    if not can_write_anywhere(actor):
        raise PermissionDenied("您没有导入党员的权限")
    result = ImportResult(file_name=file_name)
    try:
        rows = list(_read_rows(file, mapping))
    except RosterFileError:
        raise
    except Exception as exc:  # a damaged workbook can fail anywhere inside openpyxl
        raise RosterFileError("文件已损坏或格式不正确，请使用导入模板重新填写") from exc
    result.rows = len(rows)
    if not rows:
        raise RosterFileError("文件中没有党员数据行")
    parsed = [_parse(row) for row in rows]
    for row in rows:
        row.unreadable = {e.column for e in row.errors}
    seen: dict[str, list[_Row]] = defaultdict(list)
    for row, args in zip(rows, parsed, strict=True):
        if args["id_number"]:
            row.id_hash = personal.blind_index("id", args["id_number"])
            seen[row.id_hash].append(row)
    for dupes in seen.values():
        for row in dupes if len(dupes) > 1 else ():
            others = "、".join(str(r.number) for r in dupes if r is not row)
            row.error("id_number", f"公民身份号码与第{others}行重复")

    with transaction.atomic():
        orgs = _Orgs(actor, rows)
        existing = _existing_members(set(seen))
        placeholder = Organization(kind=Organization.Kind.BRANCH, path="")
        today, now = timezone.localdate(), timezone.now()  # once for the file, not per row
        to_create: list[MemberData] = []  # written with member_rows/insert_rows: no model instances
        to_update: list[Member] = []
        for done, (row, args) in enumerate(zip(rows, parsed, strict=True)):
            if progress is not None and done and done % PROGRESS_EVERY == 0:
                progress(done, len(rows))
            org = orgs.resolve(row)
            data = MemberData(org=org or placeholder, party_group=orgs.group(row, org), **args)
            member = existing.get(row.id_hash)
            problems = validate_member(data, existing=member, check_duplicates=False, today=today)
            for name, messages in problems.items():
                key = _ERROR_COLUMNS.get(name, name)
                if key == "org_code" and not cell_text(row.values.get("org_code")):
                    key = "org_name"
                if HEADERS[key] in row.unreadable:
                    continue  # already reported as unreadable; the model's message would repeat it
                for message in messages:
                    row.error(key, message)
            if member is not None and not covers(actor, member.org.path, write=True):
                row.error(
                    "id_number", "该公民身份号码已登记在您管理范围以外的组织，请联系上级组织办理组织关系转接"
                )
            result.errors.extend(row.errors)
            if row.errors or result.errors:
                continue  # once anything is wrong nothing is written; keep validating for the report
            if member is None:
                to_create.append(data)
                if len(result.changes) < CHANGES_SHOWN:
                    masked = personal.mask_id_number(data.id_number)
                    result.changes.append(MemberChange(row.number, masked, data.name.strip(), created=True))
            elif _differs(member, data):
                if len(result.changes) < CHANGES_SHOWN:
                    result.changes.append(
                        MemberChange(
                            row.number,
                            member.id_number_masked,
                            member.name,
                            created=False,
                            fields=_field_changes(member, data),
                        )
                    )
                apply_member_data(member, data, today=today)
                member.updated_at = now
                to_update.append(member)
            else:
                result.unchanged += 1
        if result.errors:
            result.unchanged = 0
            result.changes = []
            return result
        insert_rows(Member, MEMBER_ROW_COLUMNS, member_rows(to_create, today=today))
        Member.objects.bulk_update(to_update, _UPDATE_FIELDS, batch_size=BATCH)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            record_event(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                target_repr=f"导入党员名册 {file_name}".strip(),
                org=common_org([*(d.org for d in to_create), *(m.org for m in to_update)]),
                summary={
                    "file_name": file_name,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


# ---------------------------------------------------------------- template and export


def _header_style(cell: Any) -> None:
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="C8161D")


def build_template(*, example_org: Organization | None = None) -> bytes:
    """The import template: header row, one example row marked 示例, drop-downs, and a notes sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "党员名册"
    spreadsheets.append(ws, [c.header for c in COLUMNS])
    birth = dt.date(1985, 6, 15)
    example = {
        "seq": EXAMPLE_MARK,
        "name": "张三",
        "gender": "男",
        "ethnicity": "汉族",
        "birth_date": birth,
        "id_number": idcard.make("340101", birth, 11),
        "education": "大学本科",
        "category": "正式党员",
        "joined_on": dt.date(2010, 7, 1),
        "full_member_on": dt.date(2011, 7, 1),
        "org_code": example_org.code if example_org else "C0001",
        "org_name": example_org.name if example_org else "（组织全称）",
        "phone": "13800001234",
        "occupation": "科员",
        "status": "正常",
        "is_exempt": "否",
    }
    spreadsheets.append(ws, [example.get(c.key, "") for c in COLUMNS])
    last = 20001
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        _header_style(ws.cell(row=1, column=index))
        example_cell = ws.cell(row=2, column=index)
        example_cell.font = Font(italic=True, color="808080")
        if isinstance(example_cell.value, dt.date):
            example_cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions[letter].width = column.width
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
        if column.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error=f"{column.header}请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    spreadsheets.append(notes, ["列名", "说明", "可选值"])
    for index in range(1, 4):
        _header_style(notes.cell(row=1, column=index))
    for column in COLUMNS:
        spreadsheets.append(notes, [column.header, column.note, "、".join(column.choices)])
    spreadsheets.append(notes, [])
    spreadsheets.append(
        notes,
        [
            "说明",
            "第2行为示例（序号为“示例”），导入时跳过，可删除。以公民身份号码识别党员："
            "已登记的党员按本表更新，未登记的新增；整个文件无任何错误才会导入。",
        ],
    )
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 60
    notes.column_dimensions["C"].width = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_file_name() -> str:
    return f"党员名册_{timezone.localdate():%Y%m%d}.xlsx"


_EXPORT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "education",
    "category",
    "joined_on",
    "full_member_on",
    "org__code",
    "org__name",
    "party_group__name",
    "phone_masked",
    "occupation",
    "status",
    "is_exempt",
    "exempt_reason",
)


def _scope_org(user: Any) -> Organization | None:
    paths = scope_paths(user)
    if paths and len(paths) == 1:
        return Organization.objects.filter(path=paths[0]).first()
    return None


def export_members(*, user: Any, queryset: Any, filters: dict[str, Any] | None = None) -> bytes:
    """The roster of a (filtered) member list as .xlsx, ID numbers and phones masked; audited.

    The birth date is the year only, unless the user may see full personal data (orgs.unmask_member):
    with the year, the masked ID number leaves too little to rebuild it.
    """
    if not user.has_perm("orgs.export_member"):
        raise PermissionDenied("您没有导出党员名册的权限")
    full_birth_date = user.has_perm("orgs.unmask_member")
    labels = {
        "gender": dict(Member.Gender.choices),
        "education": dict(Member.Education.choices),
        "category": dict(Member.Category.choices),
        "status": dict(Member.Status.choices),
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    spreadsheets.append(ws, header)
    rows = queryset.visible_to(user).order_by("org__path", "pk").values_list(*_EXPORT_FIELDS)
    count = 0
    for values in rows.iterator(chunk_size=2000):
        count += 1
        record = dict(zip(_EXPORT_FIELDS, values, strict=True))
        for key, mapping in labels.items():
            record[key] = mapping.get(record[key], record[key])
        record["is_exempt"] = "是" if record["is_exempt"] else "否"
        if not full_birth_date:
            record["birth_date"] = f"{record['birth_date']:%Y}"
        record |= {
            "seq": count,
            "id_number": record["id_number_masked"],
            "phone": record["phone_masked"],
            "org_code": record["org__code"],
            "org_name": record["org__name"],
            "party_group": record["party_group__name"] or "",
        }
        spreadsheets.append(ws, [record.get(c.key) for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        target_repr=f"导出党员名册 {count} 人",
        org=_scope_org(user),
        summary={"filters": filters or {}, "rows": count, "file_name": export_file_name()},
    )
    return out.getvalue()
