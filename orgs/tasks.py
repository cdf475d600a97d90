"""Background tasks of orgs (django_tasks): the onboarding wizard's check and import."""

from __future__ import annotations

from django_tasks import task

from orgs.services import onboarding


@task()
def run_onboarding_task(batch_id: int, apply: bool) -> str:
    """Check (apply False) or import a batch; safe to run twice (an import commits all or nothing)."""
    batch = onboarding.run(batch_id, apply=apply)
    return batch.status
