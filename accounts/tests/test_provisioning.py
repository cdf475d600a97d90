"""Bulk provisioning: posts give exactly the roles they imply, members get logins, duplicate phones stop
the run, a second run changes nothing, initial passwords go by SMS or on a sealed list taken once."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from accounts.models import ProvisioningRun, User
from accounts.services import provisioning
from audit.models import AuditEvent
from conftest import make_member, make_user
from notifications.models import Message
from notifications.services import plain_body
from orgs.models import Member, Position, RoleGrant
from orgs.roles import Role
from orgs.services import end_position


@pytest.fixture
def sysadmin(cast):
    return make_user("sys", Role.SYSTEM_ADMIN, cast.county)


def _run(actor, org, source, delivery="sms"):
    run = provisioning.start_provisioning(actor=actor, org=org, source=source, delivery=delivery)
    return provisioning.run_provisioning(run.pk)


def _post(member, org, title):
    return Position.objects.create(member=member, org=org, title=title, started_on=dt.date(2024, 1, 1))


@pytest.fixture
def posts(cast):
    a2_secretary = make_member(cast.branch_a2, "钱书记", phone="13600000001")
    a2_contact = make_member(cast.branch_a2, "孙联系", phone="")
    b1 = cast.member_b1
    return {
        "secretary": _post(a2_secretary, cast.branch_a2, Position.Title.SECRETARY),
        "contact": _post(a2_contact, cast.branch_a2, Position.Title.CONTACT),
        "organization": _post(a2_contact, cast.branch_a2, Position.Title.ORGANIZATION),
        "propaganda": _post(a2_secretary, cast.branch_a2, Position.Title.PROPAGANDA),
        "b1": _post(b1, cast.branch_b1, Position.Title.SECRETARY),
        "ended": Position.objects.create(
            member=b1,
            org=cast.branch_b1,
            title=Position.Title.CONTACT,
            started_on=dt.date(2020, 1, 1),
            ended_on=dt.date(2023, 1, 1),
        ),
    }


def _post_grants():
    return set(
        RoleGrant.objects.filter(position__isnull=False).values_list(
            "user__display_name", "org__code", "role"
        )
    )


def test_posts_give_exactly_the_roles_they_imply(cast, sysadmin, posts):
    run = _run(sysadmin, cast.county, "posts")
    assert run.status == "done" and run.accounts_created == 3
    assert _post_grants() == {
        ("钱书记", "B0002", Role.BRANCH_SECRETARY),
        ("孙联系", "B0002", Role.BRANCH_CONTACT),  # 联系人 and 组织委员: one grant of the same role
        ("赵红梅", "B0003", Role.BRANCH_SECRETARY),
    }
    for user in User.objects.filter(member__isnull=False, username__startswith="dy"):
        assert user.must_change_password
        assert set(user.grants.values_list("role", flat=True)) <= {Role.BRANCH_SECRETARY, Role.BRANCH_CONTACT}


def test_a_run_covers_only_the_subtree_asked_for(cast, sysadmin, posts):
    _run(sysadmin, cast.committee_a, "posts")
    assert {code for _, code, _ in _post_grants()} == {"B0002"}


def test_ending_a_post_revokes_its_role_and_a_run_tidies_posts_ended_elsewhere(cast, sysadmin, posts):
    _run(sysadmin, cast.county, "posts")
    end_position(actor=cast.dept_admin, position=posts["secretary"], ended_on=dt.date(2026, 1, 1))
    assert ("钱书记", "B0002", Role.BRANCH_SECRETARY) not in _post_grants()
    # A post ended without the service (an import, a correction in the database): the next run revokes it.
    Position.objects.filter(pk=posts["b1"].pk).update(ended_on=dt.date(2026, 1, 1))
    run = _run(sysadmin, cast.county, "posts")
    assert run.grants_revoked == 1 and ("赵红梅", "B0003", Role.BRANCH_SECRETARY) not in _post_grants()


def test_a_second_run_changes_nothing(cast, sysadmin, posts):
    _run(sysadmin, cast.county, "posts")
    users = {u.pk: u.password for u in User.objects.all()}
    grants = set(RoleGrant.objects.values_list("pk", flat=True))
    messages = Message.objects.count()
    again = _run(sysadmin, cast.county, "posts")
    assert (again.accounts_created, again.grants_created, again.sms_queued) == (0, 0, 0)
    assert {u.pk: u.password for u in User.objects.all()} == users
    assert set(RoleGrant.objects.values_list("pk", flat=True)) == grants
    assert Message.objects.count() == messages


def _distinct_phones(cast):
    """The cast's three extra members share the default phone: give them their own."""
    for i, member in enumerate(Member.objects.filter(org=cast.branch_a1).exclude(pk=cast.member_a1.pk)):
        member.set_phone(f"1350000000{i}")
        member.save()


def test_members_each_get_a_login_with_the_member_role(cast, sysadmin):
    _distinct_phones(cast)
    run = _run(sysadmin, cast.committee_a, "members", delivery="pdf")
    # member_a1 already has an account (member_user); the three others in branch_a1 get one each.
    assert run.status == "done" and run.accounts_created == 3 and run.slip_count == 3
    created = User.objects.filter(username__startswith="dy")
    assert created.count() == 3
    for user in created:
        assert list(user.grants.values_list("role", "org")) == [(Role.MEMBER, user.member.org_id)]
    assert not cast.member_user.grants.filter(role=Role.MEMBER).exclude(org=cast.branch_a1).exists()


