"""The quizzes cast: the shared county cast, a county bank of 20 questions in two categories, and a
running exam campaign for committee A drawing 4 of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from points.tests.conftest import make_catalogue
from quizzes import services
from quizzes.models import Campaign, Category, Question
from quizzes.services import QuestionData


@dataclass
class Bank:
    root: Category
    charter: Category
    report: Category
    questions: list[Question]


def single(stem: str, right: int = 0, difficulty: int = 2, **extra: Any) -> QuestionData:
    return QuestionData(
        kind="single",
        stem=stem,
        options=["甲", "乙", "丙", "丁"],
        answer=[right],
        difficulty=difficulty,
        **extra,
    )


@pytest.fixture
def bank(cast: Any) -> Bank:
    admin = cast.dept_admin
    root = services.create_category(actor=admin, org=cast.county, name="党的理论")
    charter = services.create_category(actor=admin, org=cast.county, name="党章", parent=root)
    report = services.create_category(actor=admin, org=cast.county, name="二十大报告", parent=root)
    questions = []
    for i in range(10):
        questions.append(
            services.create_question(
                actor=admin, category=charter, data=single(f"党章第{i}题？", difficulty=1 + i % 2)
            )
        )
        questions.append(
            services.create_question(
                actor=admin, category=report, data=single(f"报告第{i}题？", difficulty=2)
            )
        )
    return Bank(root, charter, report, questions)


@pytest.fixture
def campaign(cast: Any, bank: Bank) -> Campaign:
    make_catalogue(cast.county)
    now = timezone.now()
    return services.create_campaign(
        actor=cast.dept_admin,
        org=cast.committee_a,
        title="党章知识测试",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        quotas=[
            {"category": bank.charter.pk, "difficulty": 1, "count": 2},
            {"category": bank.report.pk, "difficulty": None, "count": 2},
        ],
        time_limit_minutes=10,
        attempts_allowed=2,
    )
