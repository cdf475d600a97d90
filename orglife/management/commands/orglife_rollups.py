"""Check or rebuild the completion rollups (CompletionRollup) against CompletionStat and the late plans."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orglife.services.rollups import FIELDS, differences, rebuild_rollups


class Command(BaseCommand):
    help = "核对（--check）或重建（--rebuild）组织生活完成情况汇总（CompletionRollup）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="与按 CompletionStat 全量重算的结果核对，不一致时以非零状态退出",
        )
        parser.add_argument("--rebuild", action="store_true", help="按 CompletionStat 与逾期计划全量重建")
        parser.add_argument("--show", type=int, default=20, help="最多列出多少条差异（默认 20）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["check"] and not options["rebuild"]:
            raise CommandError("请指定 --check 或 --rebuild")
        if options["rebuild"]:
            began = time.perf_counter()
            rows = rebuild_rollups()
            self.stdout.write(
                self.style.SUCCESS(
                    f"已重建完成情况汇总：{rows} 行，用时 {time.perf_counter() - began:.1f} 秒"
                )
            )
        if options["check"]:
            found = differences()
            if found:
                for (org_id, kind, start, meeting_type), want, have in found[: options["show"]]:
                    self.stdout.write(
                        f"组织 {org_id} {kind} {start:%Y-%m} {meeting_type or '（合计）'}："
                        f"应为 {_fmt(want)}，现为 {_fmt(have)}"
                    )
                raise CommandError(f"完成情况汇总与重算结果不一致：{len(found)} 行")
            self.stdout.write(self.style.SUCCESS("完成情况汇总与重算结果一致"))


def _fmt(values: tuple[int, ...] | None) -> str:
    if values is None:
        return "（无）"
    return " ".join(f"{name}={v}" for name, v in zip(FIELDS, values, strict=True) if v)
