"""The open text formats of question banks: Aiken and GIFT (Moodle's), read and written.

No maintained GIFT parser is published on PyPI (the few packages are unmaintained one-offs), so this is a
small parser of the part of GIFT our questions can hold, written against Moodle's format description
(docs.moodle.org/en/GIFT_format):

- `// comment` lines; `$CATEGORY: top/党的理论/党章` (the leading `$course$/` and `top/` are dropped);
- `::title::` (ignored), the question text, and one answer block `{…}`, text may follow it (the missing
  word form: the block's place becomes “（ ）” in the stem);
- `{T}` `{F}` `{TRUE}` `{FALSE}` → 判断; `{=right ~wrong …}` → 单选; `{~%50%a ~%50%b ~%-100%c}` → 多选
  (the options with a positive weight are correct); `{=a =b}` (no `~`) → 填空 with accepted variants;
- `####text` in the block → 解析; `#feedback` after an answer is per-answer feedback, which we do not keep;
- escapes `\\~ \\= \\# \\{ \\} \\:` and `\\n`.

Aiken: the question on one line, options `A. …` or `A) …`, then `ANSWER: B`; 单选 only (判断 written as a
two-option 单选 and read back as one). What a format cannot hold is not written: export skips those
questions and says how many.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from quizzes.services.questions import JUDGE_OPTIONS, QuestionData

ESCAPES = {
    "\\~": "\ue001",
    "\\=": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
}
PLAIN = {v: k[1] for k, v in ESCAPES.items()}
BLANK = "（ ）"


@dataclass
class FormatError:
    line: int
    message: str


@dataclass
class Parsed:
    line: int
    data: QuestionData
    category: str = ""


@dataclass
class ParseResult:
    questions: list[Parsed] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    """Groups of non-blank lines, with the line number of their first line."""
    start = 0
    lines: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.rstrip())
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


# ---------------------------------------------------------------- Aiken

_AIKEN_OPTION = re.compile(r"^\s*([A-Z])\s*[.)．、]\s*(.+)$")
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]\s*([A-Z])\s*$", re.IGNORECASE)


def parse_aiken(text: str) -> ParseResult:
    result = ParseResult()
    for start, lines in _blocks(text):
        match = _AIKEN_ANSWER.match(lines[-1])
        options = [_AIKEN_OPTION.match(line) for line in lines[1:-1]]
        if match is None:
            result.errors.append(FormatError(start, "缺少“ANSWER: 字母”行"))
            continue
        if len(lines) < 4 or not all(options):
            result.errors.append(
                FormatError(start, "格式应为：题干一行，每个选项一行（A. …），最后一行 ANSWER: 字母")
            )
            continue
        letters = [m.group(1) for m in options if m]
        texts = [m.group(2).strip() for m in options if m]
        if letters != [chr(ord("A") + i) for i in range(len(letters))]:
            result.errors.append(FormatError(start, "选项字母应从 A 起依次排列"))
            continue
        answer = ord(match.group(1).upper()) - ord("A")
        if texts == JUDGE_OPTIONS:
            data = QuestionData(kind="judge", stem=lines[0].strip(), answer=[answer])
        else:
            data = QuestionData(kind="single", stem=lines[0].strip(), options=texts, answer=[answer])
        result.questions.append(Parsed(start, data))
    return result


def write_aiken(questions: Iterable[Any]) -> tuple[str, int]:
    """Aiken text of the 单选 and 判断 questions, and how many others were skipped."""
    out, skipped = [], 0
    for q in questions:
        v = q.current
        if q.kind not in ("single", "judge") or v is None or "\n" in v.stem:
            skipped += 1
            continue
        lines = [v.stem]
        lines += [f"{chr(ord('A') + i)}. {o}" for i, o in enumerate(v.options)]
        lines.append(f"ANSWER: {chr(ord('A') + v.answer[0])}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + ("\n" if out else ""), skipped


# ---------------------------------------------------------------- GIFT


def _hide(text: str) -> str:
    for k, v in ESCAPES.items():
        text = text.replace(k, v)
    return text


def _show(text: str) -> str:
    text = text.replace("\\n", "\n")
    for k, v in PLAIN.items():
        text = text.replace(k, v)
    return text.strip()


def _category(line: str) -> str:
    path = line.split(":", 1)[1].strip()
    path = re.sub(r"^\$(course|cat\d|system|module)\$/", "", path)
    path = re.sub(r"^top/", "", path)
    return path


_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _answers(block: str) -> tuple[list[tuple[str, str]], str]:
    """The block's answers as (mark, text) with mark "=", "~" or "~%w%", and the general feedback."""
    explanation = ""
    if "####" in block:
        block, explanation = block.split("####", 1)
    parts = re.split(r"(?=[=~])", block)
    answers = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        mark, body = part[0], part[1:]
        weight = _WEIGHT.match(body)
        if weight:
            mark += weight.group(0)
            body = body[weight.end() :]
        body = body.split("#", 1)[0]  # per-answer feedback: not kept
        answers.append((mark, _show(body)))
    return answers, _show(explanation)


