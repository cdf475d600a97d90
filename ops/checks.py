"""System check: the files that hold personal data or keys are their owner's only (0600, folders 0700).

Runs with every management command and at WSGI start-up (config/wsgi.py logs it); silent while DEBUG is
on (a developer's checkout). In production `check --deploy --fail-level WARNING` fails on it; a warning
rather than an error, so an emergency `migrate` or `restore` is never blocked by a chmod.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections

from personal.files import DIR_MODE, FILE_MODE


def _sqlite_files() -> list[tuple[str, Path]]:
    conn = connections["default"]
    name = str(conn.settings_dict.get("NAME") or "")
    if conn.vendor != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return []
    path = Path(name)
    return [
        ("数据库文件", path),
        ("数据库 WAL 文件", Path(f"{path}-wal")),
        ("数据库共享内存文件", Path(f"{path}-shm")),
    ]


def watched() -> list[tuple[str, Path, int]]:
    var = Path(settings.VAR_DIR)
    folders = [("数据目录", var), ("上传文件目录", Path(settings.MEDIA_ROOT)), ("备份目录", var / "backups")]
    files = [
        *_sqlite_files(),
        ("短信发件箱文件", Path(settings.XIANFENG_SMS_FILE)),
        ("审计链检查点", Path(settings.XIANFENG_AUDIT_CHECKPOINT)),
        ("开发密钥文件", var / "dev-secret-key"),
        ("开发密钥文件", var / "dev-pii-key"),
    ]
    return [(what, path, DIR_MODE) for what, path in folders] + [
        (what, path, FILE_MODE) for what, path in files
    ]


@register(Tags.security)
def private_files(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG:
        return []
    warnings = []
    for what, path, wanted in watched():
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # not created yet
        if mode & 0o077:
            warnings.append(
                Warning(
                    f"{what} {path} 的权限为 {mode:04o}，同组或其他用户可以访问（其中有个人信息或密钥，应为 {wanted:04o}）",
                    hint=f"chmod {wanted:o} {path}；以 umask 077 运行应用（manage.py 和 config/wsgi.py 已设置）",
                    id="ops.W001",
                )
            )
    return warnings
