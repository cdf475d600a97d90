"""Importing questions into a bank: the .xlsx template (per-row errors, all or nothing, like the roster
import, whose safe reading of the archive it reuses), and the open text formats Aiken and GIFT
(quizzes.formats parses them). Duplicates, in the file or already in the bank, are skipped and listed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from orgs import spreadsheets
from orgs.models import Organization
from orgs.services.roster import RosterFileError, check_xlsx
from quizzes import formats
from quizzes.models import Category, Difficulty, Question
from quizzes.services.questions import (
    MAX_OPTIONS,
    QuestionData,
    add_questions,
    check_question,
    require_bank,
    stem_key,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_MARK = "示例"
MAX_ROWS = 5000
OPTION_HEADERS = [f"选项{chr(ord('A') + i)}" for i in range(MAX_OPTIONS)]
HEADERS = ["序号", "题型", "分类", "题干", *OPTION_HEADERS, "正确答案", "难度", "标签", "解析", "出处"]
KIND_LABELS = {label: value for value, label in Question.Kind.choices}
DIFFICULTY_LABELS = {label: value for value, label in Difficulty.choices}
JUDGE_WORDS = {
    "正确": 0,
    "对": 0,
    "√": 0,
    "T": 0,
    "TRUE": 0,
    "是": 0,
    "错误": 1,
    "错": 1,
    "×": 1,
    "F": 1,
    "FALSE": 1,
    "否": 1,
}
FIELD_COLUMNS = {
    "kind": "题型",
    "stem": "题干",
    "options": "选项",
    "answer": "正确答案",
    "difficulty": "难度",
    "category": "分类",
}


class ImportFileError(Exception):
    """The upload cannot be read at all (message in Chinese)."""


@dataclass
class RowError:
    row: int  # the row (xlsx) or line (text formats) as the user sees it
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    duplicates: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Categories:
    """Resolves 分类 text (党的理论/党章, or a last name when unique) among a bank's categories."""

    def __init__(self, org: Organization) -> None:
        rows = list(Category.objects.filter(org=org).select_related("parent"))
        by_id = {c.pk: c for c in rows}
        self.by_path: dict[str, Category] = {}
        names: dict[str, list[Category]] = {}
        for c in rows:
            parts = [c.name]
            parent_id = c.parent_id
            while parent_id is not None:
                parts.append(by_id[parent_id].name)
                parent_id = by_id[parent_id].parent_id
            self.by_path["/".join(reversed(parts))] = c
            names.setdefault(c.name, []).append(c)
        self.by_name = {n: cs[0] for n, cs in names.items() if len(cs) == 1}

    def resolve(self, text: str) -> Category | None:
        key = re.sub(r"\s*[/／>›》]\s*", "/", text.strip())
        return self.by_path.get(key) or self.by_name.get(key)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _letters(text: str) -> list[int]:
    cleaned = re.sub(r"[\s,，、;；]", "", text.upper())
    return [ord(ch) - ord("A") for ch in cleaned] if cleaned.isalpha() and cleaned.isascii() else [-1]


def parse_answer(kind: str, text: str) -> list[Any]:
    """正确答案 cell → answer: A / ACD, 正确 / 错误, 填空 blanks split by ；, variants by |."""
    if kind == Question.Kind.JUDGE:
        word = text.strip().upper()
        return [JUDGE_WORDS[word]] if word in JUDGE_WORDS else [-1]
    if kind == Question.Kind.FILL:
        return [[v.strip() for v in blank.split("|")] for blank in re.split(r"[;；]", text) if blank.strip()]
    return _letters(text) if text else []


