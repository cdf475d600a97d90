from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.housekeeping import disable_dormant_accounts


class Command(BaseCommand):
    help = "停用长期未登录的账号（XIANFENG_DORMANT_DAYS 天，默认90天），每个账号留痕；定时任务每天03:00执行"

    def handle(self, *args: Any, **options: Any) -> None:
        names = disable_dormant_accounts()
        for name in names:
            self.stdout.write(f"已停用：{name}")
        self.stdout.write(f"共停用 {len(names)} 个超过 {settings.XIANFENG_DORMANT_DAYS} 天未登录的账号")
