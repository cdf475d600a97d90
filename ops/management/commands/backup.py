"""`manage.py backup`: an encrypted (SM4-GCM), consistent backup of the database and uploaded files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import checkpoint
from ops.backup import BackupError, backup_to_file
from ops.sealed import SealedError
from personal.files import private_dir


class Command(BaseCommand):
    help = "加密备份数据库全部表和上传文件（SM4-GCM，一致性快照）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", help="备份文件路径（默认 var/backups/xianfeng-时间.xfbak）")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")
        parser.add_argument("--media-root", help="上传文件目录（默认 MEDIA_ROOT）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"]:
            path = Path(options["output"])
            # Not created for you: a mistyped or unmounted backup disk must not fill the system disk silently.
            if not path.parent.is_dir():
                raise CommandError(f"备份目录不存在：{path.parent}（请先创建该目录，或检查备份盘是否已挂载）")
        else:
            folder = Path(settings.VAR_DIR) / "backups"
            private_dir(folder)
            path = folder / f"xianfeng-{timezone.localtime():%Y%m%d-%H%M%S}.xfbak"
        media = Path(options["media_root"]) if options["media_root"] else None
        try:
            manifest = backup_to_file(path, using=options["database"], media_root=media)
        except (BackupError, SealedError) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"无法写入备份文件 {path}：{exc.strerror or exc}") from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        chain = manifest["audit_chain"]
        self.stdout.write(
            f"已备份 {len(manifest['tables'])} 张表 {rows} 行，文件 {manifest['media']['files']} 个"
            f"（{manifest['media']['bytes']} 字节），审计链末端 #{chain['last_id']}（共 {chain['count']} 条）：{path}"
        )
        # The application's own database: its signed checkpoint moves on with every backup.
        if options["database"] == "default":
            problem = checkpoint.advance()
            if problem:
                raise CommandError(f"备份已写入 {path}，但{problem}")