def _gift_question(start: int, body: str) -> QuestionData | str:
    body = re.sub(r"^::.*?::", "", body.strip(), flags=re.S).strip()
    body = re.sub(r"^\[(html|moodle|plain|markdown)\]", "", body).strip()
    opened, closed = body.find("{"), body.rfind("}")
    if opened < 0 or closed < opened:
        return "缺少答案部分 {…}"
    if body.count("{") != 1 or body.count("}") != 1:
        return "每道题只能有一个答案部分 {…}（文字中的 { } 请写作 \\{ \\}）"
    before, block, after = _show(body[:opened]), body[opened + 1 : closed].strip(), _show(body[closed + 1 :])
    stem = f"{before}{BLANK}{after}" if after else before
    flag = block.split("####", 1)[0].split("#", 1)[0].strip().upper()
    if flag in ("T", "TRUE", "F", "FALSE"):
        explanation = _show(block.split("####", 1)[1]) if "####" in block else ""
        return QuestionData(
            kind="judge", stem=stem, answer=[0 if flag.startswith("T") else 1], explanation=explanation
        )
    answers, explanation = _answers(block)
    if not answers:
        return "答案部分为空"
    if all(mark == "=" for mark, _ in answers):
        return QuestionData(
            kind="fill",
            stem=stem if after else f"{before}{BLANK}",
            answer=[[t for _, t in answers]],
            explanation=explanation,
        )
    weighted = [m for m, _ in answers if "%" in m]
    if weighted:
        right = [i for i, (m, _) in enumerate(answers) if float(m.split("%")[1]) > 0]
        kind = "multiple" if len(right) > 1 else "single"
    else:
        right = [i for i, (m, _) in enumerate(answers) if m == "="]
        kind = "single"
    return QuestionData(
        kind=kind, stem=stem, options=[t for _, t in answers], answer=right, explanation=explanation
    )


def parse_gift(text: str) -> ParseResult:
    result = ParseResult()
    category = ""
    for start, lines in _blocks(_hide(text)):
        kept: list[str] = []
        line_no = start
        for offset, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("//"):
                continue
            if stripped.startswith("$CATEGORY:"):
                category = _category(stripped)
                continue
            if not kept:
                line_no = start + offset
            kept.append(line)
        if not kept:
            continue
        parsed = _gift_question(line_no, "\n".join(kept))
        if isinstance(parsed, str):
            result.errors.append(FormatError(line_no, parsed))
        else:
            result.questions.append(Parsed(line_no, parsed, category))
    return result


def _escape(text: str) -> str:
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def write_gift(questions: Iterable[Any]) -> tuple[str, int]:
    """GIFT text grouped by $CATEGORY:, and how many questions were skipped (填空 with several blanks)."""
    out: list[str] = []
    skipped = 0
    category = None
    for q in questions:
        v = q.current
        if v is None or (q.kind == "fill" and len(v.answer) != 1):
            skipped += 1
            continue
        label = q.category.label().replace(" › ", "/")
        if label != category:
            category = label
            out.append(f"$CATEGORY: top/{label}")
        stem = _escape(v.stem)
        tail = f" ####{_escape(v.explanation)}" if v.explanation else ""
        if q.kind == "judge":
            block = ("T" if v.answer == [0] else "F") + tail
        elif q.kind == "fill":
            block = " ".join(f"={_escape(a)}" for a in v.answer[0]) + tail
            if BLANK in v.stem:
                head, rest = v.stem.split(BLANK, 1)
                out.append(f"{_escape(head)} {{{block}}} {_escape(rest)}".rstrip())
                continue
        elif q.kind == "single":
            block = (
                " ".join(("=" if i in v.answer else "~") + _escape(o) for i, o in enumerate(v.options)) + tail
            )
        else:
            right = len(v.answer)
            wrong = len(v.options) - right
            marks = {i: f"~%{_weight(100, right)}%" for i in v.answer}
            block = (
                " ".join(
                    marks.get(i, f"~%-{_weight(100, wrong)}%") + _escape(o) for i, o in enumerate(v.options)
                )
                + tail
            )
        out.append(f"{stem} {{{block}}}")
    return "\n\n".join(out) + ("\n" if out else ""), skipped


def _weight(total: int, parts: int) -> str:
    return f"{total / parts:.5f}".rstrip("0").rstrip(".")
