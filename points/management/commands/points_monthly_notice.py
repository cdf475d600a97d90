from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from points.services.cycles import draft_monthly_notices
from points.tasks import parse_month


class Command(BaseCommand):
    help = "每月通报公示：为各党支部和部门生成该月积分公示（草稿或按积分办法设置自动发布；可重复运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", nargs="?", help="月份 YYYY-MM（默认上个月）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["month"]:
            try:
                year, month = parse_month(options["month"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        else:
            first = timezone.localdate().replace(day=1)
            year, month = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
        try:
            counts = draft_monthly_notices(year=year, month=month)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"{year}年{month}月：草稿 {counts['drafted']} 份，自动发布 {counts['published']} 份，"
            f"已有 {counts['skipped']} 份"
        )
