"""Scheduled jobs of the floors below the scheduler (listed by ops.schedule).

audit sits below notifications, whose engine defines Slot: its jobs.py could not import it, so its task
(audit.tasks) is declared here, one floor above both.
"""

from __future__ import annotations

import datetime as dt

from audit.tasks import checkpoint_audit_chain_task, seal_audit_chain_task
from notifications.scheduler import Job, Slot


def audit_checkpoint(now: dt.datetime) -> list[Slot]:
    """等保 audit protection: the signed checkpoint of the audit chain's head, every hour."""
    return [Slot("audit_checkpoint", f"{now:%Y-%m-%dT%H}", checkpoint_audit_chain_task)]


def audit_seal(now: dt.datetime) -> list[Slot]:
    """The audit chain's sealer sweep (audit.chain.seal), every minute: a backstop to `audit_seal --loop`."""
    return [Slot("audit_seal", f"{now:%Y-%m-%dT%H:%M}", seal_audit_chain_task)]


JOBS: list[Job] = [audit_checkpoint, audit_seal]
