"""Rebuild the precomputed completion stats: after bulk imports, and for the demo generator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orglife.periods import first_of_month, local_today, parse_month
from orglife.services.stats import refresh_stats
from orgs.models import Organization


class Command(BaseCommand):
    help = "重建组织生活完成情况统计（CompletionStat），按批处理所有党支部"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", action="append", help="月份 YYYY-MM，可重复；默认本月")
        parser.add_argument("--year", type=int, help="重建该年1月至12月（当年只到本月）")
        parser.add_argument("--org", help="只重建该组织代码下的党支部")
        parser.add_argument("--batch-size", type=int, default=200, help="每个事务处理的党支部数（默认 200）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = [parse_month(m) for m in options["month"] or []]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["year"]:
            this_month = first_of_month(local_today())
            year_months = [dt.date(options["year"], i, 1) for i in range(1, 13)]
            months += [m for m in year_months if m <= this_month]
        months = months or [first_of_month(local_today())]
        under = None
        if options["org"]:
            under = Organization.objects.filter(code=options["org"]).first()
            if under is None:
                raise CommandError(f"没有组织代码为 {options['org']} 的组织")

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  已完成 {done} 个支部·月")

        done = refresh_stats(months=months, under=under, batch_size=options["batch_size"], progress=progress)
        label = "、".join(f"{m:%Y-%m}" for m in sorted(set(months)))
        self.stdout.write(self.style.SUCCESS(f"已重建 {label} 的完成情况统计：{done} 个支部·月"))
