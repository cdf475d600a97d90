"""What every bulletins page shares: the acting user, a page of a list, the units one may submit for."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from bulletins.roles import SUBMIT_ROLES
from orglife.models import MeetingRecord
from orgs.access import role_paths
from orgs.models import Organization
from orgs.paths import subtree_q


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def page_of(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page


def submit_units(user: User) -> QuerySet[Organization]:
    """The nodes a user may submit for: where they hold a submitting role, and the units below it (first)."""
    paths = role_paths(user, SUBMIT_ROLES)
    if paths is None:
        return Organization.objects.filter(depth__lte=2).order_by("path")
    if not paths:
        return Organization.objects.none()
    return (
        Organization.objects.filter(subtree_q(paths))
        .filter(depth__lte=max(len(p) // 4 for p in paths) + 1)
        .order_by("path")
    )


def linkable_records(user: User) -> QuerySet[MeetingRecord]:
    """Approved 组织生活 records of the units a user submits for (the last 13 months, newest first): what an
    article may report on. The service checks the chosen record against the article's own unit."""
    paths = role_paths(user, SUBMIT_ROLES)
    records = MeetingRecord.objects.filter(status=MeetingRecord.Status.APPROVED)
    if paths is not None:
        records = records.filter(subtree_q(paths, "org__path"))
    since = timezone.localdate().replace(day=1) - dt.timedelta(days=366)
    return records.filter(month__gte=since).select_related("org").order_by("-started_at", "-id")
