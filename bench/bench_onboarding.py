"""Benchmark: onboarding a county or a city through the wizard (organizations, members, posts).

    .venv/bin/python bench/bench_onboarding.py [--db sqlite|postgres] [--db-name NAME]
        [--branches 1470] [--members 30000] [--scale F] [--quick] [--seed 1]

Default: a county, 1,500 organizations, 30,000 members, a 书记, 组织委员 and 联系人 per branch (4,410 posts), on a
fresh temporary SQLite database. `--scale F` sizes the files as F × a city (12,000 organizations, 250,000 members,
40,000 posts: `--scale 1` is the city the issue names). `--db postgres` uses a throwaway PostgreSQL database
(`--db-name`, default xianfeng_bench_<pid>; created, then dropped).

Prints CPU seconds (process time) and wall seconds of (a) the baselines measured in the same run: reading
every cell of the three files with python-calamine (what the import uses) and with openpyxl (what it used),
(b) the wizard's check of the three files (everything imported, then rolled back), (c) the import itself,
with the time of each file, (d) a second check of the same files (nothing to change), (e) on PostgreSQL, the
COPY baseline: the member rows the import wrote, copied back with COPY FROM STDIN into a new table like
orgs_member (same columns, defaults, indexes and constraints), and the import's member rows/s against it (against
the first COPY, and against the median of three, each into a fresh table: on a shared box one COPY's wall time
varies several-fold); and the process's peak memory. `--quick` leaves out the openpyxl read, (b) and (d) (for the large sizes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="xianfeng-bench-onboarding-"))
CITY = (12_000, 250_000, 40_000)  # organizations, members, posts

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉兵海燕鹏飞晓东春雪斌宇"
COMMITTEES = 30
POSTS = ("书记", "组织委员", "联系人", "副书记", "宣传委员", "纪检委员")


def write(path: Path, headers: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("sheet")
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)


def make_files(
    branches: int, members: int, posts_wanted: int, rng: random.Random
) -> tuple[Path, Path, Path, int]:
    """`posts_wanted` posts spread evenly over the branches (at most len(POSTS) and one per member each)."""
    from orgs.services import positions_file, roster, tree_file
    from personal import idcard

    tree_headers = [h for _, h, _ in tree_file.COLUMNS if h != "组织路径"]
    orgs: list[dict[str, Any]] = []
    branch_codes: list[str] = []
    for c in range(1, COMMITTEES + 1):
        orgs.append(
            {"组织全称": f"中共太和县第{c}党委", "组织代码": f"K{c:02d}00", "上级组织代码": "X0000"}
            | {"组织类别": "党委", "单位类别": "机关", "单位名称": f"太和县第{c}局"}
        )
    for b in range(branches):
        c = b % COMMITTEES + 1
        code = f"K{c:02d}{b // COMMITTEES + 1:02d}" if b // COMMITTEES < 99 else f"Z{b:05d}"
        branch_codes.append(code)
        orgs.append(
            {"组织全称": f"中共太和县第{c}党委第{b + 1}支部", "组织代码": code, "上级组织代码": f"K{c:02d}00"}
            | {
                "组织类别": "党支部",
                "单位类别": "机关",
                "是否设立支部委员会": "是",
                "本届届期开始": "2024-03-01",
            }
        )
    people: list[dict[str, Any]] = []
    used: set[str] = set()
    for i in range(1, members + 1):
        while True:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
            number = idcard.make("341222", birth, rng.randrange(1000))
            if number not in used:
                used.add(number)
                break
        joined = birth + dt.timedelta(days=365 * 20 + rng.randrange(0, 365 * 5))
        people.append(
            {
                "序号": i,
                "姓名": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                "公民身份号码": number,
                "学历": "大学本科",
                "人员类别": "正式党员",
                "入党日期": joined,
                "转正日期": joined + dt.timedelta(days=365),
                "所在党组织代码": branch_codes[i % len(branch_codes)],
                "联系电话": f"139{i:08d}",
                "党籍状态": "正常",
            }
        )
    by_branch: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        by_branch.setdefault(person["所在党组织代码"], []).append(person)
    posts: list[dict[str, Any]] = []
    for j, code in enumerate(branch_codes):
        k = posts_wanted * (j + 1) // branches - posts_wanted * j // branches
        for holder, title in zip(by_branch.get(code, []), POSTS[:k], strict=False):
            posts.append(
                {"姓名": holder["姓名"], "公民身份号码": holder["公民身份号码"], "任职组织代码": code}
                | {"职务": title, "任职日期": "2024-03-01"}
            )
    paths = (TMP / "orgs.xlsx", TMP / "members.xlsx", TMP / "posts.xlsx")
    write(paths[0], tree_headers, orgs)
    write(paths[1], [c.header for c in roster.COLUMNS], people)
    write(paths[2], [h for _, h, _ in positions_file.COLUMNS], posts)
    return (*paths, len(posts))


def read_calamine(paths: tuple[Path, ...]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        for row in (
            CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        ):
            cells += len(row)
    return cells


def read_openpyxl(paths: tuple[Path, ...]) -> int:
    from openpyxl import load_workbook

    cells = 0
    for path in paths:
        wb = load_workbook(path, read_only=True, data_only=True)
        for row in wb.worksheets[0].iter_rows(values_only=True):
            cells += len(row)
        wb.close()
    return cells


def _brief(report: dict[str, Any]) -> str:
    return str(
        {
            sheet: {k: v for k, v in r.items() if k != "changes"} | {"errors": r.get("errors", [])[:5]}
            for sheet, r in report.get("files", {}).items()
        }
    )


def timed(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label}: {cpu:.2f} CPU s, {wall:.2f} s wall", flush=True)
    return value, cpu


def timed_files() -> dict[str, list[float]]:
    """Wrap the wizard's three importers (the real ones) so each file's CPU and wall seconds are recorded."""
    from orgs.services import onboarding

    spent: dict[str, list[float]] = {}
    for sheet, (stage, importer) in list(onboarding._IMPORTERS.items()):

        def wrapped(_sheet: str = sheet, _importer: Any = importer, **kw: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return _importer(**kw)
            finally:
                spent[str(_sheet)] = [time.process_time() - cpu, time.perf_counter() - wall]

        onboarding._IMPORTERS[sheet] = (stage, wrapped)
    return spent


def copy_baseline(repeats: int = 3) -> tuple[int, list[float]]:
    """The member rows the import wrote, copied with COPY into a new table like orgs_member (only the COPY is
    timed: the rows are exported first, into memory), `repeats` times, each into a fresh table. Returns
    (rows, wall seconds of each COPY)."""
    from django.db import connection, transaction

    walls = []
    with transaction.atomic():
        with connection.cursor() as cur:
            buffer = io.BytesIO()
            with cur.copy("COPY orgs_member TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            for _ in range(repeats):
                cur.execute("DROP TABLE IF EXISTS bench_copy_member")
                cur.execute("CREATE TABLE bench_copy_member (LIKE orgs_member INCLUDING ALL)")
                started = time.perf_counter()
                with cur.copy("COPY bench_copy_member FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
                walls.append(time.perf_counter() - started)
            cur.execute("SELECT count(*) FROM bench_copy_member")
            rows = cur.fetchone()[0]
        transaction.set_rollback(True)
    return rows, walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--db-name", help="name of the throwaway PostgreSQL database (created and dropped)")
    parser.add_argument("--branches", type=int, default=1470)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument(
        "--scale", type=float, help="size as this fraction of a city (12k orgs, 250k members, 40k posts)"
    )
    parser.add_argument("--quick", action="store_true", help="leave out the openpyxl read, (b) and (d)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the import (c)")
    args = parser.parse_args()
    posts_wanted = args.branches * 3
    if args.scale:
        args.branches = round(CITY[0] * args.scale) - COMMITTEES - 1
        args.members = round(CITY[1] * args.scale)
        posts_wanted = round(CITY[2] * args.scale)
    if args.members > 100_000:
        # A city-wide member file is beyond the default limits of one upload (100,000 rows, a 100 MB sheet
        # unpacked, 120 s of reading): the import refuses it and asks for it to be split. A city that onboards
        # in one go raises the limits by environment, as this run does (README, 配置).
        limits = {
            "XIANFENG_IMPORT_MAX_ROWS": str(args.members + 1_000),
            "XIANFENG_IMPORT_MAX_PART_MB": "400",
            "XIANFENG_IMPORT_MAX_UNZIPPED_MB": "800",
            "XIANFENG_IMPORT_MAX_SECONDS": "900",
            "XIANFENG_IMPORT_MAX_MB": "100",
        }
        for name, value in limits.items():
            os.environ.setdefault(name, value)
        print("limits raised for one city-wide file: " + ", ".join(f"{k}={os.environ[k]}" for k in limits))
    try:
        with open_database(args.db, name=args.db_name) as where:
            run(args, posts_wanted, where)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def run(args: argparse.Namespace, posts_wanted: int, where: str) -> None:
    from accounts.models import User
    from orgs.models import Member, OnboardingBatch, Organization, Position, RoleGrant
    from orgs.paths import encode_step
    from orgs.roles import Role
    from orgs.services import onboarding

    started = time.perf_counter()
    county = Organization.objects.create(
        path=encode_step(1),
        depth=1,
        name="中共太和县委员会",
        code="X0000",
        kind="committee",
        unit_category="organ",
    )
    actor = User.objects.create_user(
        username="bench_admin", password="Bench#2026x", must_change_password=False
    )
    RoleGrant.objects.create(user=actor, org=county, role=Role.DEPT_ADMIN)
    *paths, n_posts = make_files(args.branches, args.members, posts_wanted, random.Random(args.seed))
    files = tuple(paths)
    print(
        f"{where}; files: {args.branches + COMMITTEES:,} organizations, {args.members:,} members, {n_posts:,} posts "
        f"({sum(p.stat().st_size for p in files) / 1e6:.1f} MB, written in {time.perf_counter() - started:.0f} s)",
        flush=True,
    )

    def new_batch() -> OnboardingBatch:
        return onboarding.create_batch(
            actor=actor,
            files={
                sheet: (p.name, p.read_bytes())
                for sheet, p in zip(("orgs", "members", "positions"), files, strict=True)
            },
        )

    cells, calamine = timed("(a) baseline: python-calamine read of every cell", lambda: read_calamine(files))
    if not args.quick:
        _, openpyxl = timed(
            "(a') baseline: openpyxl read_only read of every cell", lambda: read_openpyxl(files)
        )
        print(f"    {cells:,} cells; calamine is {openpyxl / calamine:.1f}x faster")
    batch = new_batch()
    check_cpu = 0.0
    if not args.quick:
        checked, check_cpu = timed(
            "(b) check (import everything, roll back)", lambda: onboarding.run(batch.pk, apply=False)
        )
        assert checked.status == OnboardingBatch.Status.CHECKED, _brief(checked.report)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(onboarding.run, batch.pk, apply=True)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    spent = timed_files()
    wall = time.perf_counter()
    done, import_cpu = timed("(c) import", lambda: onboarding.run(batch.pk, apply=True))
    wall = time.perf_counter() - wall
    spent = {sheet: list(times) for sheet, times in spent.items()}  # (d) would overwrite them
    assert done.status == OnboardingBatch.Status.DONE, _brief(done.report)
    assert Member.objects.count() == args.members and Position.objects.count() == n_posts
    assert Organization.objects.count() == args.branches + COMMITTEES + 1
    for sheet, (cpu, seconds) in spent.items():
        print(f"    file {sheet}: {cpu:.2f} CPU s, {seconds:.2f} s wall")
    if not args.quick:
        again = new_batch()
        second, _ = timed(
            "(d) check of the same files again (nothing to change)",
            lambda: onboarding.run(again.pk, apply=False),
        )
        assert all(f["created"] == f["updated"] == 0 for f in second.report["files"].values()), second.report
        print(
            f"    ratio import / calamine read: {import_cpu / calamine:.1f}; "
            f"import / openpyxl read: {import_cpu / openpyxl:.2f}"
        )
        print(
            f"    target ≤ 10 CPU s for the import: {'PASS' if import_cpu <= 10 else 'FAIL'} ({import_cpu:.1f}); "
            f"check {check_cpu:.1f}"
        )
    if args.db == "postgres":
        rows, copy_walls = copy_baseline()
        copy_wall = copy_walls[0]
        middle = sorted(copy_walls)[len(copy_walls) // 2]
        member_wall = spent["members"][1]
        print(
            f"(e) baseline: COPY of the {rows:,} member rows: {copy_wall:.2f} s wall, {rows / copy_wall:,.0f} rows/s; "
            f"the import's member file: {member_wall:.2f} s wall, {args.members / member_wall:,.0f} rows/s; "
            f"ratio {copy_wall / member_wall:.3f}x COPY (target ≥ 0.3x); "
            f"whole import {wall:.1f} s wall, {args.members / wall:,.0f} member rows/s"
        )
        print(
            f"    COPY repeated {len(copy_walls)} times: {', '.join(f'{w:.2f}' for w in copy_walls)} s wall; "
            f"ratio against their median ({middle:.2f} s): {middle / member_wall:.3f}x"
        )
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