def _rows(file: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        check_xlsx(file)
    except RosterFileError as exc:
        raise ImportFileError(str(exc).replace("名册", "题库")) from None
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("无法读取该文件，请上传用题库导入模板填写的 .xlsx 文件") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        columns: dict[str, int] = {}
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise ImportFileError(f"文件超过 {MAX_ROWS} 行，请分成几个文件导入")
            if not columns:
                found = {re.sub(r"[\s*＊]", "", _text(v)): i for i, v in enumerate(values)}
                if "题干" in found and "题型" in found:
                    columns = {h: found[h] for h in HEADERS if h in found}
                    missing = [h for h in ("分类", "正确答案") if h not in columns]
                    if missing:
                        raise ImportFileError(f"表头缺少以下列：{'、'.join(missing)}。请使用导入模板")
                elif number >= 10:
                    break
                continue
            cells = {h: (values[i] if i < len(values) else None) for h, i in columns.items()}
            if all(_text(v) == "" for v in cells.values()) or _text(cells.get("序号")).startswith(
                EXAMPLE_MARK
            ):
                continue
            yield number, cells
        if not columns:
            raise ImportFileError("未找到表头行（应包含“题型”“分类”“题干”“正确答案”等列）。请使用导入模板")
    finally:
        workbook.close()


def _row_data(cells: dict[str, Any]) -> tuple[QuestionData, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    kind = KIND_LABELS.get(_text(cells.get("题型")), "")
    if not kind:
        problems.append(("题型", "题型应为：单选、多选、判断、填空"))
    level = _text(cells.get("难度")) or "中"
    difficulty = DIFFICULTY_LABELS.get(level, 0)
    options = [_text(cells.get(h)) for h in OPTION_HEADERS]
    while options and not options[-1]:
        options.pop()
    data = QuestionData(
        kind=kind,
        stem=_text(cells.get("题干")),
        options=options,
        answer=parse_answer(kind, _text(cells.get("正确答案"))),
        explanation=_text(cells.get("解析")),
        source=_text(cells.get("出处")),
        difficulty=difficulty,
        tags=[t for t in re.split(r"[\s,，、;；]+", _text(cells.get("标签"))) if t],
    )
    return data, problems


def import_xlsx(*, actor: Any, org: Organization, file: IO[bytes]) -> ImportResult:
    """Check every row; write only a file without a single error (one transaction, one audit event)."""
    require_bank(actor, org)
    categories = Categories(org)
    result = ImportResult()
    items: list[tuple[int, Category, QuestionData]] = []
    for number, cells in _rows(file):
        result.rows += 1
        data, problems = _row_data(cells)
        category_text = _text(cells.get("分类"))
        category = categories.resolve(category_text) if category_text else None
        if category is None:
            problems.append(
                ("分类", f"分类“{category_text}”不存在，请先在题库中建立" if category_text else "请填写分类")
            )
        if data.kind:
            for key, messages in check_question(data).items():
                problems.extend((FIELD_COLUMNS.get(key, key), m) for m in messages)
        result.errors.extend(RowError(number, column, message) for column, message in problems)
        if not problems and category is not None:
            items.append((number, category, data))
    if result.rows == 0 and not result.errors:
        raise ImportFileError("文件中没有题目")
    return _write(actor, org, items, result)


def import_text(*, actor: Any, org: Organization, text: str, fmt: str, category: Category) -> ImportResult:
    """Aiken or GIFT text into the bank; GIFT's $CATEGORY: lines name existing categories."""
    require_bank(actor, org)
    if category.org_id != org.pk:
        raise ImportFileError("分类不属于该题库")
    parsed = formats.parse_aiken(text) if fmt == "aiken" else formats.parse_gift(text)
    categories = Categories(org)
    result = ImportResult(rows=len(parsed.questions))
    result.errors.extend(RowError(e.line, "", e.message) for e in parsed.errors)
    items: list[tuple[int, Category, QuestionData]] = []
    for q in parsed.questions:
        target = categories.resolve(q.category) if q.category else category
        problems = [] if target else [f"分类“{q.category}”不存在，请先在题库中建立"]
        problems += [m for messages in check_question(q.data).values() for m in messages]
        result.errors.extend(RowError(q.line, "", m) for m in problems)
        if not problems and target is not None:
            items.append((q.line, target, q.data))
    if not parsed.questions and not parsed.errors:
        raise ImportFileError("没有读到任何题目，请检查格式")
    return _write(actor, org, items, result)


def _write(
    actor: Any, org: Organization, items: list[tuple[int, Category, QuestionData]], result: ImportResult
) -> ImportResult:
    if result.errors:
        return result
    with transaction.atomic():
        existing = set(
            Question.objects.filter(
                org=org, retired_at__isnull=True, stem_key__in={stem_key(d.stem) for _, _, d in items}
            ).values_list("stem_key", flat=True)
        )
        fresh: list[tuple[Category, QuestionData]] = []
        for number, category, data in items:
            key = stem_key(data.stem)
            if key in existing:
                result.duplicates.append(number)
                continue
            existing.add(key)
            fresh.append((category, data))
        add_questions(actor=actor, org=org, items=fresh)
        result.created = len(fresh)
    return result


def _header_style(cell: Any) -> None:
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor="C8161D")


def answer_text(kind: str, answer: list[Any]) -> str:
    if kind == Question.Kind.FILL:
        return "；".join("|".join(blank) for blank in answer)
    if kind == Question.Kind.JUDGE:
        return "正确" if answer == [0] else "错误"
    return "".join(chr(ord("A") + i) for i in answer)


def _write_book(title: str, rows: list[list[Any]], notes: list[list[str]] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    spreadsheets.append(ws, HEADERS)
    for row in rows:
        spreadsheets.append(ws, row)
    for index, header in enumerate(HEADERS, start=1):
        _header_style(ws.cell(row=1, column=index))
        ws.column_dimensions[get_column_letter(index)].width = 40 if header in ("题干", "解析") else 12
    ws.freeze_panes = "A2"
    if notes:
        sheet = wb.create_sheet("填写说明")
        for row in notes:
            spreadsheets.append(sheet, row)
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_template(org: Organization) -> bytes:
    category = Category.objects.filter(org=org).order_by("pk").first()
    example_category = category.label().replace(" › ", "/") if category else "党章"
    example = [EXAMPLE_MARK, "单选", example_category, "党的最高领导机关是（ ）。"]
    example += ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "中央军事委员会"]
    example += [""] * (MAX_OPTIONS - 4)
    example += ["A", "易", "党章 组织制度", "党章第十条规定……", "《中国共产党章程》第十条"]
    notes = [
        ["列名", "说明"],
        ["题型", "单选、多选、判断、填空"],
        ["分类", "题库中已有的分类，多级用“/”分隔，如 党的理论/党章；名称唯一时可只写末级"],
        ["选项A—H", "选择题的选项，至少两个；判断题、填空题不填"],
        [
            "正确答案",
            "单选填一个字母（A）；多选填多个字母（ACD）；判断填 正确/错误；填空题各空之间用“；”分隔，同一空的多个可接受答案用“|”分隔",
        ],
        ["难度", "易、中、难（不填为中）"],
        ["标签", "多个标签用空格或逗号分隔"],
        [
            "说明",
            "第2行为示例（序号为“示例”），导入时跳过。整个文件无任何错误才会导入；与题库中已有题目题干相同（忽略标点和空格）的跳过。",
        ],
    ]
    return _write_book("题库", [example], notes)


def export_xlsx(questions: Any) -> bytes:
    """The questions (a queryset) in the import template's columns: an export imports back unchanged."""
    rows = []
    qs = questions.select_related("current", "category", "category__parent").prefetch_related("tags")
    for n, q in enumerate(qs.iterator(chunk_size=500), start=1):
        v = q.current
        if v is None:
            continue
        options = list(v.options) + [""] * (MAX_OPTIONS - len(v.options))
        rows.append(
            [
                n,
                q.get_kind_display(),
                q.category.label().replace(" › ", "/"),
                v.stem,
                *options,
                answer_text(q.kind, v.answer),
                q.get_difficulty_display(),
                " ".join(t.name for t in q.tags.all()),
                v.explanation,
                v.source,
            ]
        )
    return _write_book("题库", rows)
