"""Dormant accounts are disabled by a daily job; the self-check lists accounts worth a review."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.housekeeping import disable_dormant_accounts, selfcheck
from accounts.models import User
from accounts.tasks import disable_dormant_accounts_task
from audit.models import AuditEvent
from conftest import make_user
from ops import schedule as scheduler
from orgs.models import RoleGrant
from orgs.roles import Role

SH = dt.timezone(dt.timedelta(hours=8))


def set_last_login(user, days_ago):
    user.last_login = timezone.now() - dt.timedelta(days=days_ago)
    user.save(update_fields=["last_login"])


def test_an_account_with_no_login_for_the_configured_days_is_disabled_and_audited(cast, settings):
    settings.XIANFENG_DORMANT_DAYS = 90
    set_last_login(cast.secretary, 91)
    set_last_login(cast.viewer, 89)
    assert disable_dormant_accounts() == ["secretary"]
    cast.secretary.refresh_from_db()
    cast.viewer.refresh_from_db()
    assert not cast.secretary.is_active and cast.viewer.is_active
    event = AuditEvent.objects.get(target_id=str(cast.secretary.pk), summary__reason="dormant")
    assert event.actor_name == "system" and event.summary["is_active"] == [True, False]


def test_an_account_never_logged_in_counts_from_its_creation(cast, settings):
    settings.XIANFENG_DORMANT_DAYS = 30
    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        old = make_user("never_used")
    make_user("brand_new")
    names = disable_dormant_accounts()
    assert "never_used" in names and "brand_new" not in names
    old.refresh_from_db()
    assert not old.is_active


def test_the_command_and_the_task_run_the_same_service(cast):
    set_last_login(cast.secretary, 365)
    out = io.StringIO()
    call_command("accounts_disable_dormant", stdout=out)
    assert "secretary" in out.getvalue()
    set_last_login(cast.viewer, 365)
    assert disable_dormant_accounts_task.call() == "1"


def test_a_disabled_account_stays_disabled_and_is_not_audited_again(cast):
    set_last_login(cast.secretary, 365)
    disable_dormant_accounts()
    assert disable_dormant_accounts() == []
    assert AuditEvent.objects.filter(summary__reason="dormant").count() == 1


def test_the_scheduler_runs_the_job_daily_from_three_oclock(db):
    def names(when):
        return [s.job for s in scheduler.due_slots(when)]

    assert "accounts_disable_dormant" not in names(dt.datetime(2026, 10, 5, 2, 59, tzinfo=SH))
    slots = [
        s
        for s in scheduler.due_slots(dt.datetime(2026, 10, 5, 3, 0, tzinfo=SH))
        if s.job == "accounts_disable_dormant"
    ]
    assert [(s.run_key, s.task_path) for s in slots] == [
        ("2026-10-05", "accounts.tasks.disable_dormant_accounts_task")
    ]
    now = dt.datetime(2026, 10, 5, 3, 1, tzinfo=SH)
    scheduler.tick(now)
    scheduler.tick(now)
    assert DBTaskResult.objects.filter(task_path="accounts.tasks.disable_dormant_accounts_task").count() == 1


def test_the_selfcheck_lists_default_unused_initial_password_roleless_and_super_accounts(cast, settings):
    settings.XIANFENG_SELFCHECK_DAYS = 30
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        stale = User.objects.create_user("stale", password="x", must_change_password=True)
        RoleGrant.objects.create(user=stale, org=cast.county, role=Role.VIEWER)
    make_user("admin", Role.VIEWER, cast.county)
    User.objects.create_superuser("root", password="x", must_change_password=False)
    found = {(f.username, f.kind) for f in selfcheck()}
    assert ("admin", "default_name") in found
    assert ("stale", "never_used") in found and ("stale", "initial_password") in found
    assert ("root", "superuser") in found and ("root", "no_role") not in found
    assert not any(name == "secretary" for name, _ in found)


def test_a_user_without_grants_is_flagged(cast):
    make_user("lonely")
    assert ("lonely", "no_role") in {(f.username, f.kind) for f in selfcheck()}


def test_the_selfcheck_command_prints_findings_and_can_fail(cast):
    make_user("test")
    out = io.StringIO()
    call_command("accounts_selfcheck", stdout=out)
    assert "test\t默认或共用账号名" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("accounts_selfcheck", "--fail", stdout=io.StringIO())


def test_taking_an_api_token_counts_as_a_login(cast):
    from django.test import Client

    from conftest import PASSWORD

    set_last_login(cast.secretary, 365)
    assert (
        Client().post("/api/v1/auth/token/", {"username": "secretary", "password": PASSWORD}).status_code
        == 200
    )
    assert "secretary" not in disable_dormant_accounts()
