"""Editing the rule catalogue: every change goes into a draft version, published as a new edition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event, snapshot
from orgs.access import holds
from orgs.models import Organization
from points import defaults
from points.models import Block, Catalogue, PointRule, RuleVersion
from points.roles import CATALOGUE_ROLES

RULE_FIELDS = [
    "block",
    "code",
    "name",
    "points",
    "evidence",
    "week_cap",
    "month_cap",
    "year_cap",
    "active_from",
    "active_to",
    "declarable",
    "automatic",
    "commendable",
    "order",
]
VERSION_FIELDS = [
    "effective_from",
    "note",
    "pass_mark",
    "objection_days",
    "commendation_top",
    "notice_auto_publish",
]


def _require(actor: User | None, catalogue_org: Organization) -> None:
    """`actor` None is the system itself (the demo generator, a command run by an operator)."""
    if actor is not None and not holds(actor, CATALOGUE_ROLES, catalogue_org.path):
        raise PermissionDenied("只有组织部管理员可以修改积分办法")


def _require_draft(actor: User | None, version: RuleVersion) -> None:
    _require(actor, version.catalogue.org)
    if not version.is_draft:
        raise ValidationError("已发布的版本不能修改，请新建版本")


@transaction.atomic
def create_catalogue(
    *,
    actor: User | None,
    org: Organization,
    name: str,
    document: str,
    effective_from: dt.date,
    blocks: list[tuple[str, str, Decimal]] | None = None,
) -> Catalogue:
    """A new catalogue with a first draft version and its blocks (code, name, yearly cap)."""
    _require(actor, org)
    catalogue = Catalogue(org=org, name=name.strip(), document=document.strip())
    catalogue.full_clean()
    catalogue.save()
    version = RuleVersion.objects.create(
        catalogue=catalogue, number=1, effective_from=effective_from, created_by=actor
    )
    for i, (code, block_name, cap) in enumerate(blocks or []):
        Block.objects.create(version=version, code=code, name=block_name, cap=cap, order=i)
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=catalogue,
        org=org,
        summary={"document": catalogue.document},
    )
    return catalogue


@transaction.atomic
def start_version(
    *, actor: User | None, catalogue: Catalogue, effective_from: dt.date, note: str = ""
) -> RuleVersion:
    """A draft copy of the latest version (blocks and items), to edit and publish as the next edition."""
    _require(actor, catalogue.org)
    catalogue = lock_rows(Catalogue.objects).get(pk=catalogue.pk)
    if catalogue.versions.filter(status=RuleVersion.Status.DRAFT).exists():
        raise ValidationError("已有未发布的草稿版本，请先发布或修改该草稿")
    latest = catalogue.versions.order_by("-number").first()
    version = RuleVersion.objects.create(
        catalogue=catalogue,
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        note=note,
        created_by=actor,
        **(
            {
                f: getattr(latest, f)
                for f in ("pass_mark", "objection_days", "commendation_top", "notice_auto_publish")
            }
            if latest
            else {}
        ),
    )
    if latest:
        blocks = {}
        for b in latest.blocks.all():
            blocks[b.pk] = Block.objects.create(
                version=version, code=b.code, name=b.name, cap=b.cap, order=b.order
            )
        PointRule.objects.bulk_create(
            [
                PointRule(
                    version=version, block=blocks[r.block_id], **{f: getattr(r, f) for f in RULE_FIELDS[1:]}
                )
                for r in latest.rules.all()
            ]
        )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=version,
        org=catalogue.org,
        summary=snapshot(version, VERSION_FIELDS),
    )
    return version


@transaction.atomic
def update_version(*, actor: User | None, version: RuleVersion, **fields: Any) -> RuleVersion:
    _require_draft(actor, version)
    for name in VERSION_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    version.full_clean()
    version.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=version,
        org=version.catalogue.org,
        summary=snapshot(version, VERSION_FIELDS),
    )
    return version


@transaction.atomic
def save_block(
    *, actor: User | None, version: RuleVersion, block: Block | None = None, **fields: Any
) -> Block:
    _require_draft(actor, version)
    block = block or Block(version=version)
    for name in ("code", "name", "cap", "order"):
        if name in fields:
            setattr(block, name, fields[name])
    block.full_clean()
    block.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=block,
        org=version.catalogue.org,
        summary=snapshot(block, ["code", "name", "cap"]),
    )
    return block


@transaction.atomic
def save_rule(
    *, actor: User | None, version: RuleVersion, rule: PointRule | None = None, **fields: Any
) -> PointRule:
    """Add or change an item of a draft version."""
    _require_draft(actor, version)
    if rule is not None and rule.version_id != version.pk:
        raise ValidationError("该项目不属于此版本")
    rule = rule or PointRule(version=version)
    for name in RULE_FIELDS:
        if name in fields:
            setattr(rule, name, fields[name])
    if rule.block_id and rule.block.version_id != version.pk:
        raise ValidationError({"block": ["板块不属于此版本"]})
    if rule.points is not None and rule.points <= 0:
        raise ValidationError({"points": ["分值须大于0"]})
    if rule.active_from and rule.active_to and rule.active_to < rule.active_from:
        raise ValidationError({"active_to": ["停用日期不能早于启用日期"]})
    duplicate = PointRule.objects.filter(version=version, code=rule.code).exclude(pk=rule.pk).exists()
    if duplicate:
        raise ValidationError({"code": ["该代码在本版本中已存在"]})
    rule.full_clean(validate_constraints=False)
    rule.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=rule,
        org=version.catalogue.org,
        summary=snapshot(rule, RULE_FIELDS),
    )
    return rule


@transaction.atomic
def create_catalogue_from_template(
    *, actor: User | None, org: Organization, name: str, document: str, effective_from: dt.date
) -> Catalogue:
    """A new catalogue whose first draft carries the official template (points.defaults), its boards and
    items, for the department admin to adjust before publishing."""
    catalogue = create_catalogue(
        actor=actor,
        org=org,
        name=name,
        document=document,
        effective_from=effective_from,
        blocks=defaults.BLOCKS,
    )
    version = catalogue.versions.get()
    blocks = {b.code: b for b in version.blocks.all()}
    for i, item in enumerate(defaults.ITEMS):
        save_rule(actor=actor, version=version, block=blocks[item.block], order=i, **item.rule_fields())
    return catalogue


@transaction.atomic
def delete_rule(*, actor: User | None, rule: PointRule) -> None:
    _require_draft(actor, rule.version)
    record_event(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=rule,
        org=rule.version.catalogue.org,
        summary=snapshot(rule, RULE_FIELDS),
    )
    rule.delete()


@transaction.atomic
def publish_version(*, actor: User | None, version: RuleVersion) -> RuleVersion:
    """Publish a draft: from its effective date on, new entries are scored under it."""
    _require_draft(actor, version)
    if not version.rules.exists():
        raise ValidationError("版本中没有积分项目，不能发布")
    version.status = RuleVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=version,
        org=version.catalogue.org,
        summary={"published": version.number, "effective_from": str(version.effective_from)},
    )
    return version
