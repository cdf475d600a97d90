"""Delete the chunks of photos a phone never finished uploading (the daily job, run by hand)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orglife.services.photo_uploads import chunks_max_age, expire_uploads


class Command(BaseCommand):
    help = "清理手机未完成上传的照片分块（超过设定时长未再收到分块的）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--hours", type=int, default=0, help="超过多少小时未收到新分块即清理（默认取设置，72 小时）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 0:
            raise CommandError("--hours 不能为负数")
        max_age = dt.timedelta(hours=options["hours"]) if options["hours"] else chunks_max_age()
        removed = expire_uploads(max_age=max_age)
        hours = int(max_age.total_seconds() // 3600)
        self.stdout.write(self.style.SUCCESS(f"已清理 {removed} 组未完成上传的照片分块（超过 {hours} 小时）"))
