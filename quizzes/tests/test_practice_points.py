"""每日一练 earns points through the points ledger: once per right answer, never beyond the daily cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from points.models import LedgerEntry
from points.tests.conftest import make_catalogue
from quizzes import defaults, services
from quizzes.models import Attempt
from quizzes.services.attempts import practice_daily_cap
from quizzes.tests.conftest import Bank


def practise(cast: Any, day: dt.date, right: int) -> Attempt:
    """Do the day's set with `right` answers right and the rest wrong."""
    attempt = services.start_practice(actor=cast.member_user, day=day)
    answers = {}
    for n, item in enumerate(attempt.items.select_related("version").order_by("position")):
        shown = item.version.answer
        answers[item.question_id] = shown if n < right else [(shown[0] + 1) % 4]
    return services.submit_attempt(actor=cast.member_user, attempt_id=attempt.pk, answers=answers)


def entries(cast: Any) -> Any:
    return LedgerEntry.objects.filter(member=cast.member_a1, item_code=defaults.PRACTICE_POINTS_ITEM)


def test_right_answers_up_to_the_daily_cap_earn_their_full_points(cast: Any, bank: Bank) -> None:
    make_catalogue(cast.county)
    assert practice_daily_cap() == Decimal("1")
    # 0.5 a right answer: two right answers are exactly the cap.
    practise(cast, timezone.localdate(), right=2)
    entry = entries(cast).get()
    assert entry.points == Decimal("1")
    assert entry.capped_from is None and entry.capped_reason == ""


def test_a_right_answer_beyond_the_daily_cap_earns_nothing_more(cast: Any, bank: Bank) -> None:
    make_catalogue(cast.county)
    done = practise(cast, timezone.localdate(), right=3)
    assert done.score == 60
    entry = entries(cast).get()
    assert entry.points == Decimal("1")
    assert entry.capped_from == Decimal("1.5")
    assert "上限1分" in entry.capped_reason
    # The day's set is handed in once: submitting it again adds nothing.
    services.submit_attempt(actor=cast.member_user, attempt_id=done.pk)
    assert entries(cast).count() == 1


def test_each_day_has_its_own_cap_and_no_right_answer_earns_nothing(cast: Any, bank: Bank) -> None:
    make_catalogue(cast.county)
    today = timezone.localdate()
    practise(cast, today - dt.timedelta(days=1), right=1)
    practise(cast, today, right=0)
    assert [(e.occurred_on, e.points) for e in entries(cast)] == [
        (today - dt.timedelta(days=1), Decimal("0.5"))
    ]


def test_the_daily_cap_is_a_setting(cast: Any, bank: Bank, settings: Any) -> None:
    make_catalogue(cast.county)
    settings.QUIZZES_PRACTICE_DAILY_CAP = Decimal("2")
    practise(cast, timezone.localdate(), right=5)
    assert entries(cast).get().points == Decimal("2")
    settings.QUIZZES_PRACTICE_DAILY_CAP = 0
    practise(cast, timezone.localdate() - dt.timedelta(days=1), right=5)
    assert entries(cast).count() == 1
