"""Re-check stored photos with the reused-photo detector: in batches, with progress, resumable.

By default only photos not yet checked (no `checked_at`: stored before the detector, or whose check task
was cut short) are taken, so running the command again simply continues. `--all` re-checks every photo; its position is kept
in VAR_DIR/orglife_recheck_photos.last after each batch, so an interrupted `--all` run continues where it
stopped (`--restart` starts over).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orglife.models import RecordAttachment
from orglife.services.photo_checks import recheck_batch


def checkpoint() -> Path:
    return Path(settings.VAR_DIR) / "orglife_recheck_photos.last"


class Command(BaseCommand):
    help = "用照片复用识别重新检查已存的纪实照片（分批、显示进度、可中断后继续）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="每批照片数（默认 200）")
        parser.add_argument("--all", action="store_true", help="重新检查全部照片（默认只检查尚未检查的）")
        parser.add_argument(
            "--restart", action="store_true", help="与 --all 同用：从头开始，不接着上次的位置"
        )
        parser.add_argument("--max-batches", type=int, default=0, help="最多处理这么多批后停止（0 为不限）")

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size 至少为 1")
        every = options["all"]
        mark = checkpoint()
        after = 0
        if every and mark.exists() and not options["restart"]:
            try:
                after = int(mark.read_text().strip() or 0)
            except ValueError as exc:
                raise CommandError(f"{mark} 内容无法识别，请加 --restart 从头开始") from exc
        todo = RecordAttachment.objects.filter(kind=RecordAttachment.Kind.PHOTO, pk__gt=after)
        if not every:
            todo = todo.filter(checked_at__isnull=True)
        total = todo.count()
        done = pairs = batches = 0
        started = time.monotonic()
        while True:
            last, photos, found = recheck_batch(after=after, size=size, unchecked_only=not every)
            if last == after:
                break
            after, done, pairs, batches = last, done + photos, pairs + found, batches + 1
            if every:
                mark.write_text(str(after))
            self.stdout.write(
                f"已检查 {done}/{total} 张（至 #{after}），发现比对 {pairs} 对，用时 {time.monotonic() - started:.0f} 秒"
            )
            if options["max_batches"] and batches >= options["max_batches"]:
                self.stdout.write("已达到 --max-batches，再次运行即可继续")
                return
        if every and mark.exists():
            mark.unlink()
        self.stdout.write(self.style.SUCCESS(f"完成：检查 {done} 张照片，发现比对 {pairs} 对"))
