"""Benchmark: roster import of 30,000 rows against a bare openpyxl read of the same file.

Runs on a fresh temporary SQLite database (DATABASE_URL is ignored):

    .venv/bin/python bench/bench_import.py [--rows 30000] [--seed 1]

Prints (a) the bare read (openpyxl read_only, every cell), (b) the full import service, the ratio
b/a, and (c) a second import of the same file, which must change nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="xianfeng-bench-import-"))
os.environ["XIANFENG_VAR_DIR"] = str(TMP)
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from accounts.models import User  # noqa: E402
from orgs.models import Member, Organization, RoleGrant  # noqa: E402
from orgs.paths import encode_step  # noqa: E402
from orgs.roles import Role  # noqa: E402
from orgs.services import roster  # noqa: E402
from personal import idcard  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉兵海燕鹏飞晓东春雪斌宇"
REGIONS = ["340825", "340826", "340827", "340828", "340881", "340822"]
EDUCATIONS = ["研究生", "大学本科", "大学本科", "大学专科", "大学专科", "中专", "高中", "初中及以下"]
COMMITTEES, BRANCHES_EACH = 30, 44


def build_tree() -> list[Organization]:
    """A county committee, 30 党(工)委 and 1,320 branches; returns the branches."""
    county = Organization.objects.create(
        path=encode_step(1),
        depth=1,
        name="中共太和县委员会",
        code="X0000",
        kind="committee",
        unit_category="organ",
        child_seq=COMMITTEES,
    )
    committees = Organization.objects.bulk_create(
        Organization(
            parent=county,
            path=county.path + encode_step(c),
            depth=2,
            name=f"中共太和县第{c}党委",
            code=f"X{c:02d}00",
            kind="committee",
            unit_category="organ",
            child_seq=BRANCHES_EACH,
        )
        for c in range(1, COMMITTEES + 1)
    )
    Organization.objects.bulk_create(
        Organization(
            parent=committee,
            path=committee.path + encode_step(b),
            depth=3,
            name=f"{committee.name}第{b}党支部",
            code=f"X{c:02d}{b:02d}",
            kind="branch",
            unit_category="organ",
        )
        for c, committee in enumerate(committees, start=1)
        for b in range(1, BRANCHES_EACH + 1)
    )
    return list(Organization.objects.filter(kind="branch"))


def write_roster(path: Path, rows: int, branches: list[Organization], rng: random.Random) -> None:
    today = dt.date.today()  # noqa: DTZ011 - a plain calendar date for generated data
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    ws.append([c.header for c in roster.COLUMNS])
    used: set[str] = set()
    for i in range(1, rows + 1):
        while True:
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 62))
            number = idcard.make(rng.choice(REGIONS), birth, rng.randrange(1000))
            if number not in used:
                used.add(number)
                break
        joined = birth + dt.timedelta(days=rng.randrange(365 * 19, 365 * 45))
        joined = min(joined, today - dt.timedelta(days=30))
        full = joined + dt.timedelta(days=365)
        probationary = full > today
        branch = rng.choice(branches)
        # Mix real date cells with the text forms people type, as real files do.
        join_cell: object = joined if i % 3 else f"{joined.year}/{joined.month}/{joined.day}"
        values = {
            "seq": i,
            "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            "ethnicity": "汉族",
            "birth_date": birth,
            "id_number": number,
            "education": rng.choice(EDUCATIONS),
            "category": "预备党员" if probationary else "正式党员",
            "joined_on": join_cell,
            "full_member_on": None if probationary else full.strftime("%Y.%m.%d"),
            "org_code": branch.code,
            "org_name": branch.name,
            "phone": f"1{rng.randrange(3, 10)}{i:09d}",
            "occupation": "职工",
            "status": "正常",
            "is_exempt": "否",
        }
        ws.append([values.get(c.key) for c in roster.COLUMNS])
    wb.save(path)


def bare_read(path: Path) -> int:
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in wb.worksheets[0].iter_rows(values_only=True):
        for _value in row:
            cells += 1
    wb.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        branches = build_tree()
        actor = User.objects.create_user(
            username="bench_admin", password="Bench#2026x", must_change_password=False
        )
        RoleGrant.objects.create(user=actor, org=Organization.objects.get(code="X0000"), role=Role.DEPT_ADMIN)
        path = TMP / "roster.xlsx"
        started = time.perf_counter()
        write_roster(path, args.rows, branches, random.Random(args.seed))
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        cells = bare_read(path)
        baseline = time.perf_counter() - started
        print(f"(a) bare read, openpyxl read_only, {cells:,} cells: {baseline:.2f} s")

        started = time.perf_counter()
        with path.open("rb") as fh:
            result = roster.import_members(actor=actor, file=fh, file_name=path.name)
        full = time.perf_counter() - started
        if not result.ok:
            for error in result.errors[:10]:
                print(f"  row {error.row} {error.column}: {error.message}")
            raise SystemExit(f"import refused the file: {len(result.errors)} errors")
        assert Member.objects.count() == args.rows == result.created
        print(
            f"(b) full import service: {full:.2f} s ({args.rows / full:,.0f} rows/s), created {result.created:,}"
        )
        print(
            f"    ratio b/a: {full / baseline:.2f}   target: under 60 s -> {'PASS' if full < 60 else 'FAIL'}"
        )

        started = time.perf_counter()
        with path.open("rb") as fh:
            again = roster.import_members(actor=actor, file=fh, file_name=path.name)
        second = time.perf_counter() - started
        assert again.ok and again.unchanged == args.rows and not (again.created or again.updated)
        print(f"(c) re-import of the same file (all 未变化): {second:.2f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (max RSS): {peak:.0f} MB")
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
