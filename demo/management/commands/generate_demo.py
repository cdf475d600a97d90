"""Generate deterministic demo data: `manage.py generate_demo --scale county --seed 1 [--if-empty]`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from bulletins.demo import generate_bulletins_demo
from development.demo import generate_development_demo
from learning.demo import generate_learning_demo
from observers.demo import generate_observers_demo
from orglife.demo import generate_orglife_demo
from orgs import demo
from orgs.models import Organization
from points.demo import generate_points_demo
from quizzes.demo import generate_quizzes_demo


class Command(BaseCommand):
    help = (
        "生成确定性的演示数据（同一种子生成相同的组织、代码、姓名和身份证号）。"
        "tiny 用于测试；county 约1,300个支部、3万名党员；city 约1.2万个组织、25万名党员；"
        "province 约20万个组织、400万名党员（流式分批写入，内存有界）。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=demo.SCALES, default="county", help="规模（默认 county）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有组织时什么也不做")
        parser.add_argument("--batch-size", type=int, default=2000, help="每批写入的党员数（默认 2000）")
        parser.add_argument(
            "--limit-members", type=int, default=None, help="写入这么多党员后停止（用于试跑）"
        )
        parser.add_argument("--progress-every", type=int, default=25, help="每写入 N 批报告一次进度")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="只生成组织和党员，不生成学习积分和一年的组织生活记录（基准测试用；city/province 规模默认不生成）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Organization.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"数据库中已有 {existing:,} 个组织，跳过演示数据生成。")
            return
        top = (
            Organization.objects.filter(parent__isnull=True).order_by("-path").values_list("path", flat=True)
        )
        root_number = int(top[0], 36) + 1 if top else 1
        chunks = demo.iter_chunks(
            options["scale"], options["seed"], today=timezone.localdate(), root_number=root_number
        )
        first = next(chunks)
        clash = Organization.objects.filter(code__in=[o.code for o in first.orgs]).values_list(
            "code", flat=True
        )
        if clash:
            raise CommandError(
                f"组织代码 {clash[0]} 已存在：该演示数据已生成过。请使用空数据库，或加 --if-empty。"
            )

        def progress(stats: demo.Stats) -> None:
            self.stdout.write(
                f"  已写入 组织 {stats.orgs:,} · 党员 {stats.members:,} · 职务 {stats.positions:,}"
                f" · {stats.rows_per_second:,.0f} 行/秒 · 峰值内存 {stats.peak_rss_mb():,.0f} MB"
            )

        self.stdout.write(f"正在生成演示数据：规模 {options['scale']}，种子 {options['seed']} …")
        stats = demo.write(
            _chain(first, chunks),
            batch_size=options["batch_size"],
            limit_members=options["limit_members"],
            progress=progress,
            every=options["progress_every"],
        )
        demo.analyze()
        record_event(
            actor=None,
            actor_name="generate_demo",
            action=AuditEvent.Action.IMPORT,
            target_repr="演示数据",
            summary={
                "scale": options["scale"],
                "seed": options["seed"],
                "orgs": stats.orgs,
                "members": stats.members,
                "positions": stats.positions,
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据：组织 {stats.orgs:,} 个，党员 {stats.members:,} 名，职务 {stats.positions:,} 条；"
                f"用时 {stats.seconds:,.1f} 秒（{stats.rows_per_second:,.0f} 行/秒），"
                f"峰值内存 {stats.peak_rss_mb():,.0f} MB。"
            )
        )
        if options["no_history"] or options["scale"] not in ("tiny", "county"):
            return

        history = generate_orglife_demo(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
        self.stdout.write(
            f"组织生活：已生成一年的计划、纪实、巡查、月积分和约谈（{history.get('seconds', 0):,.1f} 秒）。"
        )
        points = generate_points_demo(options["seed"], options["scale"])
        self.stdout.write(
            f"学习积分：{points.members:,} 名党员 {points.entries:,} 条分录、{points.declarations} 条申报"
            f"（{points.seconds:,.1f} 秒）。"
        )

        generate_observers_demo(seed=options["seed"], scale=options["scale"], stdout=self.stdout)
        learning = generate_learning_demo(options["seed"], options["scale"])
        self.stdout.write(
            f"学习教育：微党课 {learning.lessons:,} 堂、集中培训 {learning.trainings} 期、学时免除 {learning.exemptions} 人、"
            f"教育片 {learning.videos} 部、一人一册 {learning.book_records} 人（已抽查 {learning.book_checks} 人）"
            f"（{learning.seconds:,.1f} 秒）。"
        )
        development = generate_development_demo(seed=options["seed"], scale=options["scale"])
        if not development["skipped"]:
            self.stdout.write(
                f"发展党员：{development['people']} 人处于各阶段（{development['seconds']:,.1f} 秒）。"
            )
        quizzes = generate_quizzes_demo(options["seed"], options["scale"])
        self.stdout.write(
            f"题库与答题：{quizzes.questions} 道题目、{quizzes.attempts:,} 份答卷（{quizzes.seconds:,.1f} 秒）。"
        )
        generate_bulletins_demo(seed=options["seed"], scale=options["scale"], stdout=self.stdout)


def _chain(first: demo.Chunk, rest: Any) -> Any:
    yield first
    yield from rest
