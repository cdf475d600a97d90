"""`restore --verify` into a second database while the default one is live and holds data.

The data migrations (RunPython) run again on the restore target. Each must read and write the database
being migrated (schema_editor.connection.alias), never the default one: the points balance fill used to
read the live ledger and insert its balances again into the live database (IntegrityError), and the
observers and orglife defaults were seeded into (or looked up in) the live database.
"""

import datetime as dt
import os
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from observers.models import EvaluationItem, ReviewUnit
from orglife.models import MeetingRule, RuleSet
from points.models import LedgerEntry, MemberYearBalance
from points.tests.conftest import make_catalogue
from points.tests.helpers import award

pytestmark = pytest.mark.django_db

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture
def live(cast):
    """The default database in use: ledger entries with their yearly balances, and seeded rows an
    administrator has since removed (a restore must not put them back into the live database)."""
    make_catalogue(cast.county)
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 2))
    assert MemberYearBalance.objects.count() == 1
    ReviewUnit.objects.all().delete()
    EvaluationItem.objects.all().delete()
    MeetingRule.objects.all().delete()
    RuleSet.objects.all().delete()
    return cast


def _counts():
    return {
        "ledger": LedgerEntry.objects.count(),
        "balances": MemberYearBalance.objects.count(),
        "review_units": ReviewUnit.objects.count(),
        "evaluation_items": EvaluationItem.objects.count(),
        "rulesets": RuleSet.objects.count(),
    }


def _restore(path, url):
    out, err = StringIO(), StringIO()
    call_command("restore", str(path), "--verify", "--target", url, stdout=out, stderr=err)
    return out.getvalue()


def test_restore_verify_into_a_new_sqlite_file_leaves_the_live_database_alone(live, tmp_path):
    path = tmp_path / "site.xfbak"
    call_command("backup", "-o", str(path), stdout=StringIO())
    before = _counts()

    out = _restore(path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")

    assert "核对通过" in out
    assert _counts() == before


def _postgres_reachable():
    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **PG).close()
        return True
    except psycopg.Error:
        return False


def test_restore_verify_into_a_new_postgresql_database_leaves_the_live_database_alone(live, tmp_path):
    if connection.vendor != "postgresql" and not _postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is unreachable; CI requires it")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is unreachable")
    path = tmp_path / "site.xfbak"
    call_command("backup", "-o", str(path), stdout=StringIO())
    before = _counts()
    name = f"xianfeng_restore_{uuid.uuid4().hex[:8]}"
    try:
        out = _restore(path, f"postgres://postgres@127.0.0.1:5432/{name}")
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert "核对通过" in out
    assert _counts() == before


def test_every_data_migration_names_the_database_it_migrates():
    """A RunPython function that queries a historical model without .using(alias) reads the default."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    offenders = []
    ours = {
        c.label
        for c in apps.get_app_configs()
        if Path(c.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(c.path).parts
    }  # the project's apps, not the packages of a virtualenv inside the checkout
    for (app, name), migration in loader.disk_migrations.items():
        if app not in ours:
            continue
        for operation in migration.operations:
            if not isinstance(operation, RunPython):
                continue
            for func in (operation.code, operation.reverse_code):
                if func is None or func is RunPython.noop:
                    continue
                source = func.__code__.co_names
                if "objects" in source and "using" not in source and "alias" not in source:
                    offenders.append(f"{app}.{name}.{func.__name__}")
    assert offenders == []


def test_backup_into_a_missing_folder_is_a_clear_error(live, tmp_path):
    missing = tmp_path / "not-mounted" / "site.xfbak"
    with pytest.raises(CommandError, match="备份目录不存在"):
        call_command("backup", "-o", str(missing), stdout=StringIO())
    assert not missing.parent.exists()
