"""到期提醒: each day, the deadlines due within 7 days or overdue go into the branch's digest (an SMS to its
secretary, 组织委员 and contact, an in-site notice to the users holding branch roles); at 7 days overdue
into the committee's digest, at 14 into the department's (the users holding those roles above the branch).

Each (person, rule, deadline, level) is claimed once in development.Reminder, so an item enters exactly
one digest per level however often the job runs; the messages' dedupe keys name the org, day, level and
recipient, so a run repeated the same day writes nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from audit.models import AuditEvent
from audit.services import record_event
from development import defaults as d
from development.models import Person, Reminder
from development.selectors.deadlines import Due, all_dues, iter_open
from notifications.models import Message
from notifications.services import enqueue_many
from orgs.models import Organization, Position, RoleGrant
from orgs.roles import Role

SMS_PREFIX = "【先锋智慧党建】"
SOON_DAYS = 7
BRANCH_TITLES = (Position.Title.SECRETARY, Position.Title.ORGANIZATION, Position.Title.CONTACT)
LEVEL_ROLES = {
    Reminder.Level.BRANCH: (Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN, Role.BRANCH_CONTACT),
    Reminder.Level.COMMITTEE: (Role.COMMITTEE_ADMIN,),
    Reminder.Level.DEPARTMENT: (Role.DEPT_ADMIN,),
}


@dataclass
class ReminderReport:
    day: dt.date
    items: int = 0
    digests: int = 0
    messages: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}：发展党员到期提醒 {self.items} 项，{self.digests} 份汇总，新写入消息 {self.messages} 条"


def levels_for(due: Due, day: dt.date) -> list[str]:
    late = (day - due.due_on).days
    levels: list[str] = []
    if late >= -SOON_DAYS:
        levels.append(Reminder.Level.BRANCH)
    if late >= d.setting("ESCALATE_COMMITTEE_DAYS"):
        levels.append(Reminder.Level.COMMITTEE)
    if late >= d.setting("ESCALATE_DEPARTMENT_DAYS"):
        levels.append(Reminder.Level.DEPARTMENT)
    return levels


def _target(
    branch: Organization, level: str, cache: dict[tuple[int, str], Organization | None]
) -> Organization | None:
    key = (branch.pk, level)
    if key not in cache:
        if level == Reminder.Level.BRANCH:
            cache[key] = branch
        else:
            above = list(branch.ancestors().order_by("-path"))
            if level == Reminder.Level.COMMITTEE:
                cache[key] = next((o for o in above if o.kind in Organization.COMMITTEE_KINDS), None)
            else:
                cache[key] = above[-1] if above else None
    return cache[key]


def _line(person: Person, due: Due, day: dt.date) -> str:
    late = (day - due.due_on).days
    when = f"已逾期{late}天" if late > 0 else f"{due.due_on:%m月%d日}到期"
    return f"{person.org.display_name}{person.name}{due.label}{when}（{due.rule}）"


@transaction.atomic
def send_reminders(*, day: dt.date, root: Organization | None = None) -> ReminderReport:
    report = ReminderReport(day=day)
    qs = Person.objects.all() if root is None else Person.objects.filter(org__path__startswith=root.path)
    claimed = {
        (r.person_id, r.rule, r.due_on, r.level)
        for r in Reminder.objects.filter(person__in=qs.open()).only("person_id", "rule", "due_on", "level")
    }
    digests: dict[tuple[int, str], list[str]] = defaultdict(list)
    targets: dict[int, Organization] = {}
    cache: dict[tuple[int, str], Organization | None] = {}
    new: list[Reminder] = []
    for person, due in all_dues(iter_open(qs.select_related("org"))):
        for level in levels_for(due, day):
            if (person.pk, due.rule, due.due_on, level) in claimed:
                continue
            target = _target(person.org, level, cache)
            if target is None:
                continue
            claimed.add((person.pk, due.rule, due.due_on, level))
            new.append(Reminder(person=person, rule=due.rule, due_on=due.due_on, level=level, sent_on=day))
            digests[(target.pk, level)].append(_line(person, due, day))
            targets[target.pk] = target
            report.by_level[level] = report.by_level.get(level, 0) + 1
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    report.items = len(new)
    specs = _messages(digests, targets, day)
    report.digests = len(digests)
    report.messages = len(enqueue_many(specs))
    record_event(
        actor=None,
        action=AuditEvent.Action.CREATE,
        org=root,
        target_repr=f"{day:%Y-%m-%d} 发展党员到期提醒",
        summary={"event": "development.reminders_sent", "items": report.items, "messages": report.messages},
        actor_name="system",
    )
    return report


def _messages(
    digests: dict[tuple[int, str], list[str]], targets: dict[int, Organization], day: dt.date
) -> list[dict[str, Any]]:
    org_ids = {org_id for org_id, _ in digests}
    holders: dict[int, dict[int, Any]] = defaultdict(dict)
    for pos in (
        Position.objects.current()
        .filter(org_id__in=org_ids, title__in=BRANCH_TITLES)
        .select_related("member")
        .order_by("org_id", "member_id")
    ):
        holders[pos.org_id].setdefault(pos.member_id, pos.member)
    grants: dict[tuple[int, str], dict[int, Any]] = defaultdict(dict)
    for grant in RoleGrant.objects.filter(org_id__in=org_ids, user__is_active=True).select_related("user"):
        for grant_level, roles in LEVEL_ROLES.items():
            if grant.role in roles:
                grants[(grant.org_id, grant_level)].setdefault(grant.user_id, grant.user)
    specs: list[dict[str, Any]] = []
    for (org_id, level), lines in digests.items():
        org = targets[org_id]
        shown = "；".join(lines[:5]) + (f"等{len(lines)}项" if len(lines) > 5 else "")
        body = f"{SMS_PREFIX}发展党员到期提醒：{shown}。请及时办理。"
        title = f"发展党员到期提醒（{day:%Y-%m-%d}）· {org.display_name}"
        if level == Reminder.Level.BRANCH:
            for member_id, member in holders.get(org_id, {}).items():
                if member.phone_enc and member.phone_masked:
                    specs.append(
                        {
                            "channel": Message.Channel.SMS,
                            "dedupe_key": f"dev-reminder:{org_id}:{day:%Y-%m-%d}:{level}:{member_id}:sms",
                            "phone_enc": member.phone_enc,
                            "phone_masked": member.phone_masked,
                            "recipient_name": member.name,
                            "org": org,
                            "title": title,
                            "body": body,
                        }
                    )
        for user_id, user in grants.get((org_id, level), {}).items():
            specs.append(
                {
                    "channel": Message.Channel.SITE,
                    "dedupe_key": f"dev-reminder:{org_id}:{day:%Y-%m-%d}:{level}:u{user_id}:site",
                    "recipient": user,
                    "org": org,
                    "title": title,
                    "body": body,
                }
            )
    return specs
