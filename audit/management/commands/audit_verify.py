import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit import chain, checkpoint
from audit.chain import anchor, verify


class Command(BaseCommand):
    help = (
        "先封存已提交的新记录，再校验审计日志的 HMAC-SM3 链：逐批读取，报告第一条被篡改（修改、删除、插入）的记录；"
        "再与签名检查点（XIANFENG_AUDIT_CHECKPOINT）比对，报告被截断或清空的链尾，通过后把检查点推进到当前末端"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批读取的记录数")
        parser.add_argument(
            "--reset-checkpoint",
            action="store_true",
            help="链校验通过后，以当前末端重新开始检查点（仅在有意从备份恢复或更换数据库之后使用；重置本身写入审计链）",
        )
        parser.add_argument(
            "--operator", default="", help="执行人（重置检查点时写入审计记录，默认当前系统用户）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, _ = anchor()
        # Rows the sealer left too long are a fault even once sealed now: they were open to change meanwhile.
        overdue, first_overdue = chain.overdue_unsealed()
        newly_sealed = chain.seal()
        result = verify(batch=options["batch"])
        if start:
            self.stdout.write(f"从清理锚点（记录 {start} 之后）开始校验")
        if newly_sealed:
            self.stdout.write(f"校验前封存了 {newly_sealed} 条新记录")
        if not result.ok:
            raise CommandError(
                f"审计链断裂：第一条异常记录 ID={result.broken_id}（{result.reason}）；此前 {result.checked} 条完好"
            )
        if overdue:
            raise CommandError(
                f"{overdue} 条审计记录超过 {settings.XIANFENG_AUDIT_SEAL_MINUTES} 分钟未封存（第一条 ID={first_overdue}），"
                "已在本次校验前补封存；请检查封存任务（audit_seal）是否在运行"
            )
        if options["reset_checkpoint"]:
            operator = options["operator"] or f"manage.py audit_verify ({getpass.getuser()})"
            try:
                written = checkpoint.reset(operator=operator)
            except checkpoint.CheckpointError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已重置审计链检查点：末端第 {written.last_id} 条（重置已写入审计链）")
            return
        first = not checkpoint.path().exists()
        problem = checkpoint.advance()
        if first:
            self.stdout.write(
                "此前没有审计链检查点，已按当前末端新建（若不是首次运行，说明检查点文件被删除）"
            )
        if problem:
            raise CommandError(f"{problem}；链上现存的 {result.checked} 条记录本身完好")
        self.stdout.write(
            f"审计链完好：共校验 {result.checked} 条记录，末端与签名检查点相符，检查点已更新：{checkpoint.path()}"
        )
