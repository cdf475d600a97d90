"""The request floor in process: /bench-hello/ through Django's WSGI handler, anonymous and as the branch
secretary, without a server or load generator (bench/bench_floor.py measures it under gunicorn and wrk).

Each request is a fresh WSGI environ (the secretary's session cookie for the logged-in one) through the
product's full middleware (bench.floor_settings); figures are medians in µs over N requests after 200 warm-up
requests: wall time, and the thread's CPU time (time.thread_time: what the request itself computed, without the
time the thread waited for a core — the steadier figure on a shared, loaded machine). With --profile, the logged-in requests are run again under cProfile and the top functions printed.

Usage: .venv/bin/python bench/profile_floor.py DATA_DIR [N] [--profile] [--code DIR]
  DATA_DIR   a var dir holding the county demo (e.g. the --data dir of bench/profile_pages.py)
  --code DIR another checkout to measure (e.g. a worktree of an older revision) on the same data
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    code = (
        Path(argv[argv.index("--code") + 1]) if "--code" in argv else Path(__file__).resolve().parent.parent
    )
    rest = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--code")]
    data, n = rest[0], int(rest[1]) if len(rest) > 1 else 2000
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [str(code.resolve())] + [p for p in sys.path if p != here]
    os.chdir(code)
    os.environ.update(
        XIANFENG_VAR_DIR=data, XIANFENG_DEBUG="0", DJANGO_SETTINGS_MODULE="bench.floor_settings"
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.test import Client, RequestFactory

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    assert client.login(username="secretary", password="Xianfeng@2026"), "the secretary could not log in"
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    app = get_wsgi_application()
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> None:
        status.append(code)

    def run(cookie: str, k: int) -> tuple[float, float]:
        times, cpu = [], []
        for _ in range(k):
            environ = RequestFactory()._base_environ(PATH_INFO="/bench-hello/", REQUEST_METHOD="GET")  # type: ignore[attr-defined]
            environ.update(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")
            if cookie:
                environ["HTTP_COOKIE"] = cookie
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = app(environ, start_response)  # type: ignore[arg-type]
            b"".join(response)
            response.close()
            cpu.append(time.thread_time() - start_cpu)
            times.append(time.perf_counter() - start)
        assert status[-1].startswith("200"), status[-1]
        return statistics.median(times) * 1e6, statistics.median(cpu) * 1e6

    print(f"{code.name}, {n} requests, medians in µs")
    print("| request | wall | CPU |")
    for label, value in (("anonymous hello", ""), ("logged-in hello", cookie)):
        run(value, 200)
        wall, cpu = run(value, n)
        print(f"| {label} | {wall:.0f} | {cpu:.0f} |")
    if "--profile" in argv:
        profile = cProfile.Profile()
        profile.enable()
        run(cookie, n)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
