"""The demo bank: 500+ sound questions, no two with the same stem, each with its source."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import Count

from quizzes import demo_bank
from quizzes.demo import bank_items
from quizzes.services import check_question
from quizzes.services.questions import stem_key


def test_the_demo_bank_has_over_500_sound_distinct_questions() -> None:
    categories: dict[str, Any] = {path: SimpleNamespace(path=path) for path in demo_bank.CATEGORIES}
    items = bank_items(categories)
    assert len(items) >= 500
    assert [check_question(d) for _, d in items if check_question(d)] == []
    assert len({stem_key(d.stem) for _, d in items}) == len(items)
    assert all(d.source for _, d in items)
    kinds = {d.kind for _, d in items}
    assert kinds == {"single", "multiple", "judge", "fill"}


def test_every_fact_has_three_distinct_wrong_phrases() -> None:
    for fact in demo_bank.FACTS:
        assert fact.sentence.count("（ ）") == 1, fact.sentence
        assert len({fact.answer, *fact.wrong}) == 4, fact.sentence


def test_the_tiny_demo_has_a_finished_and_a_running_campaign(db: Any) -> None:
    from django.core.management import call_command

    from quizzes.models import Attempt, Campaign, Question

    call_command("generate_demo", "--scale", "tiny", "--seed", "3", verbosity=0)
    assert Question.objects.count() >= 500
    campaigns = list(Campaign.objects.annotate(n=Count("attempts")).order_by("starts_at"))
    assert len(campaigns) == 2 and all(c.n > 0 for c in campaigns)
    scores = sorted(Attempt.objects.filter(campaign=campaigns[0]).values_list("score", flat=True))
    assert scores[0] < 60 <= scores[-1]  # a spread: some fail, some pass
