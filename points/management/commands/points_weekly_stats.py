import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from points.services.weekly import compute_weekly_stats, run_weekly_stats


class Command(BaseCommand):
    help = "学习积分每周统计：按组织重新统计本年度已结束各周的积分（可重复运行，结果相同）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, help="只统计该年度（默认：上周所在年度）")
        parser.add_argument("--today", help="按该日期计算已结束的周 YYYY-MM-DD（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["year"]:
            written = {options["year"]: compute_weekly_stats(year=options["year"], today=today)}
        else:
            written = run_weekly_stats(today=today)
        for year, n in written.items():
            self.stdout.write(f"{year}年：{n} 条周统计")
