"""The quizzes' defaults, with where each comes from.

No central rule sets how a party quiz is scored; these follow the seeds the issue names and common
practice of the platforms users compare us with (学习强国's daily quiz: a short set each day; its points
capped per day; RULES.md §7.1, historical and non-normative).
"""

from __future__ import annotations

from decimal import Decimal

# 每日一练: five questions a day (学习强国 智能答题 serves five; RULES.md §7.1 cites its daily quiz).
PRACTICE_SIZE = 5
# Pass mark in percent unless the campaign sets another (the common 60 of Chinese exams).
PASS_MARK = 60
# The points item a passed campaign earns (points.defaults "quiz_pass": 1 point, monthly cap 2).
POINTS_ITEM = "quiz_pass"
POINTS_SOURCE = "quizzes.campaign"
# 每日一练 earns the points item below once per right answer (points.defaults "quiz_practice": 0.5 point,
# monthly cap 4), and at most PRACTICE_DAILY_CAP points a day, whatever the catalogue's item is worth
# (学习强国's 每日答题 is capped per day the same way; RULES.md §7.1). settings.QUIZZES_PRACTICE_DAILY_CAP
# (environment XIANFENG_QUIZ_PRACTICE_DAILY_CAP) overrides it; 0 turns practice points off.
PRACTICE_POINTS_ITEM = "quiz_practice"
PRACTICE_POINTS_SOURCE = "quizzes.practice"
PRACTICE_DAILY_CAP = Decimal("1")
# How often the server sweeps for attempts past their deadline (the issue: an attempt left open is closed
# within 30 s of its deadline). The scheduler ticks once a minute; the minute's sweep queues the ones at
# +20 s and +40 s. Every read and write of the attempt closes it on the spot as well.
AUTO_SUBMIT_SWEEP_SECONDS = 20
