"""The shared cast for tests: a small county tree and one user per role.

county (县委)
├── committee_a (党委 A, 机关)
│   ├── branch_a1 (党支部, with a 党小组 group_a1)
│   └── branch_a2 (党支部)
└── committee_b (党委 B, 企业)
    └── branch_b1 (党支部)

Users (password PASSWORD for all, initial-password change already done):
dept_admin (组织部管理员 on county, may unmask, search by full number and export), committee_admin (on committee_a),
secretary (支部书记 on branch_a1), viewer (只读查看员 on committee_a), outsider (支部书记 on branch_b1),
auditor (审计员 on county), member_user (党员, linked to a member of branch_a1).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client, override_settings

from accounts.models import User
from orgs.models import Member, Organization, RoleGrant
from orgs.paths import encode_step
from orgs.roles import Role
from personal import idcard

PASSWORD = "Xf#Test2026"

# The whole suite fails if anything logged carries an ID number or a mobile number (docs/security.md).
pytest_plugins = ["audit.log_guard"]


def make_org(parent: Organization | None, name: str, kind: str, code: str, **extra: Any) -> Organization:
    if parent is None:
        path = encode_step(Organization.objects.filter(parent__isnull=True).count() + 1)
    else:
        parent.child_seq += 1
        parent.save(update_fields=["child_seq"])
        path = parent.path + encode_step(parent.child_seq)
    extra.setdefault("unit_category", Organization.UnitCategory.ORGAN)
    return Organization.objects.create(
        parent=parent,
        path=path,
        depth=len(path) // 4,
        name=name,
        short_name=name,
        code=code,
        kind=kind,
        **extra,
    )


_seq = [100]


def make_member(
    org: Organization, name: str = "张三", *, category: str = "full", phone: str = "13812345678", **extra: Any
) -> Member:
    _seq[0] += 1
    birth = extra.pop("birth_date", dt.date(1980, 5, 17))
    number = extra.pop("id_number", None) or idcard.make("340101", birth, _seq[0])
    _, _, gender = idcard.parse(number)
    m = Member(
        name=name,
        gender=gender,
        birth_date=birth,
        category=category,
        org=org,
        joined_on=extra.pop("joined_on", dt.date(2005, 7, 1)),
        full_member_on=extra.pop("full_member_on", dt.date(2006, 7, 1) if category == "full" else None),
        education=extra.pop("education", Member.Education.BACHELOR),
        **extra,
    )
    m.set_id_number(number)
    m.set_phone(phone)
    m.save()
    return m


def make_user(username: str, role: str | None = None, org: Organization | None = None, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, must_change_password=False, **extra)
    if role and org:
        RoleGrant.objects.create(user=user, org=org, role=role)
    return user


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # PBKDF2's deliberate slowness is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    county: Organization
    committee_a: Organization
    committee_b: Organization
    branch_a1: Organization
    branch_a2: Organization
    group_a1: Organization
    branch_b1: Organization
    member_a1: Member
    member_b1: Member
    dept_admin: User
    committee_admin: User
    secretary: User
    viewer: User
    outsider: User
    auditor: User
    member_user: User

    def client(self, user: User | None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c


@pytest.fixture(autouse=True)
def _no_reference_data_kept() -> None:
    """Each test's database is new: so is the reference data the process keeps (orgs.reference); a rolled
    back test leaves its token behind, and with it copies of rows that are gone."""
    from orgs import reference

    reference.forget()


@pytest.fixture(autouse=True)
def _own_audit_checkpoint(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's database is new: so is its signed audit checkpoint (audit.checkpoint)."""
    name = f"audit-checkpoint-{uuid.uuid4().hex}.json"
    settings.XIANFENG_AUDIT_CHECKPOINT = str(tmp_path_factory.getbasetemp() / name)


@pytest.fixture
def cast(db: Any) -> Cast:
    county = make_org(None, "中共示范县委员会", "committee", "C0001")
    committee_a = make_org(county, "中共示范县直属机关工作委员会", "working_committee", "C0002")
    committee_b = make_org(county, "中共示范县企业委员会", "committee", "C0003", unit_category="enterprise")
    branch_a1 = make_org(committee_a, "县财政局机关党支部", "branch", "B0001", has_committee=True)
    branch_a2 = make_org(committee_a, "县教育局机关党支部", "branch", "B0002")
    group_a1 = make_org(branch_a1, "第一党小组", "group", "G0001")
    branch_b1 = make_org(committee_b, "示范机械厂党支部", "branch", "B0003", unit_category="enterprise")
    member_a1 = make_member(branch_a1, "李建国", phone="13955551234")
    for i in range(3):
        make_member(branch_a1, f"王{i}华")
    member_b1 = make_member(branch_b1, "赵红梅", phone="13700001111")
    dept_admin = make_user("dept_admin", Role.DEPT_ADMIN, county)
    dept_admin.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["unmask_member", "search_member_number", "export_member", "view_auditevent"]
        )
    )
    committee_admin = make_user("committee_admin", Role.COMMITTEE_ADMIN, committee_a)
    committee_admin.user_permissions.add(*Permission.objects.filter(codename__in=["export_member"]))
    return Cast(
        county=county,
        committee_a=committee_a,
        committee_b=committee_b,
        branch_a1=branch_a1,
        branch_a2=branch_a2,
        group_a1=group_a1,
        branch_b1=branch_b1,
        member_a1=member_a1,
        member_b1=member_b1,
        dept_admin=dept_admin,
        committee_admin=committee_admin,
        secretary=make_user("secretary", Role.BRANCH_SECRETARY, branch_a1),
        viewer=make_user("viewer", Role.VIEWER, committee_a),
        outsider=make_user("outsider", Role.BRANCH_SECRETARY, branch_b1),
        auditor=make_user("auditor", Role.AUDITOR, county),
        member_user=make_user("member_user", Role.MEMBER, branch_a1, member=member_a1),
    )


@pytest.fixture(scope="session", autouse=True)
def _audit_table_flushable() -> Iterator[None]:
    """Transactional (browser) tests flush the database; the audit triggers would refuse it on SQLite."""
    from audit.testing import flushable_audit_table

    with flushable_audit_table():
        yield


def shared_data(
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    build: Callable[[], Any],
    **overrides: Any,
) -> Iterator[tuple[Any, str]]:
    """For a module- or class-scoped fixture whose tests only read what `build` makes (a demo that takes
    minutes on PostgreSQL): built once in a transaction that is rolled back when the fixture ends. Each test
    runs in its own savepoint inside it (pytest-django's `db`), so what one test writes never reaches the
    next. Built with this file's settings for a test: the fast password hasher and an audit checkpoint of its
    own, whose path comes back with the result so each test can use it (the chain head was checkpointed there).
    The database stays blocked between tests as usual."""
    checkpoint = str(tmp_path_factory.getbasetemp() / f"audit-checkpoint-shared-{uuid.uuid4().hex}.json")
    settings_ = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        XIANFENG_AUDIT_CHECKPOINT=checkpoint,
        **overrides,
    )
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        settings_.enable()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings_.disable()
            raise
    try:
        yield built, checkpoint
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings_.disable()
