"""Create (idempotently) one demo login per role on the generated demo county and print them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import otp
from accounts.models import TOTPDevice, User
from accounts.services import create_user, grant_role
from audit.models import AuditEvent
from audit.services import record_event
from observers.demo import link_demo_observer_user
from orgs.demo import demo_nodes
from orgs.models import Member, Organization, Position, RoleGrant
from orgs.roles import Role
from personal import encrypt
from points.models import LedgerEntry

DEMO_PASSWORD = "Xianfeng@2026"  # meets the policy: 8+ characters, 4 character classes, no username

DEPT_PERMISSIONS = (
    "orgs.unmask_member",
    "orgs.search_member_number",
    "orgs.export_member",
    "audit.view_auditevent",
)


@dataclass
class DemoLogin:
    role: str  # a Role value, or "" for the superuser
    username: str
    display_name: str
    node: str  # "county", "committee", "branch" or "" (superuser)
    permissions: tuple[str, ...] = ()
    link: str = ""  # "secretary", "contact" or "member": the Member this user is


DEMO_LOGINS = [
    DemoLogin("", "admin", "系统管理员", ""),
    DemoLogin(Role.DEPT_ADMIN, "admin_dept", "组织部管理员", "county", DEPT_PERMISSIONS),
    DemoLogin(
        Role.COMMITTEE_ADMIN, "admin_committee", "党(工)委管理员", "committee", ("orgs.export_member",)
    ),
    DemoLogin(Role.BRANCH_SECRETARY, "secretary", "支部书记", "branch", link="secretary"),
    DemoLogin(Role.BRANCH_ADMIN, "branch_admin", "支部管理员", "branch"),
    DemoLogin(Role.BRANCH_CONTACT, "contact", "组织委员/联系人", "branch", link="contact"),
    DemoLogin(Role.PATROL, "patrol", "巡查员", "committee"),
    DemoLogin(Role.OBSERVER, "observer", "观察员", "county"),
    DemoLogin(Role.SCOREKEEPER, "scorekeeper", "计分员", "branch"),
    DemoLogin(Role.INFO_OFFICER, "info_officer", "信息员", "committee"),
    DemoLogin(Role.EDITOR, "editor", "编辑", "county"),
    DemoLogin(Role.VIEWER, "viewer", "只读查看员", "county"),
    DemoLogin(Role.AUDITOR, "auditor", "审计员", "county", ("audit.view_auditevent",)),
    DemoLogin(Role.MEMBER, "member", "党员", "branch", link="member"),
    # 三员分立 (orgs.roles): three distinct people.
    DemoLogin(Role.SYSTEM_ADMIN, "admin_system", "系统管理员", "county"),
    DemoLogin(Role.SECURITY_ADMIN, "admin_security", "安全管理员", "county"),
    DemoLogin(Role.AUDIT_ADMIN, "admin_audit", "审计管理员", "county", ("audit.view_auditevent",)),
]

# Admin roles must use two-factor authentication; the demo's admins share this published TOTP secret
# (add it to any authenticator app, or compute codes with accounts.otp.totp). Never in production.
DEMO_TOTP_SECRET = "XIANFENGDEMOTOTPXIANFENGDEMOTOTP"


def _enrol_demo_totp(user: User) -> None:

    if otp.is_required(user) and otp.confirmed_device(user) is None:
        TOTPDevice.objects.update_or_create(
            user=user,
            defaults={"secret_encrypted": encrypt(DEMO_TOTP_SECRET), "confirmed_at": timezone.now()},
        )
        record_event(actor=None, action=AuditEvent.Action.UPDATE, target=user, summary={"2fa": "demo"})


def _linked_member(branch: Organization, link: str) -> Member | None:
    free = Member.objects.filter(org=branch, user__isnull=True, status=Member.Status.NORMAL)
    if link in ("secretary", "contact"):
        title = Position.Title.SECRETARY if link == "secretary" else Position.Title.CONTACT
        return free.filter(
            positions__org=branch, positions__title=title, positions__ended_on__isnull=True
        ).first()
    # The member login: an ordinary member, preferably one the points demo gave entries this year, so the
    # 学习积分 pages open on a real ledger.

    this_year = LedgerEntry.objects.filter(member=OuterRef("pk"), occurred_on__year=timezone.localdate().year)
    return (
        free.filter(positions__isnull=True)
        .annotate(has_points=Exists(this_year))
        .order_by("-has_points", "id")
        .first()
    )


@transaction.atomic
def ensure_demo_logins() -> list[tuple[DemoLogin, User, str, bool]]:
    """Create what is missing; returns (login, user, scope text, created) for every demo login."""
    nodes = demo_nodes()
    out = []
    for login in DEMO_LOGINS:
        if login.node and nodes is None:
            continue
        user = User.objects.filter(username=login.username).first()
        created = user is None
        if user is None:
            user = create_user(
                actor=None,
                username=login.username,
                password=DEMO_PASSWORD,
                display_name=login.display_name,
                must_change_password=False,
                is_superuser=not login.role,
            )
        scope = "全部组织（超级用户）"
        if login.role and nodes is not None:
            org = nodes[login.node]
            if not RoleGrant.objects.filter(user=user, org=org, role=login.role).exists():
                grant_role(actor=None, user=user, org=org, role=login.role)
            scope = org.short_name or org.name
            if login.link and user.member_id is None:
                member = _linked_member(org, login.link)
                if member is not None:
                    user.member = member
                    user.save(update_fields=["member"])
                    record_event(
                        actor=None,
                        action=AuditEvent.Action.UPDATE,
                        target=user,
                        summary={"member": member.name},
                    )
            if login.link and user.member is not None:
                scope = f"{scope}（本人：{user.member.name}）" if login.role == Role.MEMBER else scope
        missing = [p for p in login.permissions if not user.has_perm(p)]
        if missing:
            for perm in missing:
                app, codename = perm.split(".")
                user.user_permissions.add(
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                )
            record_event(
                actor=None, action=AuditEvent.Action.GRANT, target=user, summary={"permissions": missing}
            )
        if login.role == Role.OBSERVER:
            # The observers demo ran before this login existed (make run: generate_demo, then demo_logins):
            # link it to a demo observer now, so it opens on that observer's branches.

            observer = link_demo_observer_user()
            if observer is not None:
                scope = f"{scope}（本人：观察员 {observer.member.name}）"
        _enrol_demo_totp(user)
        out.append((login, user, scope, created))
    return out


class Command(BaseCommand):
    help = "为演示县创建每个角色一个演示账号（可重复运行），并打印账号表；--code 只打印管理员登录用的当前动态验证码。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--code",
            action="store_true",
            help="只打印演示管理员账号当前的动态验证码（及其剩余有效秒数），不创建账号",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            self.print_code()
            return
        rows = ensure_demo_logins()
        if demo_nodes() is None:
            self.stdout.write(
                "尚无组织数据：只创建了系统管理员。先运行 manage.py generate_demo 再运行本命令。"
            )
        self.stdout.write("")
        self.stdout.write("演示账号（仅供演示，切勿用于生产环境）：")
        self.stdout.write("角色 | 用户名 | 密码 | 管辖范围")
        self.stdout.write("---|---|---|---")
        for login, user, scope, _created in rows:
            role = dict(Role.choices).get(login.role, "系统管理员")
            password = "（已由用户修改）" if user.password_changed_at else DEMO_PASSWORD
            self.stdout.write(f"{role} | {user.username} | {password} | {scope}")
        self.stdout.write("")
        self.stdout.write(
            f"统一演示密码：{DEMO_PASSWORD}。演示账号已免除首次登录强制改密（must_change_password=False）；"
            "正式部署请用 manage.py create_admin 创建管理员。"
        )
        self.stdout.write(
            f"管理员账号须双因素认证：演示认证器密钥 {DEMO_TOTP_SECRET}（TOTP，6位，30秒），"
            f"可加入任一验证器应用：{otp.provisioning_uri(DEMO_TOTP_SECRET, 'demo')}"
        )
        self.stdout.write("登录时需要的当前验证码可用 manage.py demo_logins --code 查看。")

    def print_code(self) -> None:
        """The demo authenticator's code now: what an admin demo login asks for after the password."""
        now = time.time()
        left = int(otp.STEP_SECONDS - now % otp.STEP_SECONDS)
        self.stdout.write(f"当前动态验证码：{otp.totp(DEMO_TOTP_SECRET, now)}（还可使用约 {left} 秒）")
        self.stdout.write(f"下一个验证码：{otp.totp(DEMO_TOTP_SECRET, now + otp.STEP_SECONDS)}")
        self.stdout.write("每个验证码只能用于一次登录；用过后请等下一个。")
