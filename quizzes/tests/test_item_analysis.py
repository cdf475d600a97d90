"""Item analysis (difficulty index, Kelley discrimination, option counts) against the same figures worked
out in plain Python from the stored answers of a campaign whose takers answer more or less well."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from quizzes import services
from quizzes.models import Attempt, AttemptItem, Campaign, Question, QuestionVersion
from quizzes.selectors import GROUP_SHARE, item_analysis
from quizzes.services.attempts import Taker
from quizzes.tests.conftest import Bank

CENT = Decimal("0.01")


def answering(skill: int) -> Any:
    """A taker who answers a question right when (question id × 7) mod 10 is below `skill`, else picks
    the option after the right one (so the wrong options' counts differ by question)."""

    def answer(question: Question, version: QuestionVersion, rng: random.Random) -> list[Any]:
        if question.pk * 7 % 10 < skill:
            return list(version.answer)
        return [(version.answer[0] + 1) % len(version.options)]

    return answer


def expected(campaign: Campaign) -> dict[int, tuple[int, Decimal, Decimal | None, list[int]]]:
    attempts = list(Attempt.objects.filter(campaign=campaign).exclude(status=Attempt.Status.OPEN))
    ranked = sorted(attempts, key=lambda a: (-(a.score or 0), a.pk))
    n = int(len(ranked) * GROUP_SHARE) if len(ranked) >= 4 else 0
    top = {a.pk for a in ranked[:n]}
    bottom = {a.pk for a in ranked[len(ranked) - n :]} if n else set()
    credits: dict[int, list[Decimal]] = defaultdict(list)
    upper: dict[int, list[Decimal]] = defaultdict(list)
    lower: dict[int, list[Decimal]] = defaultdict(list)
    chosen: dict[int, Counter[int]] = defaultdict(Counter)
    width: dict[int, int] = {}
    for item in AttemptItem.objects.filter(attempt__in=attempts).select_related("version"):
        got = item.credit or Decimal(0)
        credits[item.question_id].append(got)
        if item.attempt_id in top:
            upper[item.question_id].append(got)
        if item.attempt_id in bottom:
            lower[item.question_id].append(got)
        chosen[item.question_id].update(item.response or [])
        width[item.question_id] = len(item.version.options)
    out = {}
    for qid, got in credits.items():
        disc = None
        if upper[qid] and lower[qid]:
            disc = (sum(upper[qid]) / len(upper[qid]) - sum(lower[qid]) / len(lower[qid])).quantize(CENT)
        counts = [chosen[qid][i] for i in range(width[qid])]
        out[qid] = (len(got), (sum(got) / len(got)).quantize(CENT), disc, counts)
    return out


def test_item_analysis_gives_the_figures_worked_out_by_hand(
    cast: Any, bank: Bank, campaign: Campaign
) -> None:
    campaign.attempts_allowed = 20
    campaign.save()
    start = campaign.starts_at + dt.timedelta(minutes=5)
    takers = [
        Taker(cast.member_a1, start + dt.timedelta(minutes=i), 120, answering(i % 11)) for i in range(15)
    ]
    assert services.add_finished_attempts(campaign=campaign, takers=takers, seed=3) == 15
    stats = item_analysis(campaign)
    want = expected(campaign)
    assert {
        s.question_id: (s.answered, s.difficulty, s.discrimination, [c for _, c, _ in s.options])
        for s in stats
    } == want
    assert sum(s.answered for s in stats) == 15 * 4
    # Better takers answer the questions right that weaker ones miss: some item separates the groups.
    assert any(s.discrimination and s.discrimination > 0 for s in stats)
    # Ordered for the editor: the least discriminating questions first, those without groups last.
    order = [s.discrimination if s.discrimination is not None else Decimal(9) for s in stats]
    assert order == sorted(order)


def test_an_open_attempt_is_not_counted_and_few_attempts_have_no_groups(
    cast: Any, bank: Bank, campaign: Campaign
) -> None:
    start = campaign.starts_at + dt.timedelta(minutes=5)
    services.add_finished_attempts(
        campaign=campaign, takers=[Taker(cast.member_a1, start, 60, answering(10))], seed=1
    )
    services.start_attempt(actor=cast.member_user, campaign=campaign)  # still open
    stats = item_analysis(campaign)
    assert sum(s.answered for s in stats) == 4
    assert all(s.difficulty == Decimal("1.00") and s.discrimination is None for s in stats)
