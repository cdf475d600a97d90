import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from audit import chain


class Command(BaseCommand):
    help = (
        "封存审计记录（PostgreSQL）：把已提交、尚未封存的审计记录按 ID 顺序接入 HMAC-SM3 链。"
        "调度器每分钟运行一次；--loop 常驻运行，新记录在约一个间隔内封存。SQLite 在写入时即已封存。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="常驻运行，每隔 --interval 秒封存一次")
        parser.add_argument("--interval", type=float, default=1.0, help="常驻运行时的间隔秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(f"封存了 {chain.seal()} 条审计记录")
            return
        while True:  # stopped by a signal, like the scheduler and the task worker
            close_old_connections()
            chain.seal()
            time.sleep(options["interval"])
