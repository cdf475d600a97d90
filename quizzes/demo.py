"""The quizzes' demo: the county's bank (quizzes.demo_bank, 500+ questions), a finished 答题活动 of last
month with a realistic spread of results (and their points), and a running 知识竞赛 some members have
already taken. Everything goes through quizzes.services (add_questions, create_campaign,
add_finished_attempts)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from orgs.models import Member, Organization
from quizzes import demo_bank, services
from quizzes.models import Campaign, Category, Question, QuestionVersion
from quizzes.services import QuestionData, Taker, check_question

# Members of the county who take each campaign (at most: the county scale has tens of thousands).
TAKERS = {"tiny": 120, "county": 600}


@dataclass
class QuizStats:
    questions: int = 0
    attempts: int = 0
    seconds: float = 0.0


def _fill(sentence: str, phrase: str) -> str:
    return sentence.replace("（ ）", phrase, 1)


def bank_items(categories: dict[str, Category]) -> list[tuple[Category, QuestionData]]:
    """Five questions from each fact, and the 多选 as written."""
    items: list[tuple[Category, QuestionData]] = []
    for f in demo_bank.FACTS:
        cat = categories[f.category]
        tags = [f.source.split("》")[0].lstrip("《") if "》" in f.source else f.source[:8]]
        options = [f.answer, *f.wrong]
        items.append(
            (cat, QuestionData("single", f.sentence, options, [0], "", f.source, f.difficulty, tags))
        )
        items.append(
            (
                cat,
                QuestionData(
                    "fill",
                    "填空：" + f.sentence,
                    [],
                    [[f.answer]],
                    f"原文：{_fill(f.sentence, f.answer)}",
                    f.source,
                    min(3, f.difficulty + 1),
                    tags,
                ),
            )
        )
        items.append(
            (
                cat,
                QuestionData("judge", _fill(f.sentence, f.answer), [], [0], "", f.source, f.difficulty, tags),
            )
        )
        for wrong in f.wrong[:2]:
            explanation = f"应为“{f.answer}”。原文：{_fill(f.sentence, f.answer)}"
            items.append(
                (
                    cat,
                    QuestionData(
                        "judge", _fill(f.sentence, wrong), [], [1], explanation, f.source, f.difficulty, tags
                    ),
                )
            )
    for m in demo_bank.MULTIPLE:
        items.append(
            (
                categories[m.category],
                QuestionData(
                    "multiple", m.stem, list(m.options), list(m.answer), "", m.source, m.difficulty, ["多选"]
                ),
            )
        )
    return items


def _categories(county: Organization) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for path in demo_bank.CATEGORIES:
        *parents, name = path.split("/")
        parent = out["/".join(parents)] if parents else None
        out[path] = services.create_category(actor=None, org=county, name=name, parent=parent)
    return out


def _answerer(skill: float) -> Any:
    """A member who knows a share `skill` of the bank (less of the hard part), guessing otherwise."""

    def answer(question: Question, version: QuestionVersion, rng: random.Random) -> list[Any]:
        knows = rng.random() < skill - (question.difficulty - 2) * 0.12
        if question.kind == "fill":
            return [blank[0] if knows else "不清楚" for blank in version.answer]
        if knows:
            return list(version.answer)
        if question.kind == "multiple":
            picked = [i for i in range(len(version.options)) if rng.random() < 0.5]
            return picked or [0]
        return [rng.randrange(len(version.options))]

    return answer


def _takers(members: list[Member], start: dt.datetime, days: float, rng: random.Random) -> list[Taker]:
    # Skills spread so that a monthly exam with a pass mark of 60 sees some fail (about one in twelve
    # below 60): with the older spread (mean 0.72, sd 0.14) the weakest of 120 takers sat right at 60,
    # and whether anyone failed depended on the bank's random order.
    takers = []
    for member in members:
        skill = min(0.98, max(0.25, rng.gauss(0.66, 0.16)))
        started = start + dt.timedelta(seconds=rng.uniform(0, days * 86400))
        takers.append(Taker(member, started, rng.randint(240, 1100), _answerer(skill)))
    return sorted(takers, key=lambda t: t.started_at)


def generate_quizzes_demo(seed: int, scale: str, now: dt.datetime | None = None) -> QuizStats:
    began = time.monotonic()
    stats = QuizStats()
    county = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if county is None or Question.objects.filter(org=county).exists():
        return stats
    now = now or timezone.now()
    rng = random.Random(seed * 7919 + 14)
    categories = _categories(county)
    items = [(c, d) for c, d in bank_items(categories) if not check_question(d)]
    stats.questions = len(services.add_questions(actor=None, org=county, items=items))
    members = list(
        Member.objects.active().filter(org__path__startswith=county.path).select_related("org").order_by("pk")
    )
    limit = TAKERS.get(scale, 120)

    last_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(
        day=5, hour=8, minute=0, second=0, microsecond=0
    )
    finished = services.create_campaign(
        actor=None,
        org=county,
        title=f"{last_month.month}月党章党规知识测试",
        purpose=Campaign.Purpose.EXAM,
        starts_at=last_month,
        ends_at=last_month + dt.timedelta(days=10),
        quotas=[
            {"category": categories[demo_bank.CHARTER].pk, "difficulty": 1, "count": 4},
            {"category": categories[demo_bank.CHARTER].pk, "difficulty": 2, "count": 4},
            {"category": categories["党内法规"].pk, "difficulty": None, "count": 6},
            {"category": categories[demo_bank.REPORT].pk, "difficulty": None, "count": 6},
        ],
        time_limit_minutes=20,
        attempts_allowed=1,
        pass_mark=60,
    )
    sample = rng.sample(members, min(limit, len(members)))
    stats.attempts += services.add_finished_attempts(
        campaign=finished, takers=_takers(sample, finished.starts_at, 9, rng), seed=rng.getrandbits(62)
    )

    running = services.create_campaign(
        actor=None,
        org=county,
        title="学习贯彻党的二十大精神知识竞赛",
        purpose=Campaign.Purpose.CONTEST,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=11),
        quotas=[
            {"category": categories[demo_bank.REPORT].pk, "difficulty": None, "count": 10},
            {"category": categories[demo_bank.CHARTER].pk, "difficulty": None, "count": 5},
        ],
        time_limit_minutes=15,
        attempts_allowed=3,
        pass_mark=80,
        partial_multiple=True,
    )
    early = rng.sample(members, min(limit // 3, len(members)))
    stats.attempts += services.add_finished_attempts(
        campaign=running,
        takers=_takers(early, running.starts_at, 2.5, rng),
        seed=rng.getrandbits(62),
    )
    stats.seconds = time.monotonic() - began
    return stats
