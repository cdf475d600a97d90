"""Background tasks of audit (django_tasks; the schedule is declared above the scheduler, in ops.jobs)."""

from __future__ import annotations

from django_tasks import task

from audit import chain, checkpoint


@task()
def checkpoint_audit_chain_task() -> str:
    """Move the signed checkpoint to the chain's head (hourly); a lost tail fails the task (and is logged)."""
    problem = checkpoint.advance()
    if problem:
        raise checkpoint.CheckpointError(problem)
    return "ok"


@task()
def seal_audit_chain_task() -> int:
    """Chain the committed unsealed rows (PostgreSQL, every minute; a running sealer makes it return 0)."""
    return chain.seal(wait=False)
