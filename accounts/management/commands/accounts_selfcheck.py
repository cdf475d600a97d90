from typing import Any

from django.core.management.base import BaseCommand

from accounts.housekeeping import KINDS, selfcheck


class Command(BaseCommand):
    help = "账号自查：列出默认/共用账号名、从未登录、仍用初始密码、没有角色的账号和超级用户"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fail", action="store_true", help="发现问题时以非零状态退出（用于巡检脚本）")

    def handle(self, *args: Any, **options: Any) -> None:
        findings = selfcheck()
        for f in findings:
            self.stdout.write(f"{f.username}\t{KINDS[f.kind]}\t{f.detail}")
        self.stdout.write(f"共 {len(findings)} 项需要复核")
        if findings and options["fail"]:
            raise SystemExit(1)
