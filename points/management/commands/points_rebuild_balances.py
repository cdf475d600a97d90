from typing import Any

from django.core.management.base import BaseCommand

from points.services.balances import rebuild_balances


class Command(BaseCommand):
    help = "按积分分录重新计算党员年度积分余额（可重复运行，结果相同）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, help="只重算该年度（默认全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild_balances(year=options["year"])
        scope = f"{options['year']}年" if options["year"] else "全部年度"
        self.stdout.write(f"{scope}：{written} 条年度积分余额")
