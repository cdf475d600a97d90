from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "题库与答题"
    default_auto_field = "django.db.models.BigAutoField"
