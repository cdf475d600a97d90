"""Accounts in bulk (开通账号): from posts (书记, 组织委员, 联系人 get the role their post implies on its node,
orgs.roles.POST_ROLES) or from members (every member a login with the 党员 role on their organization).

- Login: every new account's username is a generated ID (`dy` + the member's number); a member may also
  log in with their phone (accounts.services.auth.login_name), so a phone two members share cannot be a
  login: such rows are reported, per row in Chinese, and nothing is created.
- Initial passwords: random (accounts.services.users.generate_initial_password), hashed with the cheaper
  InitialPasswordHasher (accounts.passwords says why), changed at first login. They go by SMS through the
  outbox (encrypted there) or onto a sealed list (PDF, one section per organization) that can be
  downloaded once; members without a phone always go on the list.
- Idempotent: a member with an account keeps it and its password; only missing grants are added. A posts
  run also revokes the grants of posts that have ended since (orgs.services.revoke_post_grants does it
  when a post is ended through the service).
- Runs as a task (accounts.tasks.provision_accounts_task) committing CHUNK members at a time, with
  progress on the run row; a run that dies part-way is finished by running again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import personal
from accounts.context import bump_access_version
from accounts.models import ProvisioningRun, User
from accounts.services.sealed_list import sealed_list_pdf
from accounts.services.users import generate_initial_password, password_sms, require_system_admin
from audit.models import AuditEvent
from audit.services import record_event
from notifications.models import Message
from notifications.services import enqueue_many, secret_body
from orgs.access import Actor
from orgs.models import Member, Organization, Position, RoleGrant
from orgs.paths import under_path_q
from orgs.roles import POST_ROLES, Role
from orgs.services import revoke_post_grants

CHUNK = 500
# What a run reads of each member (a city's 250,000 members are held at once; the rest stays in the database).
MEMBER_FIELDS = ("name", "org__path", "org__name", "phone_hash", "phone_enc", "phone_masked")
INITIAL_HASHER = "pbkdf2_sha256_initial"


def login_for(member_id: int) -> str:
    return f"dy{member_id:08d}"


@dataclass
class Target:
    member: Member
    grants: list[tuple[Position | None, str, Organization]] = field(default_factory=list)


@transaction.atomic
def start_provisioning(*, actor: Actor, org: Organization, source: str, delivery: str) -> ProvisioningRun:
    """Record a run and enqueue its task after commit; the system administrator's write."""
    require_system_admin(actor)
    errors = {}
    if source not in ProvisioningRun.Source.values:
        errors["source"] = ["来源无效"]
    if delivery not in ProvisioningRun.Delivery.values:
        errors["delivery"] = ["送达方式无效"]
    if errors:
        raise ValidationError(errors)
    run = ProvisioningRun.objects.create(
        created_by=cast(User, actor), org=org, source=source, delivery=delivery
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=run,
        org=org,
        summary={"source": source, "delivery": delivery},
    )
    from accounts import tasks  # the tasks module imports this one

    transaction.on_commit(lambda: tasks.provision_accounts_task.enqueue(run.pk))
    return run


def _targets(run: ProvisioningRun) -> list[Target]:
    active = Member.ACTIVE_STATUSES
    if run.source == ProvisioningRun.Source.MEMBERS:
        members = Member.objects.filter(under_path_q(run.org.path, "org__path"), status__in=active)
        members = members.select_related("org").only(*MEMBER_FIELDS).order_by("org__path", "pk")
        return [Target(m, [(None, Role.MEMBER, m.org)]) for m in members.iterator(chunk_size=2000)]
    posts = (
        Position.objects.current()
        .filter(
            under_path_q(run.org.path, "org__path"), title__in=list(POST_ROLES), member__status__in=active
        )
        .select_related("member", "member__org", "org")
        .only("title", "org__path", "org__name", *(f"member__{f}" for f in MEMBER_FIELDS))
        .order_by("org__path", "member_id", "pk")
    )
    by_member: dict[int, Target] = {}
    for post in posts.iterator(chunk_size=2000):
        target = by_member.setdefault(post.member_id, Target(post.member))
        target.grants.append((post, POST_ROLES[post.title], post.org))
    return list(by_member.values())


def _row(index: int, member: Member) -> str:
    return f"第 {index} 人（{member.name}，{member.org.name}）"


