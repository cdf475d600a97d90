"""Every write of the question bank and quizzes. Pages, the API, tasks and the demo call these."""

from quizzes.services.attempts import (
    Taker,
    add_finished_attempts,
    close_due_attempts,
    close_if_due,
    save_answers,
    start_attempt,
    start_practice,
    submit_attempt,
)
from quizzes.services.campaigns import create_campaign, void_campaign
from quizzes.services.questions import (
    QuestionData,
    add_questions,
    check_question,
    create_category,
    create_question,
    edit_question,
    retire_question,
)

__all__ = [
    "Taker",
    "add_finished_attempts",
    "QuestionData",
    "add_questions",
    "check_question",
    "close_due_attempts",
    "close_if_due",
    "create_campaign",
    "create_category",
    "create_question",
    "edit_question",
    "retire_question",
    "save_answers",
    "start_attempt",
    "start_practice",
    "submit_attempt",
    "void_campaign",
]
