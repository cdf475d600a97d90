"""Weekly (or daily: deduplicated per week) in-site notices of branches not yet observed this half-year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from observers.services.coverage import send_coverage_notices


class Command(BaseCommand):
    help = "向观察员和党(工)委管理员发送本半年尚未观察支部的站内提醒（每周每个支部/党委至多一次）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="按该日期计算（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = send_coverage_notices(today=options["today"])
        self.stdout.write(
            f"已发送观察覆盖提醒：观察员 {counts['observers']} 条，党(工)委管理员 {counts['committees']} 条。"
        )