def check_targets(targets: list[Target], existing: dict[int, int]) -> list[str]:
    """Per-row errors for the accounts to create: a phone shared by two members, a login already taken."""
    errors: list[str] = []
    new = [(i, t.member) for i, t in enumerate(targets, start=1) if t.member.pk not in existing]
    by_phone: dict[str, list[tuple[int, Member]]] = defaultdict(list)
    for index, member in new:
        if member.phone_hash:
            by_phone[member.phone_hash].append((index, member))
    for rows in by_phone.values():
        if len(rows) > 1:
            names = "、".join(f"{m.name}（{m.org.name}）" for _, m in rows)
            for index, member in rows:
                errors.append(f"{_row(index, member)}：手机号与其他党员重复，不能作为登录名：{names}")
    hashes = list(by_phone)
    taken: dict[str, str] = {}
    for start in range(0, len(hashes), 1000):
        found = User.objects.filter(member__phone_hash__in=hashes[start : start + 1000]).values_list(
            "member__phone_hash", "username"
        )
        taken.update(found)
    for phone_hash, username in taken.items():
        for index, member in by_phone[phone_hash]:
            errors.append(f"{_row(index, member)}：手机号已是账号 {username} 的登录手机号")
    logins = {login_for(m.pk): (i, m) for i, m in new}
    wanted = list(logins)
    for start in range(0, len(wanted), 1000):
        for username in User.objects.filter(username__in=wanted[start : start + 1000]).values_list(
            "username", flat=True
        ):
            index, member = logins[username]
            errors.append(f"{_row(index, member)}：登录名 {username} 已被其他账号使用")
    return sorted(errors, key=lambda e: int(e.split(" ")[1]))


def _hasher_name() -> str:
    """The initial-password hasher when installed (settings.PASSWORD_HASHERS), else the default one."""
    installed = "accounts.passwords.InitialPasswordHasher" in settings.PASSWORD_HASHERS
    return INITIAL_HASHER if installed else "default"


def _existing_accounts(targets: list[Target]) -> dict[int, int]:
    ids = [t.member.pk for t in targets]
    found: dict[int, int] = {}
    for start in range(0, len(ids), 1000):
        found.update(
            User.objects.filter(member_id__in=ids[start : start + 1000]).values_list("member_id", "pk")
        )
    return found


def _revoke_ended(run: ProvisioningRun) -> int:
    ended = Position.objects.filter(
        under_path_q(run.org.path, "org__path"), ended_on__isnull=False, grants__isnull=False
    ).distinct()
    return sum(revoke_post_grants(actor=run.created_by, position=p) for p in ended.order_by("pk"))


def run_provisioning(run_id: int) -> ProvisioningRun:
    """The task's work: check every row, then create accounts and grants CHUNK members at a time."""
    run = ProvisioningRun.objects.select_related("org", "created_by").get(pk=run_id)
    if run.status in (ProvisioningRun.Status.DONE, ProvisioningRun.Status.FAILED):
        return run
    targets = _targets(run)
    existing = _existing_accounts(targets)
    errors = check_targets(targets, existing)
    run.total = len(targets)
    if errors:
        run.status, run.errors, run.finished_at = ProvisioningRun.Status.FAILED, errors, timezone.now()
        run.save(update_fields=["total", "status", "errors", "finished_at"])
        record_event(
            actor=run.created_by,
            action=AuditEvent.Action.UPDATE,
            target=run,
            org=run.org,
            summary={"status": "failed", "errors": len(errors)},
        )
        return run
    run.status = ProvisioningRun.Status.RUNNING
    run.save(update_fields=["total", "status"])
    if run.source == ProvisioningRun.Source.POSTS:
        with transaction.atomic():
            run.grants_revoked = _revoke_ended(run)
            run.save(update_fields=["grants_revoked"])
    hasher = _hasher_name()
    try:
        for start in range(run.processed, len(targets), CHUNK):
            _provision_chunk(run, targets[start : start + CHUNK], existing, hasher)
    except Exception as exc:
        # Committed chunks stay (their passwords are on the run's list or in the outbox); running again
        # goes on from there.
        ProvisioningRun.objects.filter(pk=run.pk).update(
            status=ProvisioningRun.Status.FAILED,
            errors=[
                f"开通在第 {run.processed + 1} 人处中断（{type(exc).__name__}），已开通的账号保留，重新开通即可继续"
            ],
            finished_at=timezone.now(),
        )
        raise
    run.status, run.finished_at = ProvisioningRun.Status.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    record_event(
        actor=run.created_by,
        action=AuditEvent.Action.UPDATE,
        target=run,
        org=run.org,
        summary={
            "status": "done",
            "accounts_created": run.accounts_created,
            "grants_created": run.grants_created,
            "grants_revoked": run.grants_revoked,
            "sms": run.sms_queued,
            "slips": run.slip_count,
        },
    )
    return run


