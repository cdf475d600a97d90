"""`make bench`: run every benchmark in turn, each in its own process, and show its output.

Each script prints its own table (ratios against a baseline measured in the same run); copy the
tables into bench/RESULTS.md with the command that produced them. Pass script names to run a subset:
`.venv/bin/python bench/run.py bench_import bench_member_list`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Ordered cheapest first; the scale of each is its own default (see each script's --help).
DEFAULT = [
    ["bench_import.py"],
    ["bench_member_list.py", "--db", "sqlite", "--scale", "county"],
    ["bench_generate.py", "--db", "sqlite", "--scales", "county", "--province-limit", "0"],
]


def main(argv: list[str]) -> int:
    extra = sorted(p.name for p in HERE.glob("bench_*.py") if not any(p.name == d[0] for d in DEFAULT))
    plan = DEFAULT + [[name] for name in extra]
    if argv:
        wanted = {a if a.endswith(".py") else f"{a}.py" for a in argv}
        plan = [p for p in plan if p[0] in wanted]
    failed = 0
    for args in plan:
        print(f"\n=== {' '.join(args)} ===", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]])
        print(f"--- exit {code}, {time.monotonic() - started:.0f} s", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
