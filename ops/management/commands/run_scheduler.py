import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from notifications import scheduler
from ops import schedule


class Command(BaseCommand):
    help = (
        "定时调度：每分钟检查到期的任务（短信发送、提醒、月末结算、计划截止检查）并排入任务队列；可多实例运行"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")
        parser.add_argument("--interval", type=int, default=60, help="检查间隔秒数（默认 60）")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                for slot in schedule.tick():
                    if slot.job not in scheduler.FREQUENT_JOBS or options["verbosity"] > 1:
                        self.stdout.write(
                            f"{timezone.localtime():%Y-%m-%d %H:%M} 已排队 {slot.job} {slot.run_key}"
                        )
                scheduler.prune(timezone.now() - dt.timedelta(days=1))
            except Exception as exc:  # a database hiccup must not stop the scheduler
                self.stderr.write(f"调度出错：{exc}")
            if options["once"]:
                return
            time.sleep(max(1, options["interval"] - timezone.localtime().second % options["interval"]))
            close_old_connections()  # a long-running process: drop connections that went stale while asleep
