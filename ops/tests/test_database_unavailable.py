"""A locked or unreachable database answers 503 (page in Chinese, JSON for the API), never 500,
and the next request after the database is back succeeds with no restart."""

import copy
import datetime as dt
import sqlite3

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from conftest import make_org, make_user
from ops.testing import sqlite_file_default
from orgs.roles import Role

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(raise_request_exception=False)  # a real server never re-raises: see what it sends
    client.force_login(user)
    return client


def _hold_write_lock(path):
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE lock_holder (id INTEGER)")
    return holder


def test_a_locked_sqlite_database_gives_the_busy_page_then_recovers(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite locking; this pass runs on PostgreSQL")
    path = tmp_path / "locked.sqlite3"
    with sqlite_file_default(path, busy_timeout_ms=100):
        county = make_org(None, "中共示范县委员会", "committee", "C0001")
        client = _client(make_user("dept", Role.DEPT_ADMIN, county))
        assert client.get("/").status_code == 200

        holder = _hold_write_lock(path)
        try:
            # Two minutes on, each request rewrites the session's last_seen: a write, which the lock blocks
            # (reads alone go through under WAL).
            with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
                page = client.get("/")
            with time_machine.travel(timezone.now() + dt.timedelta(minutes=4), tick=False):
                api = client.get("/api/v1/organizations/")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert page.status_code == 503
        assert "系统繁忙，请稍后重试" in page.content.decode()
        assert page["Retry-After"] == "5"
        assert api.status_code == 503
        assert api.json()["detail"] == "系统繁忙，请稍后重试"

        assert client.get("/").status_code == 200
        assert client.get("/api/v1/organizations/").status_code == 200


def test_an_unreachable_database_gives_503_not_500(cast):
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict.update(
        ENGINE="django.db.backends.postgresql",
        NAME="xianfeng",
        USER="nobody",
        PASSWORD="",
        HOST="127.0.0.1",
        PORT="9",
        OPTIONS={"connect_timeout": 2},
    )
    from django.db.backends.postgresql.base import DatabaseWrapper

    client = _client(cast.dept_admin)
    original = connections["default"]
    connections["default"] = DatabaseWrapper(settings_dict, alias="default")  # nothing listens on port 9
    try:
        page = client.get("/")
        api = client.get("/api/v1/members/")
    finally:
        connections["default"].close()
        connections["default"] = original
    assert page.status_code == 503
    assert "系统繁忙，请稍后重试" in page.content.decode()
    assert api.status_code == 503
    assert api.json() == {"detail": "系统繁忙，请稍后重试", "code": "database_unavailable"}
    assert client.get("/").status_code == 200
