"""报送任务: per 信息员 per week and per unit per month (defaults.py), progress and reminders.

A unit here is a node where someone holds the 信息员 role. Its quota is the Quota row of the unit or of
its nearest ancestor, else the defaults. Reminders go through the notifications outbox as in-site
notices to each 信息员 behind, once per person and week (the dedupe key).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from accounts.models import User
from bulletins import defaults
from bulletins.models import Article, Quota
from bulletins.roles import EDIT_ROLES
from notifications.services import enqueue_many
from orgs.access import holds
from orgs.models import Organization, RoleGrant
from orgs.paths import PATH_STEP
from orgs.roles import Role


@dataclass(frozen=True)
class Effective:
    per_person_week: int
    per_unit_month: int
    source: str  # the unit whose setting applies, or the defaults' source


@transaction.atomic
def set_quota(*, actor: User, org: Organization, per_person_week: int, per_unit_month: int) -> Quota:
    if not holds(actor, EDIT_ROLES, org.path):
        raise PermissionDenied("只有编辑或组织部管理员可以设置报送任务")
    errors: dict[str, list[str]] = {}
    if not 0 <= per_person_week <= 50:
        errors["per_person_week"] = ["每人每周篇数应在0到50之间"]
    if not 0 <= per_unit_month <= 500:
        errors["per_unit_month"] = ["每单位每月篇数应在0到500之间"]
    if errors:
        raise ValidationError(errors)
    quota, _ = Quota.objects.update_or_create(
        org=org,
        defaults={"per_person_week": per_person_week, "per_unit_month": per_unit_month, "updated_by": actor},
    )
    return quota


def ancestor_paths(path: str) -> list[str]:
    """The paths from the root down to `path` itself."""
    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def effective_quotas(orgs: list[Organization]) -> dict[int, Effective]:
    """Each org's quota: its own, its nearest ancestor's, or the defaults (one query)."""
    paths = {p for org in orgs for p in ancestor_paths(org.path)}
    rows = {q.org.path: q for q in Quota.objects.filter(org__path__in=paths).select_related("org")}
    result: dict[int, Effective] = {}
    for org in orgs:
        found = next(
            (rows[p] for p in sorted(ancestor_paths(org.path), key=len, reverse=True) if p in rows), None
        )
        if found is None:
            result[org.pk] = Effective(
                defaults.QUOTA_PER_PERSON_WEEK, defaults.QUOTA_PER_UNIT_MONTH, defaults.SOURCE_QUOTA
            )
        else:
            result[org.pk] = Effective(found.per_person_week, found.per_unit_month, found.org.name)
    return result


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class OfficerProgress:
    user_id: int
    name: str
    week_count: int
    week_quota: int

    @property
    def behind(self) -> bool:
        return self.week_count < self.week_quota


@dataclass
class UnitProgress:
    org: Organization
    quota: Effective
    month_count: int
    adopted_month: int
    officers: list[OfficerProgress]

    @property
    def behind(self) -> bool:
        return self.month_count < self.quota.per_unit_month or any(o.behind for o in self.officers)


def _submitted_between(start: dt.date, end: dt.date) -> Q:
    return Q(submitted_at__date__gte=start, submitted_at__date__lt=end) & ~Q(state=Article.State.DRAFT)


def unit_progress(units: list[Organization], today: dt.date) -> list[UnitProgress]:
    """Submissions this week per 信息员 and this month per unit (first submission date counts)."""
    if not units:
        return []
    quotas = effective_quotas(units)
    monday = week_start(today)
    first = today.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    ids = [u.pk for u in units]
    articles = Article.objects.filter(org_id__in=ids)
    month = dict(
        articles.filter(_submitted_between(first, next_month))
        .values_list("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    adopted = dict(
        articles.filter(adopted_at__date__gte=first, adopted_at__date__lt=next_month)
        .values_list("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    week = {
        (org_id, author_id): n
        for org_id, author_id, n in articles.filter(_submitted_between(monday, monday + dt.timedelta(days=7)))
        .values_list("org_id", "author_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "author_id", "n")
    }
    officers: dict[int, list[OfficerProgress]] = {}
    grants = RoleGrant.objects.filter(org_id__in=ids, role=Role.INFO_OFFICER, user__is_active=True)
    for org_id, user_id, first_name, username in grants.values_list(
        "org_id", "user_id", "user__first_name", "user__username"
    ).order_by("org_id", "user_id"):
        officers.setdefault(org_id, []).append(
            OfficerProgress(
                user_id,
                first_name or username,
                week.get((org_id, user_id), 0),
                quotas[org_id].per_person_week,
            )
        )
    return [
        UnitProgress(u, quotas[u.pk], month.get(u.pk, 0), adopted.get(u.pk, 0), officers.get(u.pk, []))
        for u in units
    ]


def info_units(scope: Q | None = None) -> list[Organization]:
    """Nodes where someone holds the 信息员 role (optionally within a scope filter on `path`)."""
    qs = Organization.objects.filter(
        pk__in=RoleGrant.objects.filter(role=Role.INFO_OFFICER).values("org_id")
    ).order_by("path")
    return list(qs if scope is None else qs.filter(scope))


def month_due(unit: UnitProgress, today: dt.date) -> int:
    """The unit's submissions due by `today`: its monthly quota pro rata to the day of the month (floored),
    so a unit is not behind on the 2nd for a quota of 4."""
    first = today.replace(day=1)
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    return unit.quota.per_unit_month * today.day // days


def send_quota_reminders(*, today: dt.date) -> int:
    """In-site reminders to every 信息员 behind the week's quota, and to every 信息员 of a unit behind its
    month's quota pro rata (month_due); one message per person, unit and week (the dedupe key)."""
    monday = week_start(today)
    specs = []
    units = unit_progress(info_units(), today)
    due = {u.org.pk: month_due(u, today) for u in units}
    late = {u.org.pk for u in units if u.month_count < due[u.org.pk]}
    ids = {o.user_id for u in units for o in u.officers if o.behind or u.org.pk in late}
    users = User.objects.in_bulk(ids)
    for unit in units:
        for officer in unit.officers:
            if officer.user_id not in ids or not (officer.behind or unit.org.pk in late):
                continue
            lines = []
            if officer.behind:
                lines.append(
                    f"本周（{monday:%m月%d日}起）您为{unit.org.name}报送信息{officer.week_count}篇，"
                    f"未达到每人每周{officer.week_quota}篇的任务。"
                )
            if unit.org.pk in late:
                lines.append(
                    f"{unit.org.name}本月已报送信息{unit.month_count}篇，每月任务{unit.quota.per_unit_month}篇，"
                    f"按进度应已报送{due[unit.org.pk]}篇。"
                )
            specs.append(
                {
                    "channel": "site",
                    "dedupe_key": f"bulletins:quota:{unit.org.pk}:{officer.user_id}:{monday.isoformat()}",
                    "recipient": users[officer.user_id],
                    "recipient_name": officer.name,
                    "org": unit.org,
                    "title": "信息报送提醒",
                    "body": "".join(lines) + "请及时报送。",
                }
            )
    return len(enqueue_many(specs))
