"""The .xlsx import: per-row Chinese errors, nothing written unless the whole file is clean; duplicates
skipped; the template and an export read back; Aiken/GIFT into the bank."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from quizzes.models import Question
from quizzes.services.imports import (
    HEADERS,
    ImportFileError,
    build_template,
    export_xlsx,
    import_text,
    import_xlsx,
)
from quizzes.tests.conftest import Bank


def book(*rows: list[Any]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def row(kind: str, category: str, stem: str, options: list[str], answer: str, **extra: str) -> list[Any]:
    cells = {"序号": 1, "题型": kind, "分类": category, "题干": stem, "正确答案": answer, **extra}
    for i, o in enumerate(options):
        cells[f"选项{chr(65 + i)}"] = o
    return [cells.get(h) for h in HEADERS]


def test_clean_file_imports_every_kind(cast: Any, bank: Bank) -> None:
    before = Question.objects.count()
    result = import_xlsx(
        actor=cast.dept_admin,
        org=cast.county,
        file=book(
            row("单选", "党的理论/党章", "新单选题？", ["甲", "乙"], "B", 难度="难", 标签="党章 基础"),
            row("多选", "党章", "新多选题？", ["甲", "乙", "丙"], "AC"),
            row("判断", "二十大报告", "新判断题。", [], "错"),
            row("填空", "党章", "新填空（ ）和（ ）", [], "人民|群众；党"),
        ),
    )
    assert result.ok and result.created == 4
    assert Question.objects.count() == before + 4
    fill = Question.objects.get(current__stem="新填空（ ）和（ ）")
    assert fill.current.answer == [["人民", "群众"], ["党"]]
    hard = Question.objects.get(current__stem="新单选题？")
    assert hard.difficulty == 3 and sorted(t.name for t in hard.tags.all()) == ["党章", "基础"]


def test_any_bad_row_imports_nothing_and_names_each_fault(cast: Any, bank: Bank) -> None:
    before = Question.objects.count()
    result = import_xlsx(
        actor=cast.dept_admin,
        org=cast.county,
        file=book(
            row("单选", "党章", "好题？", ["甲", "乙"], "A"),
            row("单选", "党章", "两个答案？", ["甲", "乙"], "AB"),
            row("多选", "党章", "没有答案？", ["甲", "乙"], ""),
            row("单选", "不存在的分类", "分类错？", ["甲", "乙"], "A"),
            row("问答", "党章", "题型错？", [], "A"),
        ),
    )
    assert not result.ok and result.created == 0
    assert Question.objects.count() == before
    faults = {(e.row, e.column): e.message for e in result.errors}
    assert "只能有一个正确答案" in faults[(3, "正确答案")]
    assert faults[(4, "正确答案")] == "请指定正确答案"
    assert "不存在" in faults[(5, "分类")]
    assert faults[(6, "题型")].startswith("题型应为")


def test_duplicates_in_the_bank_and_in_the_file_are_skipped(cast: Any, bank: Bank) -> None:
    result = import_xlsx(
        actor=cast.dept_admin,
        org=cast.county,
        file=book(
            row("单选", "党章", "党章第0题", ["甲", "乙"], "A"),
            row("单选", "党章", "全新的题。", ["甲", "乙"], "A"),
            row("单选", "党章", "全新的题", ["甲", "乙"], "B"),
        ),
    )
    assert result.ok and result.created == 1 and result.duplicates == [2, 4]


def test_not_an_xlsx_is_refused_in_chinese(cast: Any, bank: Bank) -> None:
    with pytest.raises(ImportFileError, match="无法读取该文件"):
        import_xlsx(actor=cast.dept_admin, org=cast.county, file=io.BytesIO(b"not a zip"))


def test_template_example_row_is_skipped(cast: Any, bank: Bank) -> None:
    with pytest.raises(ImportFileError, match="没有题目"):
        import_xlsx(actor=cast.dept_admin, org=cast.county, file=io.BytesIO(build_template(cast.county)))


def test_export_reimports_as_duplicates(cast: Any, bank: Bank) -> None:
    data = export_xlsx(Question.objects.filter(org=cast.county))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 21
    result = import_xlsx(actor=cast.dept_admin, org=cast.county, file=io.BytesIO(data))
    assert result.ok and result.created == 0 and len(result.duplicates) == 20


def test_gift_import_with_an_unknown_category_imports_nothing(cast: Any, bank: Bank) -> None:
    text = "$CATEGORY: top/党的理论/党章\n\n甲题 {=对 ~错}\n\n$CATEGORY: 无此分类\n\n乙题 {T}\n"
    result = import_text(actor=cast.dept_admin, org=cast.county, text=text, fmt="gift", category=bank.root)
    assert not result.ok and "无此分类" in result.errors[0].message
    assert not Question.objects.filter(current__stem="甲题").exists()
    ok = import_text(
        actor=cast.dept_admin,
        org=cast.county,
        text=text.split("$CATEGORY: 无")[0],
        fmt="gift",
        category=bank.root,
    )
    assert ok.created == 1
    assert Question.objects.get(current__stem="甲题").category == bank.charter
