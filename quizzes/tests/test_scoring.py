from __future__ import annotations

from decimal import Decimal

import pytest

from quizzes.models import QuestionVersion
from quizzes.services.scoring import clean_response, credit, percent

MULTI = QuestionVersion(stem="多选", options=["甲", "乙", "丙", "丁"], answer=[0, 2, 3])
FILL = QuestionVersion(stem="（ ）是（ ）", answer=[["中国共产党", "中共"], ["领导核心"]])


def test_multiple_all_or_nothing() -> None:
    assert credit("multiple", MULTI, [0, 2, 3], partial=False) == 1
    assert credit("multiple", MULTI, [0, 2], partial=False) == 0


def test_multiple_partial_when_nothing_wrong_was_picked() -> None:
    assert credit("multiple", MULTI, [0, 2], partial=True) == Decimal("0.667")
    assert credit("multiple", MULTI, [0, 1], partial=True) == 0


def test_fill_accepts_variants_whatever_the_width_and_punctuation() -> None:
    assert credit("fill", FILL, ["中共", " 领导核心。"], partial=False) == 1
    assert credit("fill", FILL, ["ＣＰＣ", "领导核心"], partial=False) == Decimal("0.5")


def test_wrong_shaped_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="只能选一个"):
        clean_response("single", MULTI, [0, 1])
    with pytest.raises(ValueError, match="不存在"):
        clean_response("multiple", MULTI, [9])


def test_percent_rounds_half_up() -> None:
    assert percent([Decimal("1"), Decimal("0"), Decimal("0.5")], 3) == Decimal("50.0")
