"""The coverage page's observer progress: this checkout's `observer_progress` against an older checkout's, on
the same data, alternated in one process (the older function's source is run in this one's module namespace),
after checking that both give the same rows.

Usage: .venv/bin/python bench/bench_observer_progress.py --before DIR --data DIR [--rounds 15]
  --before DIR  the older checkout (e.g. a git worktree of main)
  --data DIR    a var dir holding a generated demo (bench/profile_pages.py --data keeps one)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.update(
        XIANFENG_VAR_DIR=str(args.data.resolve()),
        XIANFENG_DEBUG="0",
        DJANGO_SETTINGS_MODULE="bench.floor_settings",
    )
    import django

    django.setup()
    from observers.services import coverage
    from observers.services.observe import half_start
    from orgs.models import Organization

    source = (args.before / "observers/services/coverage.py").read_text()
    start = source.index("def observer_progress(")
    namespace: dict[str, Any] = dict(vars(coverage))
    exec(source[start : source.index("# ----", start)], namespace)  # noqa: S102 - our own older source
    old, new = namespace["observer_progress"], coverage.observer_progress
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None, "no demo in --data"
    half = half_start()

    def key(rows: list[Any]) -> list[tuple[int, ...]]:
        return sorted((p.observer.pk, p.assigned, p.observed, p.forms, p.signed_up) for p in rows)

    assert key(old(root, half)) == key(new(root, half)), "the two give different rows"
    print(f"observers: {len(new(root, half))}")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for name, fn in (("before", old), ("after", new)):
            began = time.perf_counter()
            fn(root, half)
            times[name].append(time.perf_counter() - began)
    for name, spent in times.items():
        print(
            f"{name}: median {statistics.median(spent) * 1e3:.1f} ms "
            f"(min {min(spent) * 1e3:.1f}, max {max(spent) * 1e3:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
