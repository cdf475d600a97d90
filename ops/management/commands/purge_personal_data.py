"""`manage.py purge_personal_data`: list, or with --apply purge, personal data past its retention period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.retention import (
    compact_database,
    eligible_members,
    purge_member_personal_data,
    retention_cutoff,
    undated_left_members,
)


class Command(BaseCommand):
    help = "查找（--apply 时清除）出党或去世超过保存期限的党员的个人信息"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="实际清除（默认只列出）")
        parser.add_argument("--reason", default="保存期限届满，依规清除个人信息", help="清除原因（记入审计）")
        parser.add_argument(
            "--vacuum",
            action="store_true",
            help="清除后重写数据库文件（SQLite VACUUM / PostgreSQL VACUUM FULL）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = retention_cutoff()
        members = list(eligible_members().select_related("org"))
        self.stdout.write(
            f"保存期限 {settings.MEMBER_DATA_RETENTION_YEARS} 年：{cutoff} 及以前出党或去世的党员 {len(members)} 名"
        )
        for member in members:
            self.stdout.write(f"  #{member.pk} {member.get_status_display()} {member.left_on} {member.org}")
        undated = undated_left_members().count()
        if undated:
            self.stdout.write(
                f"另有 {undated} 名已出党或去世的党员未记录日期，不会被清除，请补录出党/去世日期"
            )
        if not options["apply"]:
            if members:
                self.stdout.write("未清除：加 --apply 执行")
            return
        for member in members:
            purge_member_personal_data(actor=None, member=member, reason=options["reason"])
        self.stdout.write(f"已清除 {len(members)} 名党员的个人信息")
        if options["vacuum"]:
            compact_database()
            self.stdout.write("已重写数据库文件")
