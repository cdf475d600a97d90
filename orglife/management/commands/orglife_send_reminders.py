import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orglife.periods import local_today
from orglife.services.reminders import send_reminders


class Command(BaseCommand):
    help = "发送组织生活提醒：在提醒日向有未开展事项的支部书记、组织委员、联系人发送汇总短信和站内通知"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="提醒日期 YYYY-MM-DD（默认今天，北京时间）")
        parser.add_argument("--force", action="store_true", help="即使不是规则设定的提醒日也发送")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else local_today()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        self.stdout.write(str(send_reminders(day=day, force=options["force"])))