def test_a_duplicate_phone_stops_the_run_with_per_row_errors(cast, sysadmin):
    make_member(cast.branch_a2, "周一", phone="13911112222")
    make_member(cast.branch_a2, "周二", phone="13911112222")
    make_member(cast.branch_a2, "周三", phone="13955551234")  # member_user's login phone
    before = User.objects.count()
    run = _run(sysadmin, cast.committee_a, "members")
    assert run.status == "failed" and User.objects.count() == before
    joined = "\n".join(run.errors)
    assert "周一" in joined and "周二" in joined and "手机号与其他党员重复" in joined
    assert "周三" in joined and "已是账号 member_user 的登录手机号" in joined
    assert not Message.objects.exists()
    page = cast.client(sysadmin).get(reverse("accounts:provision_detail", args=[run.pk])).content.decode()
    assert "一个账号也没有开通" in page and "周一" in page


def test_passwords_go_by_sms_encrypted_and_those_without_a_phone_on_the_list(cast, sysadmin, posts):
    run = _run(sysadmin, cast.county, "posts")
    assert run.sms_queued == 2 and run.slip_count == 1  # 孙联系 has no phone
    for message in Message.objects.filter(channel="sms"):
        assert message.is_secret
        text = plain_body(message)
        login = text.split("登录名：")[1].split("，")[0]
        password = text.split("初始密码：")[1].split("。")[0]
        assert check_password(password, User.objects.get(username=login).password)


def test_the_sealed_list_is_a_pdf_downloaded_once(cast, sysadmin):
    _distinct_phones(cast)
    run = _run(sysadmin, cast.committee_a, "members", delivery="pdf")
    client = cast.client(sysadmin)
    url = reverse("accounts:provision_slips_pdf", args=[run.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    run.refresh_from_db()
    assert run.slips == [] and run.slips_downloaded_at is not None
    again = client.get(url)
    assert again.status_code == 410 and "只提供一次" in again.content.decode()
    assert AuditEvent.objects.filter(action="export", target_id=str(run.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_page_starts_a_run_as_a_task_and_shows_progress(cast, sysadmin, posts):
    # Committed for real: the worker closes its connection as a real one does, which a test
    # wrapped in one transaction cannot survive on PostgreSQL.
    client = cast.client(sysadmin)
    response = client.post(
        reverse("accounts:provision_list"), {"source": "posts", "org_code": "C0001", "delivery": "sms"}
    )
    run = ProvisioningRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/provisioning/{run.pk}/")
    queued = client.get(reverse("accounts:provision_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "排队中" in queued.content.decode() and "every 2s" in queued.content.decode()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    card = client.get(reverse("accounts:provision_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "已完成" in card.content.decode() and "新开账号 3 个" in card.content.decode()


def test_an_unknown_org_code_is_a_chinese_error(cast, sysadmin):
    response = cast.client(sysadmin).post(
        reverse("accounts:provision_list"), {"source": "posts", "org_code": "NOPE", "delivery": "sms"}
    )
    assert "未找到该组织代码" in response.content.decode() and not ProvisioningRun.objects.exists()


def test_only_the_system_admin_provisions(cast):
    security = make_user("sec", Role.SECURITY_ADMIN, cast.county)
    with pytest.raises(PermissionDenied):
        provisioning.start_provisioning(actor=security, org=cast.county, source="posts", delivery="sms")
    with pytest.raises(PermissionDenied):
        provisioning.start_provisioning(
            actor=cast.dept_admin, org=cast.county, source="posts", delivery="sms"
        )


def test_a_provisioned_member_logs_in_and_must_change_the_password(cast, sysadmin, posts):
    from django.test import Client

    _run(sysadmin, cast.county, "posts")
    message = Message.objects.get(phone_masked__startswith="136")
    password = plain_body(message).split("初始密码：")[1].split("。")[0]
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "13600000001", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home:dashboard"))["Location"] == reverse("accounts:password_change")


def test_initial_passwords_use_the_cheap_hasher_until_the_first_login(cast, sysadmin, posts, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.passwords.InitialPasswordHasher",
    ]
    settings.INITIAL_PASSWORD_ITERATIONS = 1000
    from django.test import Client

    _run(sysadmin, cast.county, "posts")
    message = Message.objects.get(phone_masked__startswith="136")
    user = User.objects.get(member__name="钱书记")
    assert user.password.startswith("pbkdf2_sha256_initial$1000$")
    password = plain_body(message).split("初始密码：")[1].split("。")[0]
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": user.username, "password": password})
        .status_code
        == 302
    )
    user.refresh_from_db()
    assert user.password.startswith("md5$")  # re-hashed with the default hasher at login


def test_an_interrupted_run_says_so_and_the_next_run_finishes_the_work(cast, sysadmin, posts, monkeypatch):
    monkeypatch.setattr(provisioning, "CHUNK", 1)
    calls = []

    def flaky(specs):
        calls.append(len(specs))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(specs)

    real = provisioning.enqueue_many
    monkeypatch.setattr(provisioning, "enqueue_many", flaky)
    run = provisioning.start_provisioning(actor=sysadmin, org=cast.county, source="posts", delivery="sms")
    with pytest.raises(OSError):
        provisioning.run_provisioning(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "中断" in run.errors[0]
    # 钱书记 (SMS) and 孙联系 (no phone: no SMS) were committed; 赵红梅's chunk broke off.
    assert User.objects.filter(username__startswith="dy").count() == 2
    again = _run(sysadmin, cast.county, "posts")
    assert again.status == "done" and again.accounts_created == 1
    assert len(_post_grants()) == 3
