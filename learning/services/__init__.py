"""学习教育's writes: every page, API endpoint and the demo call these."""

from learning.services.hours import (
    TrainingData,
    add_exemptions,
    add_offline_hours,
    add_trainings,
    clear_exemption,
    parse_hours,
    record_training,
    remove_entry,
    set_exemption,
)
from learning.services.lessons import LessonData, add_lessons, delete_lesson, give_lesson, lesson_hours

__all__ = [
    "LessonData",
    "TrainingData",
    "add_exemptions",
    "add_lessons",
    "add_offline_hours",
    "add_trainings",
    "clear_exemption",
    "delete_lesson",
    "give_lesson",
    "lesson_hours",
    "parse_hours",
    "record_training",
    "remove_entry",
    "set_exemption",
]
