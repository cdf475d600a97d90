"""Demo data of the observer system on the generated demo county (after its orglife history)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from observers.demo import generate_observers_demo, link_demo_observer_user


class Command(BaseCommand):
    help = "为演示县生成组织生活观察员演示数据（选聘、台账、培训、分工、观察评价、支部评价、年度考核），可重复运行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale", choices=["tiny", "county"], default="county", help="规模（默认 county）"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = generate_observers_demo(seed=options["seed"], scale=options["scale"])
        if result.get("skipped"):
            linked = link_demo_observer_user()
            self.stdout.write(f"跳过：{result['reason']}" + ("（已关联演示账号 observer）" if linked else ""))
            return
        self.stdout.write(
            f"观察员演示数据：人选 {result.get('candidates', 0)} 名，观察员 {result.get('observers', 0)} 名，"
            f"分工 {result.get('assignments', 0)} 条，观察评价 {result.get('observations', 0)} 份，"
            f"支部评价 {result.get('ratings', 0)} 条，年度考核 {result.get('assessments', 0)} 人"
            f"（{result.get('seconds', 0)} 秒）。"
        )
