"""Background tasks of accounts (django_tasks; the dormant-account sweep is enqueued by the scheduler:
accounts.jobs; bulk provisioning by its page)."""

from __future__ import annotations

from django_tasks import task

from accounts import housekeeping
from accounts.services import provisioning


@task()
def disable_dormant_accounts_task() -> str:
    """Disable accounts with no login for XIANFENG_DORMANT_DAYS (daily, 03:00)."""
    return str(len(housekeeping.disable_dormant_accounts()))


@task()
def provision_accounts_task(run_id: int) -> str:
    """One bulk provisioning run (accounts.services.provisioning); safe to run twice."""
    run = provisioning.run_provisioning(run_id)
    return f"{run.status}: {run.accounts_created} accounts, {run.grants_created} grants"
