from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orglife.periods import add_months, first_of_month, local_today, parse_month
from orglife.services.scores import close_month


class Command(BaseCommand):
    help = "月末结算：计算各党(工)委月积分并排名，对落后的党(工)委逐级约谈（可重复运行，结果相同）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", nargs="?", help="月份 YYYY-MM（默认上个月）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = (
                parse_month(options["month"])
                if options["month"]
                else add_months(first_of_month(local_today()), -1)
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(close_month(month=month)))
