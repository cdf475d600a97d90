"""orglife tasks for django_tasks: each takes ISO strings and calls the same service as its command."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from orglife.periods import parse_month
from orglife.services_plans import check_plan_deadline as check_plan_deadline_service


@task()
def check_plan_deadline(month_iso: str) -> dict[str, Any]:
    """After the deadline in filing month YYYY-MM: mark unsubmitted plans late and notify missing branches."""
    result = check_plan_deadline_service(month=parse_month(month_iso))
    return {
        "plan_month": f"{result.plan_month:%Y-%m}",
        "deadline_passed": result.passed,
        "missing": len(result.missing),
        "unsubmitted": len(result.unsubmitted),
        "newly_marked": result.newly_marked,
        "notices": result.notices,
    }
