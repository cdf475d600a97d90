"""A year of organizational life for the generated demo county: `manage.py orglife_demo --scale county --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orglife.demo import generate_orglife_demo
from orgs import demo


class Command(BaseCommand):
    help = (
        "为已生成的演示县生成近一年的组织生活数据（月度计划、纪实与出勤、照片、巡查与整改、完成情况统计、"
        "月积分与约谈），同一种子结果相同。已有计划或纪实时不重复生成。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--scale", choices=demo.SCALES, default="county", help="规模（默认 county）")
        parser.add_argument("--today", help="以该日期为“今天”（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        import datetime as dt

        today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        result = generate_orglife_demo(
            seed=options["seed"], scale=options["scale"], today=today, stdout=self.stdout
        )
        if result["skipped"]:
            self.stdout.write(result["reason"])
            return
        levels = result["interview_levels"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成组织生活演示数据（{result['months'][0]} 至 {result['current_month']}）："
                f"计划 {result['plans']:,} 份（逾期 {result['late_plans']:,}、未报 {result['missing_plans']:,}、"
                f"退回 {result['returned_plans']:,}），纪实 {result['records']:,} 条（计划外 "
                f"{result['unplanned_records']:,}、补录 {result['backfills']:,}），出勤 {result['attendance']:,} 条，"
                f"照片 {result['photos']}，巡查 {result['patrol_checks']:,}，整改 {result['rectifications']}，"
                f"约谈 组织委员 {levels.get('organization_member', 0)}、副书记 {levels.get('deputy_secretary', 0)}、"
                f"主要负责人 {levels.get('principal', 0)}；用时 {result['seconds']:,.1f} 秒 {result['timings']}。"
            )
        )
        if result["lag_mismatch_months"]:
            self.stdout.write(
                f"注意：以下月份的落后名单与设计不同：{'、'.join(result['lag_mismatch_months'])}"
            )
