"""必看 reminders: on the configured days before a required video is due (learning.defaults
`reminder_days_before`), each branch with members who have not finished it gets one digest per video: an SMS
to its secretary, 组织委员 and contact (the posts, through the notifications outbox) and an in-site notice to
the users holding a branch role there.

The outbox's dedupe keys name the video, branch, day and recipient, so a run repeated the same day (the
scheduler retrying, two workers) writes nothing new; a crash before commit writes nothing at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count

from audit.models import AuditEvent
from audit.services import record_event
from learning.defaults import rules
from learning.models import VideoAssignment
from learning.services.videos import Completion, completion
from notifications.models import Message
from notifications.services import enqueue_many
from orgs.models import Member, Organization, Position, RoleGrant
from orgs.roles import Role

SMS_PREFIX = "【先锋智慧党建】"
BRANCH_TITLES = (Position.Title.SECRETARY, Position.Title.ORGANIZATION, Position.Title.CONTACT)
BRANCH_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN, Role.BRANCH_CONTACT)
SHOWN_NAMES = 6


@dataclass
class WatchReminderReport:
    day: dt.date
    assignments: int = 0
    digests: int = 0
    messages: int = 0

    def __str__(self) -> str:
        return (
            f"{self.day:%Y-%m-%d}：必看教育片提醒 {self.assignments} 项任务，"
            f"{self.digests} 个支部，新写入消息 {self.messages} 条"
        )


def due_assignments(day: dt.date) -> list[VideoAssignment]:
    """The 必看 assignments with a reminder on `day`."""
    dates = [day + dt.timedelta(days=n) for n in rules().reminder_days_before]
    return list(
        VideoAssignment.objects.filter(kind=VideoAssignment.Kind.REQUIRED, due_on__in=dates)
        .select_related("video", "org")
        .order_by("pk")
    )


def missing_by_branch(assignment: VideoAssignment) -> dict[int, list[Member]]:
    """The members of the audience who have not finished, grouped by their organization (the branch)."""
    out: dict[int, list[Member]] = defaultdict(list)
    for member in completion(assignment).missing:
        out[member.org_id].append(member)
    return out


@dataclass
class BranchGap:
    org: Organization
    missing: int


def by_branch(done: Completion) -> list[BranchGap]:
    """The completion roll-up by branch: how many of each organization's audience have not finished."""
    counts = dict(done.missing.order_by().values("org_id").annotate(n=Count("pk")).values_list("org_id", "n"))
    orgs = Organization.objects.in_bulk(list(counts))
    return sorted((BranchGap(orgs[k], n) for k, n in counts.items()), key=lambda g: g.org.path)


def _digest(video_title: str, due_on: dt.date, names: list[str]) -> str:
    shown = "、".join(names[:SHOWN_NAMES]) + (f"等{len(names)}人" if len(names) > SHOWN_NAMES else "")
    return (
        f"{SMS_PREFIX}必看教育片《{video_title}》{due_on:%m月%d日}截止，本支部尚有{shown}未看完，"
        "请提醒及时观看。"
    )


@transaction.atomic
def send_watch_reminders(*, day: dt.date) -> WatchReminderReport:
    report = WatchReminderReport(day=day)
    digests: dict[tuple[int, int], tuple[VideoAssignment, list[str]]] = {}
    for assignment in due_assignments(day):
        report.assignments += 1
        for org_id, members in missing_by_branch(assignment).items():
            key = (assignment.video_id, org_id)
            if key in digests:  # two assignments of one video reach the branch: one digest, names merged
                names = digests[key][1]
                names.extend(m.name for m in members if m.name not in names)
            else:
                digests[key] = (assignment, [m.name for m in members])
    specs = _messages(digests, day)
    report.digests = len(digests)
    report.messages = len(enqueue_many(specs))
    if report.messages:
        record_event(
            actor=None,
            action=AuditEvent.Action.CREATE,
            target_repr=f"{day:%Y-%m-%d} 必看教育片提醒",
            summary={
                "event": "learning.watch_reminders",
                "digests": report.digests,
                "messages": report.messages,
            },
            actor_name="system",
        )
    return report


def _messages(
    digests: dict[tuple[int, int], tuple[VideoAssignment, list[str]]], day: dt.date
) -> list[dict[str, Any]]:
    org_ids = {org_id for _, org_id in digests}
    orgs = Organization.objects.in_bulk(org_ids)
    holders: dict[int, dict[int, Member]] = defaultdict(dict)
    for pos in (
        Position.objects.current()
        .filter(org_id__in=org_ids, title__in=BRANCH_TITLES)
        .select_related("member")
        .order_by("org_id", "member_id")
    ):
        holders[pos.org_id].setdefault(pos.member_id, pos.member)
    users: dict[int, dict[int, Any]] = defaultdict(dict)
    for grant in RoleGrant.objects.filter(
        org_id__in=org_ids, role__in=BRANCH_ROLES, user__is_active=True
    ).select_related("user"):
        users[grant.org_id].setdefault(grant.user_id, grant.user)
    specs: list[dict[str, Any]] = []
    for (video_id, org_id), (assignment, names) in sorted(digests.items()):
        org = orgs[org_id]
        body = _digest(assignment.video.title, assignment.due_on, names)
        title = f"必看教育片未看提醒 · {org.display_name}"
        prefix = f"learn-watch:{video_id}:{org_id}:{day:%Y-%m-%d}"
        for member_id, member in holders.get(org_id, {}).items():
            if member.phone_enc and member.phone_masked:
                specs.append(
                    {
                        "channel": Message.Channel.SMS,
                        "dedupe_key": f"{prefix}:{member_id}:sms",
                        "phone_enc": member.phone_enc,
                        "phone_masked": member.phone_masked,
                        "recipient_name": member.name,
                        "org": org,
                        "title": title,
                        "body": body,
                    }
                )
        for user_id, user in users.get(org_id, {}).items():
            specs.append(
                {
                    "channel": Message.Channel.SITE,
                    "dedupe_key": f"{prefix}:u{user_id}:site",
                    "recipient": user,
                    "org": org,
                    "title": title,
                    "body": body,
                }
            )
    return specs
