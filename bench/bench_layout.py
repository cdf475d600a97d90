"""The base layout alone: base.html rendered for the branch secretary with no page content, in process.

What every logged-in page pays for the layout (head, top bar, side menu) before its own content; the baseline
in the same run is an empty template rendered the same way (the request context and its processors).

Usage: .venv/bin/python bench/bench_layout.py --data DIR [--code DIR] [--rounds 5] [--renders 200]
  --data DIR   a var dir holding the county demo (e.g. the --data dir of bench/profile_pages.py)
  --code DIR   render with another checkout (e.g. a git worktree of an older revision)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args()
    code = args.code.resolve()
    sys.path.insert(0, str(code))
    os.environ.update(
        XIANFENG_VAR_DIR=str(args.data.resolve()),
        XIANFENG_DEBUG="0",
        DJANGO_SETTINGS_MODULE="bench.floor_settings",
    )
    os.environ.pop("DATABASE_URL", None)
    os.chdir(code)
    import django

    django.setup()
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template import engines
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from accounts.models import User

    secretary = User.objects.get(username="secretary")
    factory = RequestFactory()
    empty = engines["django"].from_string("")

    def request():  # type: ignore[no-untyped-def]
        r = factory.get("/orglife/records/")
        r.user = secretary
        r.session = {}  # type: ignore[assignment]
        r._messages = FallbackStorage(r)  # type: ignore[attr-defined]
        return r

    def timed(render) -> float:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        for _ in range(args.renders):
            render()
        return (time.perf_counter() - start) / args.renders * 1e3

    layout = lambda: render_to_string("base.html", {}, request=request())  # noqa: E731
    baseline = lambda: empty.render({}, request=request())  # noqa: E731
    layout(), baseline()
    ours, base = [], []
    for _ in range(args.rounds):  # alternated
        ours.append(timed(layout))
        base.append(timed(baseline))
    a, b = statistics.median(ours), statistics.median(base)
    print(
        f"{code.name}: base.html {a:.2f} ms (min {min(ours):.2f}), empty template {b:.2f} ms, ratio {a / b:.1f}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
