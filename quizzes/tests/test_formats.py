"""Aiken and GIFT: reading, writing, and a round trip without loss of what the format holds."""

from __future__ import annotations

from types import SimpleNamespace

from quizzes.formats import parse_aiken, parse_gift, write_aiken, write_gift
from quizzes.services.questions import QuestionData

AIKEN = """党的最高领导机关是？
A. 党的全国代表大会和它所产生的中央委员会
B. 中央政治局
C) 中央书记处
ANSWER: A

预备党员的预备期为一年。
A. 正确
B. 错误
ANSWER: A

没有答案的题
A. 甲
B. 乙
"""

GIFT = """// 党章测试
$CATEGORY: $course$/top/党的理论/党章

::Q1:: 党的最高领导机关是 {=党的全国代表大会和它所产生的中央委员会 ~中央政治局 ~中央书记处 ####见党章第十条}

预备党员的预备期为一年。{T}

党的三大优良作风包括 {~%50%理论联系实际 ~%50%密切联系群众 ~%-100%官僚主义}

党的根本宗旨是 {=全心全意为人民服务 =全心全意为人民服务。} 。

比例 1\\:1 的题 \\{括号\\} {=甲 ~乙#不对}

没有答案的题
"""


def test_aiken_reads_single_and_judge_and_reports_a_missing_answer_line() -> None:
    result = parse_aiken(AIKEN)
    assert [q.data.kind for q in result.questions] == ["single", "judge"]
    assert result.questions[0].data.options[2] == "中央书记处"
    assert result.questions[1].data.answer == [0]
    assert [(e.line, e.message) for e in result.errors] == [(12, "缺少“ANSWER: 字母”行")]


def test_gift_reads_every_kind_with_categories_and_escapes() -> None:
    result = parse_gift(GIFT)
    kinds = [q.data.kind for q in result.questions]
    assert kinds == ["single", "judge", "multiple", "fill", "single"]
    first = result.questions[0]
    assert first.category == "党的理论/党章"
    assert first.data.answer == [0] and first.data.explanation == "见党章第十条"
    assert result.questions[2].data.answer == [0, 1]
    assert result.questions[3].data.stem == "党的根本宗旨是（ ）。"
    assert result.questions[3].data.answer == [["全心全意为人民服务", "全心全意为人民服务。"]]
    assert result.questions[4].data.stem == "比例 1:1 的题 {括号}"
    assert result.questions[4].data.options == ["甲", "乙"]
    assert [e.message for e in result.errors] == ["缺少答案部分 {…}"]


def _question(kind: str, data: QuestionData, category: str = "党章") -> SimpleNamespace:
    version = SimpleNamespace(
        stem=data.stem, options=data.options, answer=data.answer, explanation=data.explanation
    )
    label = SimpleNamespace(label=lambda: category)
    return SimpleNamespace(kind=kind, current=version, category=label)


def test_gift_round_trip_keeps_what_gift_holds() -> None:
    originals = [
        QuestionData(
            "single",
            "党的最高领导机关是？",
            ["全国代表大会", "中央委员会 = 中委", "书记处"],
            [0],
            "见#第十条",
        ),
        QuestionData(
            "multiple", "下列属于“四个意识”的是", ["政治意识", "大局意识", "核心意识", "个人意识"], [0, 1, 2]
        ),
        QuestionData("judge", "党章规定预备期为一年：对吗", ["正确", "错误"], [1]),
        QuestionData("fill", "党的根本宗旨是（ ）。", [], [["全心全意为人民服务", "为人民服务"]]),
    ]
    text, skipped = write_gift([_question(d.kind, d) for d in originals])
    assert skipped == 0
    back = parse_gift(text)
    assert not back.errors
    for original, parsed in zip(originals, back.questions, strict=True):
        assert parsed.category == "党章"
        assert (parsed.data.kind, parsed.data.stem, parsed.data.answer) == (
            original.kind,
            original.stem,
            original.answer,
        )
        if original.kind != "judge":
            assert parsed.data.options == original.options
        assert parsed.data.explanation == original.explanation


def test_aiken_writes_only_what_it_can_hold() -> None:
    single = QuestionData("single", "题一", ["甲", "乙"], [1])
    multiple = QuestionData("multiple", "题二", ["甲", "乙", "丙"], [0, 1])
    text, skipped = write_aiken([_question("single", single), _question("multiple", multiple)])
    assert skipped == 1
    back = parse_aiken(text)
    assert back.questions[0].data.answer == [1] and back.questions[0].data.options == ["甲", "乙"]
