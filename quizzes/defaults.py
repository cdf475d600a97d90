"""The quizzes' defaults, with where each comes from.

No central rule sets how a party quiz is scored; these follow the seeds the issue names and common
practice of the platforms users compare us with (学习强国's daily quiz: a short set each day; its points
capped per day; RULES.md §7.1, historical and non-normative).
"""

from __future__ import annotations

# 每日一练: five questions a day (学习强国 智能答题 serves five; RULES.md §7.1 cites its daily quiz).
PRACTICE_SIZE = 5
# Pass mark in percent unless the campaign sets another (the common 60 of Chinese exams).
PASS_MARK = 60
# The points item a passed campaign earns (points.defaults "quiz_pass": 1 point, monthly cap 2).
POINTS_ITEM = "quiz_pass"
POINTS_SOURCE = "quizzes.campaign"
# How often the server sweeps for attempts past their deadline (the issue: an attempt left open is closed
# within 30 s of its deadline). The scheduler ticks once a minute; the minute's sweep queues the ones at
# +20 s and +40 s. Every read and write of the attempt closes it on the spot as well.
AUTO_SUBMIT_SWEEP_SECONDS = 20
