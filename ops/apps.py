from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: encrypted backup and verified restore, and the 503 page when the database is busy."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from django.core.signals import got_request_exception, request_started

        from ops import checks  # noqa: F401  (registers the system checks)
        from ops.dbguard import note_database_failure
        from ops.sessions import forget_reference_token

        got_request_exception.connect(note_database_failure, dispatch_uid="ops.note_database_failure")
        # No reference token carried over from the thread's previous request: this one's session sets it.
        request_started.connect(forget_reference_token, dispatch_uid="ops.forget_reference_token")
