from django.apps import AppConfig

from orgs.stages import provide_candidates


class DevelopmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "development"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # learning (beside us) asks the ground floor for the 发展对象 of a node; we answer it (orgs.stages).
        from development.selectors.candidates import candidates_under

        provide_candidates(candidates_under)
