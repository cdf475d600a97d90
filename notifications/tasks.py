"""Background tasks of the outbox (django_tasks; the database backend's workers run `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from notifications import services


@task()
def deliver_due_messages() -> str:
    """Send every due SMS of the outbox."""
    return str(services.deliver_due_messages())
