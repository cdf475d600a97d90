from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quizzes import services
from quizzes.models import Question
from quizzes.services import QuestionData, check_question
from quizzes.services.questions import stem_key
from quizzes.tests.conftest import Bank, single


def test_single_with_two_correct_answers_is_refused() -> None:
    errors = check_question(QuestionData(kind="single", stem="题", options=["A", "B"], answer=[0, 1]))
    assert "只能有一个正确答案" in errors["answer"][0]


def test_question_with_no_correct_answer_is_refused() -> None:
    errors = check_question(QuestionData(kind="multiple", stem="题", options=["A", "B", "C"], answer=[]))
    assert errors["answer"] == ["请指定正确答案"]


def test_fill_needs_a_variant_for_every_blank() -> None:
    errors = check_question(QuestionData(kind="fill", stem="（ ）和（ ）", answer=[["人民"], []]))
    assert "每个空" in errors["answer"][0]


def test_judge_gets_fixed_options() -> None:
    data = QuestionData(kind="judge", stem="党章是最根本的党内法规。", answer=[0])
    assert check_question(data) == {}
    assert data.options == ["正确", "错误"]


def test_stems_differing_in_punctuation_and_width_are_duplicates() -> None:
    assert stem_key("中国共产党是 中国工人阶级的先锋队。") == stem_key("中国共产党是中国工人阶级的先锋队")
    assert stem_key("ＡＢＣ，题") == stem_key("abc题")


def test_editing_makes_a_new_version_and_keeps_the_old(cast: Any, bank: Bank) -> None:
    question = bank.questions[0]
    first = question.current
    data = single("党章第0题（修订）？", right=2)
    services.edit_question(actor=cast.dept_admin, question=question, category=bank.charter, data=data)
    question.refresh_from_db()
    assert question.current.number == 2
    assert question.current.answer == [2]
    assert question.versions.count() == 2
    first.refresh_from_db()
    assert first.stem == "党章第0题？"


def test_saving_unchanged_text_makes_no_version(cast: Any, bank: Bank) -> None:
    question = bank.questions[0]
    services.edit_question(
        actor=cast.dept_admin,
        question=question,
        category=bank.report,
        data=single("党章第0题？", difficulty=1),
    )
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert question.category == bank.report


def test_duplicate_stem_is_refused(cast: Any, bank: Bank) -> None:
    with pytest.raises(ValidationError, match="相同题干"):
        services.create_question(actor=cast.dept_admin, category=bank.charter, data=single("党章 第0题"))


def test_only_bank_roles_write(cast: Any, bank: Bank) -> None:
    for user in (cast.viewer, cast.secretary, cast.member_user):
        with pytest.raises(PermissionDenied):
            services.create_question(actor=user, category=bank.charter, data=single("新题？"))


def test_retired_question_is_not_drawable(cast: Any, bank: Bank) -> None:
    services.retire_question(actor=cast.dept_admin, question=bank.questions[0])
    assert Question.objects.filter(retired_at__isnull=True).count() == 19
