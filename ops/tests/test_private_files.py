"""Files and folders the application creates are its owner's only (0600/0700), and a system check warns
(ops.W001) when DEBUG is off and a data file or folder is open to the group or others."""

import json
import os
import secrets
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection

from audit import checkpoint
from notifications.backends import FileBackend, Sms
from ops.testing import sqlite_file_default

ROOT = Path(settings.BASE_DIR)


def mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


@pytest.fixture(autouse=True)
def _open_umask():
    """The test process's umask is the usual 022: the modes below come from the code, not from it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_") and k != "DATABASE_URL"}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "XIANFENG_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


SCRIPT = """
import os
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
with connection.cursor() as c:
    c.execute("CREATE TABLE t (x)")
    c.execute("INSERT INTO t VALUES (1)")
    print("wal", oct(os.stat(connection.settings_dict["NAME"] + "-wal").st_mode & 0o777))
default_storage.save("orglife/photos/2026/a.jpg", ContentFile(b"photo"))
open("{plain}", "w").close()
"""


def test_a_fresh_install_creates_its_files_owner_only(tmp_path):
    """manage.py (umask 077 and explicit modes): var folder, keys, SQLite database and WAL, uploads."""
    var = tmp_path / "var"
    plain = tmp_path / "plain.txt"
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SCRIPT.format(plain=plain)],
        env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert mode(var) == 0o700
    for name in ("dev-secret-key", "dev-pii-key", "xianfeng.sqlite3"):
        assert mode(var / name) == 0o600, name
    assert "wal 0o600" in result.stdout  # SQLite's WAL, while the connection was open
    assert mode(var / "media") == mode(var / "media" / "orglife" / "photos" / "2026") == 0o700
    assert mode(var / "media" / "orglife" / "photos" / "2026" / "a.jpg") == 0o600
    assert mode(plain) == 0o600  # the umask, for whatever else a command writes


def test_the_wsgi_entry_sets_the_umask(tmp_path):
    code = "import os, config.wsgi; print(oct(os.umask(0)))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"


def test_uploads_are_stored_owner_only(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("orglife/attachments/x/report.pdf", ContentFile(b"%PDF"))
    assert mode(storage.path(name)) == 0o600
    assert (
        mode(tmp_path / "media" / "orglife")
        == mode(tmp_path / "media" / "orglife" / "attachments" / "x")
        == 0o700
    )


def test_static_assets_stay_readable_by_the_web_server_despite_the_umask(tmp_path):
    """nginx serves staticfiles/ as another user: collectstatic's storage sets public modes explicitly."""
    config = settings.STORAGES["staticfiles"]
    storage = storages.create_storage(
        {**config, "OPTIONS": {**config["OPTIONS"], "location": str(tmp_path / "s")}}
    )
    os.umask(0o077)
    name = storage.save("css/app.css", ContentFile(b"body{}"))
    assert mode(storage.path(name)) == 0o644 and mode(tmp_path / "s" / "css") == 0o755


def test_the_sms_outbox_file_is_owner_only_even_if_it_was_not(tmp_path):
    outbox = tmp_path / "sms" / "outbox.jsonl"
    FileBackend(outbox).send(Sms(message_id=1, phone="13812345678", body="您好", dedupe_key="k1"))
    assert mode(outbox) == 0o600 and mode(outbox.parent) == 0o700
    outbox.chmod(0o644)
    FileBackend(outbox).send(Sms(message_id=2, phone="13812345678", body="您好", dedupe_key="k2"))
    assert mode(outbox) == 0o600
    assert (
        len(outbox.read_text().splitlines()) == 2
        and json.loads(outbox.read_text().splitlines()[0])["id"] == 1
    )


@pytest.mark.django_db
def test_backups_restored_databases_and_restored_uploads_are_owner_only(cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "orglife").mkdir(parents=True)
    (settings.MEDIA_ROOT / "orglife" / "a.jpg").write_bytes(b"photo")
    backup = tmp_path / "site.xfbak"
    call_command("backup", "-o", str(backup), stdout=StringIO())
    assert mode(backup) == 0o600
    restored, media = tmp_path / "restored" / "site.sqlite3", tmp_path / "restored-media"
    call_command(
        "restore", str(backup), "--verify", "--target", f"sqlite:///{restored}", "--media-root", str(media),
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert mode(restored) == 0o600 and mode(restored.parent) == 0o700
    assert mode(media) == mode(media / "orglife") == 0o700
    assert mode(media / "orglife" / "a.jpg") == 0o600
    assert mode(checkpoint.path()) == 0o600


def _warned(path):
    return [w for w in run_checks() if w.id == "ops.W001" and str(path) in w.msg]


def test_the_check_warns_about_a_world_readable_file_or_folder_when_debug_is_off(tmp_path, settings):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir(mode=0o700)
    outbox = settings.VAR_DIR / "sms-outbox.jsonl"
    outbox.write_text("{}\n")
    settings.XIANFENG_SMS_FILE = str(outbox)
    outbox.chmod(0o644)
    (warning,) = _warned(outbox)
    assert "权限为 0644" in warning.msg and "chmod 600" in warning.hint
    outbox.chmod(0o600)
    assert not _warned(outbox)
    settings.VAR_DIR.chmod(0o755)
    assert _warned(settings.VAR_DIR)
    settings.DEBUG = True
    assert not _warned(settings.VAR_DIR)


@pytest.mark.django_db
def test_the_check_warns_about_a_world_readable_sqlite_database(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite database file (the PostgreSQL pass keeps its data in the server)")
    settings.DEBUG = False
    path = tmp_path / "site.sqlite3"
    with sqlite_file_default(path):
        path.chmod(0o644)
        assert _warned(path)
        path.chmod(0o600)
        assert not _warned(path)


def test_production_start_up_fails_the_deploy_check_on_an_open_data_folder(tmp_path):
    env = _env(
        tmp_path,
        XIANFENG_PRODUCTION="true",
        XIANFENG_SECRET_KEY=secrets.token_urlsafe(64),
        XIANFENG_PII_KEY=secrets.token_hex(16),
        XIANFENG_ALLOWED_HOSTS="dangjian.example.gov.cn",
    )
    (tmp_path / "var").mkdir(mode=0o755)
    (tmp_path / "var").chmod(0o755)
    args = [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "ops.W001" in result.stderr and "数据目录" in result.stderr
    (tmp_path / "var").chmod(0o700)
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