@transaction.atomic
def _provision_chunk(
    run: ProvisioningRun, targets: list[Target], existing: dict[int, int], hasher: str
) -> None:
    new_users: list[User] = []
    passwords: dict[int, str] = {}
    for target in targets:
        member = target.member
        if member.pk in existing:
            continue
        password = generate_initial_password()
        user = User(
            username=login_for(member.pk),
            display_name=member.name[:40],
            member=member,
            must_change_password=True,
            password=make_password(password, hasher=hasher),
        )
        new_users.append(user)
        passwords[member.pk] = password
    User.objects.bulk_create(new_users, batch_size=CHUNK)
    user_ids = dict(
        User.objects.filter(member_id__in=[t.member.pk for t in targets]).values_list("member_id", "pk")
    )
    existing.update(user_ids)
    have = set(
        RoleGrant.objects.filter(user_id__in=list(user_ids.values())).values_list("user_id", "org_id", "role")
    )
    missing: dict[tuple[int, int, str], Position | None] = {}
    for t in targets:
        for post, role, org in t.grants:
            key = (user_ids[t.member.pk], org.pk, role)
            if key not in have:
                missing.setdefault(key, post)
    unique = [
        RoleGrant(user_id=user_id, org_id=org_id, role=role, position=post)
        for (user_id, org_id, role), post in missing.items()
    ]
    RoleGrant.objects.bulk_create(unique, batch_size=CHUNK)
    bump_access_version(g.user_id for g in unique)  # bulk_create sends no signals (accounts.context)
    sms, slips = [], []
    by_member = {u.member_id: u for u in new_users}
    for target in targets:
        member = target.member
        made = by_member.get(member.pk)
        if made is None:
            continue
        user = made
        password = passwords[member.pk]
        if run.delivery == ProvisioningRun.Delivery.SMS and member.phone_enc:
            sms.append(
                {
                    "channel": Message.Channel.SMS,
                    "dedupe_key": f"provision:{user.username}",
                    "body": secret_body(password_sms(user=user, password=password, reason="已开通")),
                    "recipient": None,
                    "recipient_name": member.name,
                    "phone_enc": member.phone_enc,
                    "phone_masked": member.phone_masked,
                    "org": member.org,
                    "title": "账号初始密码",
                }
            )
        else:
            slips.append([member.org.path, member.org.name, member.name, user.username, password])
    if sms:
        enqueue_many(sms)
    if slips:
        run.slips.append(personal.encrypt(json.dumps(slips, ensure_ascii=False)))
    run.processed += len(targets)
    run.accounts_created += len(new_users)
    run.grants_created += len(unique)
    run.sms_queued += len(sms)
    run.slip_count += len(slips)
    run.save(
        update_fields=[
            "processed",
            "accounts_created",
            "grants_created",
            "sms_queued",
            "slip_count",
            "slips",
        ]
    )
    if new_users or unique:
        # One audit event per chunk (a bulk path, as orgs' add_members): who got an account, which grants.
        record_event(
            actor=run.created_by,
            action=AuditEvent.Action.CREATE,
            target=run,
            org=run.org,
            summary={
                "accounts": [u.username for u in new_users],
                "grants": [[g.user_id, g.org_id, g.role, g.position_id] for g in unique],
            },
        )


def take_sealed_list(*, actor: Actor, run: ProvisioningRun) -> bytes:
    """The sealed list as a PDF, once: the passwords are wiped from the run as it is handed out (audited).
    Rendering happens inside the transaction, so a failure (no CJK font) keeps them for another try."""
    require_system_admin(actor)
    with transaction.atomic():
        locked = ProvisioningRun.objects.select_for_update().get(pk=run.pk)
        if locked.slips_downloaded_at is not None or not locked.slips:
            raise ValidationError("密封清单已下载过（初始密码只提供一次），如有遗失请逐个重置密码")
        rows: list[list[str]] = []
        for token in locked.slips:
            rows.extend(json.loads(personal.decrypt(token)))
        locked.slips, locked.slips_downloaded_at = [], timezone.now()
        locked.save(update_fields=["slips", "slips_downloaded_at"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            target=locked,
            org=locked.org,
            summary={"sealed_list": len(rows)},
        )
        return sealed_list_pdf(sorted(rows), title=f"批量开通 #{locked.pk} · {run.org.name}")
