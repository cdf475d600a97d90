"""`manage.py restore [--verify] FILE`: restore a backup into a FRESH database and check it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, open_backup, restore, target_database
from ops.sealed import SealedError
from personal.files import touch_private


def prepare_target(url: str) -> dict[str, Any]:
    """Settings for the target; refuses a database that already holds anything."""
    settings_dict: dict[str, Any] = dict(dj_database_url.parse(url))
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        path = Path(settings_dict["NAME"])
        if path.exists() and path.stat().st_size > 0:
            raise CommandError(f"目标 SQLite 文件已存在：{path}（恢复只写入全新的数据库）")
        touch_private(path)  # the restored database (and its WAL) owner-only, in a folder made 0700
        settings_dict["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA secure_delete=ON;",
        }
    elif engine == "django.db.backends.postgresql":
        create_postgres_database(settings_dict)
    else:
        raise CommandError(f"不支持的目标数据库：{engine}")
    return settings_dict


def create_postgres_database(settings_dict: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    params: dict[str, Any] = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    name = settings_dict["NAME"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return
    with psycopg.connect(dbname=name, **params) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        if tables and tables[0]:
            raise CommandError(f"目标 PostgreSQL 数据库 {name} 已有表（恢复只写入全新的数据库）")


class Command(BaseCommand):
    help = "把备份恢复到一个全新的数据库，并（--verify）核对行数、内容指纹和审计链"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--verify", action="store_true", help="恢复后核对行数、内容指纹和审计链")
        parser.add_argument(
            "--target",
            default=os.environ.get("XIANFENG_RESTORE_DATABASE_URL", ""),
            help="目标数据库 URL（sqlite:////路径 或 postgres://…/新库名；默认环境变量 "
            "XIANFENG_RESTORE_DATABASE_URL，再默认备份文件旁的新 SQLite 文件）",
        )
        parser.add_argument(
            "--media-root", help="恢复上传文件到此目录（须为空或不存在；默认不写文件，只校验）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        url = (
            options["target"] or f"sqlite:///{source.with_name(source.name + '.restored.sqlite3').resolve()}"
        )
        media = Path(options["media_root"]) if options["media_root"] else None
        if media is not None and media.exists() and any(media.iterdir()):
            raise CommandError(f"媒体目录不是空的：{media}")
        settings_dict = prepare_target(url)
        try:
            with open_backup(source) as src, target_database(settings_dict) as alias:
                report = restore(src, alias, media_root=media, verify=options["verify"])
        except (BackupError, SealedError) as exc:
            raise CommandError(str(exc)) from exc
        tables = report.manifest["tables"]
        rows = sum(t["rows"] for t in tables.values())
        self.stdout.write(f"已恢复 {len(tables)} 张表 {rows} 行到 {settings_dict['NAME']}")
        if not options["verify"]:
            return
        for problem in report.problems:
            self.stderr.write(f"不符：{problem}")
        if not report.ok:
            raise CommandError(f"核对失败：{len(report.problems)} 处不符")
        chain = report.manifest.get("audit_chain")
        self.stdout.write(
            f"核对通过：{len(report.tables)} 张表的行数和内容指纹一致，文件 {report.media_files} 个"
            + ("，审计链末端一致" if chain else "（审计表无链字段，未核对审计链）")
        )
