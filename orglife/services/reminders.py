"""Reminders (提示): on the rule set's reminder days, one digest per branch with required items missing.

Each branch still owing meetings this month gets ONE SMS per person to its secretary, 组织委员 and
contact (current Position holders; a person holding two posts gets one) and an in-site notice to
the users holding branch roles on it. Every message has a dedupe key naming the branch, month, day
and person, so running the job twice (or on two schedulers) never sends anything twice.

What is missing is computed with a handful of grouped queries (the same rule as
orglife.selectors.stats.missing_items, which does it for one branch), over consecutive ranges of the tree of at
most CHUNK branches each: a range [lo, hi) of paths holds whole subtrees, so the branches, their groups,
records, posts and role grants of one range are read together, written, and let go before the next.
Memory stays flat from a county to a province, and each range commits on its own (the dedupe keys make
a run that stopped half-way safe to repeat).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, prefetch_related_objects

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from notifications.services import enqueue_many
from orglife.models import MeetingRecord, RuleSet
from orglife.periods import YEAR, Period, first_of_month
from orglife.rules import LIFE_KINDS, due_in, requirements, ruleset_for
from orgs.models import Organization, Position, RoleGrant
from orgs.paths import path_range_q, path_successor
from orgs.roles import Role

SMS_PREFIX = "【先锋智慧党建】"
REMINDER_TITLES = (Position.Title.SECRETARY, Position.Title.ORGANIZATION, Position.Title.CONTACT)
BRANCH_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN, Role.BRANCH_CONTACT)
CHUNK = 2000  # branches per range: a few MB of rows, a few dozen queries per 2,000 branches
BY_BRANCH_KEPT = 5000  # a report keeps the missing items of at most this many branches (for display)


def digest_body(items: list[str]) -> str:
    return f"{SMS_PREFIX}您支部本月尚未开展：{'、'.join(items)}，请及时组织并上传纪实。"


@dataclass(frozen=True)
class BranchRange:
    """Branches whose paths lie in [lo, hi): whole subtrees, so their groups and records lie there too."""

    lo: str
    hi: str | None
    branches: list[Organization]

    def q(self, field_name: str = "path") -> Q:
        return path_range_q(self.lo, self.hi, field_name)


def branch_ranges(root: Organization | None = None, *, size: int | None = None) -> Iterator[BranchRange]:
    """Active branches under root (or everywhere), in path order, as ranges of about `size` branches.

    A range ends just after the subtree of its size-th branch, so a 总支 with branches below it is never
    split; one query finds that branch's path, one loads the range.
    """
    size = size or CHUNK
    base = Organization.objects.filter(kind__in=LIFE_KINDS, is_active=True)
    lo = root.path if root is not None else ""
    end = path_successor(root.path) if root is not None else None
    while True:
        window = base.filter(path_range_q(lo, end))
        last = list(window.order_by("path").values_list("path", flat=True)[size - 1 : size])
        hi = path_successor(last[0]) if last else end  # a path under root has its successor within end
        branches = list(base.filter(path_range_q(lo, hi)).order_by("path"))
        if branches:
            yield BranchRange(lo, hi, branches)
        if not last or hi is None or hi == end:
            return
        lo = hi


def bulk_missing(month: dt.date, *, root: Organization | None = None) -> dict[int, list[str]]:
    """{branch id: labels of requirements due this month and not yet met}, for every branch (under root)."""
    out: dict[int, list[str]] = {}
    ruleset = ruleset_with_rules(month)
    for chunk in branch_ranges(root):
        out.update(missing_in_range(month, chunk, ruleset))
    return out


def ruleset_with_rules(month: dt.date) -> RuleSet:
    ruleset = ruleset_for(first_of_month(month))
    prefetch_related_objects([ruleset], "rules")
    return ruleset


def missing_in_range(month: dt.date, chunk: BranchRange, ruleset: RuleSet) -> dict[int, list[str]]:
    """bulk_missing for one range of branches, under the month's rule set (with its rules prefetched).

    Queries: groups, one grouped count of counting records over the year.
    """
    month = first_of_month(month)
    branches = chunk.branches
    groups: dict[int, list[Organization]] = defaultdict(list)
    group_qs = Organization.objects.filter(
        kind=Organization.Kind.GROUP, is_active=True, parent__kind__in=LIFE_KINDS
    )
    for group in group_qs.filter(chunk.q()).order_by("path"):
        if group.parent_id is not None:  # always: a group's parent is its branch
            groups[group.parent_id].append(group)
    # Counting records of the whole year hold every period that contains the month.
    year = Period.containing(YEAR, month)
    held: dict[tuple[int, str, int | None], dict[dt.date, int]] = defaultdict(dict)
    records = MeetingRecord.objects.filter(
        chunk.q("org__path"),
        month__gte=year.start,
        month__lte=year.months[-1],
        status=MeetingRecord.Status.APPROVED,
        counts=True,
    )
    for org_id, meeting_type, group_id, rec_month, n in (
        records.values_list("org_id", "meeting_type", "group_id", "month")
        .annotate(n=Count("id"))
        .values_list("org_id", "meeting_type", "group_id", "month", "n")
    ):
        held[(org_id, meeting_type, group_id)][rec_month] = n
        # A branch-level requirement counts the branch's records whatever group held them.
        if group_id is not None:
            totals = held[(org_id, meeting_type, None)]
            totals[rec_month] = totals.get(rec_month, 0) + n
    out: dict[int, list[str]] = {}
    for branch in branches:
        missing: list[str] = []
        for req in requirements(branch, month, ruleset=ruleset, groups=groups.get(branch.pk, [])):
            if not due_in(req, month):
                continue
            by_month = held.get((branch.pk, req.meeting_type, req.group.pk if req.group else None), {})
            count = sum(n for m, n in by_month.items() if req.period.start <= m <= req.period.months[-1])
            if count < req.min_count:
                missing.append(req.label)
        if missing:
            out[branch.pk] = missing
    return out


@dataclass
class ReminderReport:
    day: dt.date
    reminder_day: bool = True
    branches: int = 0
    sms: int = 0
    notices: int = 0
    skipped_no_phone: int = 0
    by_branch: dict[int, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.reminder_day:
            return f"{self.day:%Y-%m-%d} 不是提醒日，未发送"
        return (
            f"{self.day:%Y-%m-%d}：{self.branches} 个支部有未开展事项，新写入短信 {self.sms} 条、"
            f"站内通知 {self.notices} 条"
        )


def send_reminders(
    *, day: dt.date, actor: User | None = None, root: Organization | None = None, force: bool = False
) -> ReminderReport:
    """Write the reminder digests for `day` (a reminder day of the rule set, unless `force`)."""
    month = first_of_month(day)
    report = ReminderReport(day=day)
    if not force and day.day not in ruleset_for(month).reminder_day_list:
        report.reminder_day = False
        return report
    ruleset = ruleset_with_rules(month)
    for chunk in branch_ranges(root):
        with transaction.atomic():
            _send_range(chunk, ruleset, day=day, month=month, report=report)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        org=root,
        target_repr=f"{day:%Y-%m-%d} 组织生活提醒",
        summary={
            "event": "orglife.reminders_sent",
            "branches": report.branches,
            "sms": report.sms,
            "notices": report.notices,
        },
        actor_name="" if actor is not None else "system",
    )
    return report


def _send_range(
    chunk: BranchRange, ruleset: RuleSet, *, day: dt.date, month: dt.date, report: ReminderReport
) -> None:
    missing = missing_in_range(month, chunk, ruleset)
    report.branches += len(missing)
    for org_id, items in missing.items():
        if len(report.by_branch) < BY_BRANCH_KEPT:
            report.by_branch[org_id] = items
    if not missing:
        return
    by_id = {b.pk: b for b in chunk.branches}
    month_key = f"{month:%Y-%m}"

    holders: dict[int, dict[int, Position]] = defaultdict(dict)
    positions = (
        Position.objects.current()
        .filter(chunk.q("org__path"), title__in=REMINDER_TITLES, org__kind__in=LIFE_KINDS)
        .select_related("member")
        .order_by("org_id", "member_id", "title")
    )
    for pos in positions:
        if pos.org_id in missing:
            holders[pos.org_id].setdefault(pos.member_id, pos)  # two posts, one message

    grants: dict[int, dict[int, Any]] = defaultdict(dict)
    grant_qs = RoleGrant.objects.filter(chunk.q("org__path"), role__in=BRANCH_ROLES, user__is_active=True)
    for grant in grant_qs.select_related("user"):
        if grant.org_id in missing:
            grants[grant.org_id].setdefault(grant.user_id, grant.user)
    # Whoever gets the SMS and has an account sees it in the site too (one who ignores SMS still sees it).
    member_orgs: dict[int, list[int]] = defaultdict(list)
    for org_id, by_member in holders.items():
        for member_id in by_member:
            member_orgs[member_id].append(org_id)
    if member_orgs:
        for user in User.objects.filter(member_id__in=list(member_orgs), is_active=True):
            for org_id in member_orgs[user.member_id or 0]:
                grants[org_id].setdefault(user.pk, user)

    specs: list[dict[str, Any]] = []
    for org_id, items in missing.items():
        org = by_id[org_id]
        body = digest_body(items)
        for member_id, pos in holders.get(org_id, {}).items():
            member = pos.member
            if not member.phone_enc or not member.phone_masked:
                report.skipped_no_phone += 1
                continue
            specs.append(
                {
                    "channel": Message.Channel.SMS,
                    "dedupe_key": f"reminder:{org_id}:{month_key}:{day.day}:{member_id}:sms",
                    "phone_enc": member.phone_enc,
                    "phone_masked": member.phone_masked,
                    "recipient_name": member.name,
                    "org": org,
                    "title": "组织生活提醒",
                    "body": body,
                }
            )
        for user_id, user in grants.get(org_id, {}).items():
            specs.append(
                {
                    "channel": Message.Channel.SITE,
                    "dedupe_key": f"reminder:{org_id}:{month_key}:{day.day}:u{user_id}:site",
                    "recipient": user,
                    "org": org,
                    "title": f"组织生活提醒（{month:%Y年%m月}）· {org.display_name}",
                    "body": body,
                }
            )
    created = enqueue_many(specs)
    sms = sum(1 for m in created if m.channel == Message.Channel.SMS)
    report.sms += sms
    report.notices += len(created) - sms
