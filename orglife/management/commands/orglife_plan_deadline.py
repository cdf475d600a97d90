"""List (and after the deadline, mark) branches that have not filed next month's plan.

manage.py orglife_plan_deadline 2026-12    # the filing month: checks the plans for 2027-01
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orglife.periods import first_of_month, local_today, parse_month
from orglife.services.plans import check_plan_deadline


class Command(BaseCommand):
    help = "月度计划截止检查：列出未报送下月计划的支部；截止后标记逾期并发送站内提醒（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", nargs="?", help="报送月份 YYYY-MM（检查其下一个月的计划），默认本月")
        parser.add_argument("--quiet-list", action="store_true", help="只输出汇总，不逐个列出支部")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"]) if options["month"] else first_of_month(local_today())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = check_plan_deadline(month=month)
        head = f"{result.plan_month:%Y年%m月}计划，截止 {result.deadline:%Y-%m-%d %H:%M}（北京时间）"
        if not result.passed:
            self.stdout.write(f"{head}：截止时间未到，只列出尚未报送的支部，不作标记。")
        else:
            self.stdout.write(head)
        if not options["quiet_list"]:
            for org in result.missing:
                self.stdout.write(f"  未报送  {org.code}  {org.name}")
            for plan in result.unsubmitted:
                self.stdout.write(f"  未提交  {plan.org.code}  {plan.org.name}（草稿）")
        self.stdout.write(
            self.style.SUCCESS(
                f"未报送 {len(result.missing)} 个，草稿未提交 {len(result.unsubmitted)} 个；"
                f"本次新标记逾期 {result.newly_marked} 个，新发站内提醒 {result.notices} 条"
            )
        )
