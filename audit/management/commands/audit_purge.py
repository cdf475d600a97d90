import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.maintenance import PurgeRefused, purge_expired, retention_days


class Command(BaseCommand):
    help = (
        "清理超过保留期（XIANFENG_AUDIT_RETENTION_DAYS，不少于180天）的审计记录；只能在服务器命令行执行。"
        "清理在一个事务中完成，记录新的链锚点并写入一条清理审计记录。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将清理的条数，不删除")
        parser.add_argument("--operator", default="", help="执行人（写入审计记录，默认当前系统用户）")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = options["operator"] or f"manage.py ({getpass.getuser()})"
        try:
            result = purge_expired(operator=operator, dry_run=options["dry_run"])
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        verb = "将清理" if options["dry_run"] else "已清理"
        self.stdout.write(
            f"{verb} {result.count} 条早于 {result.cutoff:%Y-%m-%d %H:%M} 的审计记录（保留期 {retention_days()} 天）"
        )
