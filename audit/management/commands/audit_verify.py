from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.chain import anchor, verify


class Command(BaseCommand):
    help = "校验审计日志的 HMAC-SM3 链：逐批读取，报告第一条被篡改（修改、删除、插入）的记录"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批读取的记录数")

    def handle(self, *args: Any, **options: Any) -> None:
        start, _ = anchor()
        result = verify(batch=options["batch"])
        if start:
            self.stdout.write(f"从清理锚点（记录 {start} 之后）开始校验")
        if not result.ok:
            raise CommandError(
                f"审计链断裂：第一条异常记录 ID={result.broken_id}（{result.reason}）；此前 {result.checked} 条完好"
            )
        self.stdout.write(f"审计链完好：共校验 {result.checked} 条记录")
