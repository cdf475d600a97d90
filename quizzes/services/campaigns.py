"""Setting up and voiding 答题活动."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from audit.services import record_event
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q
from points.services import reverse_automatic
from quizzes import selectors
from quizzes.defaults import POINTS_SOURCE
from quizzes.models import Attempt, Campaign
from quizzes.services.draw import check_quotas, parse_quotas
from quizzes.services.questions import require_bank


@transaction.atomic
def create_campaign(
    *,
    actor: Any,
    org: Organization,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    quotas: list[dict[str, Any]],
    time_limit_minutes: int,
    purpose: str = Campaign.Purpose.EXAM,
    attempts_allowed: int = 1,
    pass_mark: int = 60,
    partial_multiple: bool = False,
    review_after_close: bool = True,
    points_on_pass: bool = True,
    titles: Sequence[str] = (),
    member_ids: Sequence[int] = (),
) -> Campaign:
    """A campaign for `org`'s subtree (narrowed to the holders of `titles`, or to the named members);
    refused when the bank cannot fill its quotas."""
    require_bank(actor, org)
    errors: dict[str, list[str]] = {}
    if set(titles) - set(Position.Title.values):
        errors["titles"] = ["职务无效"]
    members = list(Member.objects.filter(under_path_q(org.path, "org__path"), pk__in=set(member_ids)))
    if len(members) != len(set(member_ids)):
        errors["member_ids"] = ["指定党员须在参加范围内"]
    if not title.strip():
        errors["title"] = ["请填写活动名称"]
    if ends_at <= starts_at:
        errors["ends_at"] = ["结束时间应晚于开始时间"]
    if not 1 <= time_limit_minutes <= 600:
        errors["time_limit_minutes"] = ["限时应在 1 到 600 分钟之间"]
    if not 1 <= attempts_allowed <= 20:
        errors["attempts_allowed"] = ["可答次数应在 1 到 20 次之间"]
    if not 0 <= pass_mark <= 100:
        errors["pass_mark"] = ["及格分应在 0 到 100 之间"]
    if purpose not in Campaign.Purpose.values:
        errors["purpose"] = ["活动性质不正确"]
    if errors:
        raise ValidationError(errors)
    parsed = parse_quotas(quotas)
    check_quotas(org, parsed)
    count = sum(q.count for q in parsed)
    if count > 200:
        raise ValidationError({"quotas": ["每次最多抽 200 道题"]})
    campaign = Campaign.objects.create(
        org=org,
        title=title.strip(),
        purpose=purpose,
        starts_at=starts_at,
        ends_at=ends_at,
        quotas=[{"category": q.category, "difficulty": q.difficulty, "count": q.count} for q in parsed],
        question_count=count,
        time_limit_minutes=time_limit_minutes,
        attempts_allowed=attempts_allowed,
        pass_mark=pass_mark,
        partial_multiple=partial_multiple,
        review_after_close=review_after_close,
        points_on_pass=points_on_pass,
        titles=sorted(set(titles)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.members.set(members)
    record_event(actor=actor, action=AuditEvent.Action.CREATE, target=campaign, org=org)
    return campaign


def in_audience(campaign: Campaign, member: Member) -> bool:
    return selectors.audience(campaign).filter(pk=member.pk).exists()


def pass_source_id(campaign_id: int, member_id: int) -> str:
    """One points source per member and campaign: passing twice earns once."""
    return f"{campaign_id}-{member_id}"


@transaction.atomic
def void_campaign(*, actor: Any, campaign: Campaign, reason: str) -> Campaign:
    """Void a campaign: its results no longer count and the points it awarded are reversed."""
    require_bank(actor, campaign.org)
    if not reason.strip():
        raise ValidationError({"reason": ["请说明作废原因"]})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.VOIDED:
        return campaign
    campaign.status = Campaign.Status.VOIDED
    campaign.void_reason = reason.strip()[:200]
    campaign.save(update_fields=["status", "void_reason"])
    passed = Attempt.objects.filter(campaign=campaign, passed=True).values_list("member_id", flat=True)
    for member_id in sorted(set(passed)):
        reverse_automatic(
            actor=actor,
            source_type=POINTS_SOURCE,
            source_id=pass_source_id(campaign.pk, member_id),
            reason=f"答题活动“{campaign.title}”作废：{reason.strip()[:100]}",
        )
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=campaign,
        org=campaign.org,
        summary={"voided": True},
    )
    return campaign
