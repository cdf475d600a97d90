"""Scoring one answer against the version it was shown (no database access)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from quizzes.models import Question, QuestionVersion
from quizzes.services.questions import normalize_text

ONE = Decimal("1")
ZERO = Decimal("0")


def clean_response(kind: str, version: QuestionVersion, raw: Any) -> list[Any]:
    """The answer as stored: option indexes of the version (sorted, unique, in range), or texts per blank.

    Raises ValueError (Chinese) for an answer of the wrong shape."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    if kind == Question.Kind.FILL:
        if len(raw) > len(version.answer):
            raise ValueError("填空数量与题目不符")
        return [str(v)[:200] for v in raw]
    try:
        picked = sorted({int(v) for v in raw})
    except (TypeError, ValueError):
        raise ValueError("选项格式不正确") from None
    if any(i < 0 or i >= len(version.options) for i in picked):
        raise ValueError("所选选项不存在")
    if kind != Question.Kind.MULTIPLE and len(picked) > 1:
        raise ValueError("该题只能选一个答案")
    return picked


def credit(kind: str, version: QuestionVersion, response: list[Any] | None, *, partial: bool) -> Decimal:
    """1 for right, 0 for wrong; 多选 with `partial` gives the share found when nothing wrong was picked;
    填空 gives the share of blanks filled with an accepted variant."""
    if not response:
        return ZERO
    if kind == Question.Kind.FILL:
        blanks = version.answer
        right = sum(
            1
            for given, accepted in zip(response, blanks, strict=False)
            if normalize_text(str(given)) in {normalize_text(a) for a in accepted}
        )
        return (Decimal(right) / Decimal(len(blanks))).quantize(Decimal("0.001")) if blanks else ZERO
    answer = set(version.answer)
    given = set(response)
    if given == answer:
        return ONE
    if kind == Question.Kind.MULTIPLE and partial and given < answer:
        return (Decimal(len(given)) / Decimal(len(answer))).quantize(Decimal("0.001"))
    return ZERO


def percent(credits: list[Decimal], count: int) -> Decimal:
    if count == 0:
        return ZERO
    return (sum(credits, ZERO) * 100 / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
