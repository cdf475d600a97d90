"""Where a page's time goes, in process: template, ORM (of which SQL execution), middleware, other.

The county demo (seed 1) is generated into a throwaway SQLite database, the branch secretary logs in (and, for
the other roles' start pages, the demo's `member` and `admin_dept`), and each page is requested --requests times
through Django's test client after two warm-up requests. Per request:

  total       the test client's request, start to end
  middleware  total minus the view (BaseHandler._get_response: view and its render) and minus the ORM time
              spent outside the view (the session read and the access context)
  template    outermost template renders (the backend's Template.render), minus the ORM time inside them
              (lazy querysets evaluated by the template are counted as ORM)
  ORM         outermost SQLCompiler.execute_sql calls: query compilation, execution and fetching;
              "SQL" is the part inside the database driver's execute (connection.execute_wrapper)
  other       the view's own Python: total minus the three above

Medians over the requests, in milliseconds, with the query count per request.

Usage: .venv/bin/python bench/profile_pages.py [--requests 50] [--code DIR] [--data DIR]
  --code DIR   profile another checkout (e.g. a git worktree of an older revision) with this script
  --data DIR   the var dir (SQLite database and keys) to use and keep: generated there when empty, reused
               when it holds a database (an older checkout only reads, so it can profile on the same data)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PAGES = ("logged-in hello", "plan page", "records list", "home", "points", "members")
PASSWORD = "Xianfeng@2026"


class Clock:
    """Accumulated times of the current request, by what was running."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.view = self.template = self.orm = self.sql = 0.0
        self.orm_in_view = self.orm_in_template = 0.0
        self.queries = 0
        self.in_view = self.in_template = self.in_orm = 0


CLOCK = Clock()


def _timed(attr: str, depth: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = getattr(CLOCK, depth) == 0
        setattr(CLOCK, depth, getattr(CLOCK, depth) + 1)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            setattr(CLOCK, depth, getattr(CLOCK, depth) - 1)
            if outer:
                spent = time.perf_counter() - start
                setattr(CLOCK, attr, getattr(CLOCK, attr) + spent)
                if attr == "orm":
                    if CLOCK.in_template:
                        CLOCK.orm_in_template += spent
                    if CLOCK.in_view:
                        CLOCK.orm_in_view += spent

    return wrapper


def instrument() -> None:
    from django.core.handlers.base import BaseHandler
    from django.db.models.sql.compiler import SQLCompiler
    from django.template.backends.django import Template

    BaseHandler._get_response = _timed("view", "in_view", BaseHandler._get_response)  # type: ignore[attr-defined]
    Template.render = _timed("template", "in_template", Template.render)  # type: ignore[method-assign]
    SQLCompiler.execute_sql = _timed("orm", "in_orm", SQLCompiler.execute_sql)  # type: ignore[method-assign]


@contextmanager
def sql_timer() -> Iterator[None]:
    from django.db import connection

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            CLOCK.sql += time.perf_counter() - start
            CLOCK.queries += 1

    with connection.execute_wrapper(wrapper):
        yield


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    code = args.code.resolve()
    sys.path.insert(0, str(code))  # its own bench.floor_settings (the /bench-hello/ view) too
    here = str(Path(__file__).resolve().parent)  # this script's folder, which Python put first
    sys.path[:] = [p for p in sys.path if p != here]
    work = args.data.resolve() if args.data else Path(tempfile.mkdtemp(prefix="xianfeng-profile-"))
    work.mkdir(parents=True, exist_ok=True)
    fresh = not (work / "xianfeng.sqlite3").exists()
    os.environ.update(
        XIANFENG_VAR_DIR=str(work), XIANFENG_DEBUG="0", DJANGO_SETTINGS_MODULE="bench.floor_settings"
    )
    os.environ.pop("DATABASE_URL", None)
    os.chdir(code)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        settings.ALLOWED_HOSTS = ["*"]
        if fresh:
            call_command("migrate", "--noinput", verbosity=0)
            call_command("generate_demo", "--scale", "county", "--seed", "1", verbosity=0)
            call_command("demo_logins", verbosity=0)
        from accounts.models import User

        secretary = User.objects.get(username="secretary")
        urls = {
            "logged-in hello": "/bench-hello/",
            "plan page": reverse("orglife:plan_branch", args=[secretary.member.org_id]),  # type: ignore[union-attr]
            "records list": reverse("orglife:record_list"),
            "home": "/",
            "points": reverse("points:home"),
            "members": reverse("orgs:member_list"),
        }
        # The other roles' start pages (issue 16: every home and list page), each as its demo login.
        others = {
            "home (member)": ("member", "/"),
            "home (dept admin)": ("admin_dept", "/"),
            "points ranking (dept admin)": ("admin_dept", reverse("points:ranking")),
            "observer coverage (dept admin)": ("admin_dept", reverse("observers:observe_coverage")),
        }
        # The secretary's home's side panel (messages, points), loaded by htmx after the home; a checkout
        # from before the panel has no such URL (its home still carried them).
        with contextlib.suppress(NoReverseMatch):
            urls["home side panel"] = reverse("home:side")
        clients: dict[str, Client] = {}
        for username in ("secretary", *(u for u, _ in others.values())):
            if username not in clients:
                clients[username] = Client()
                assert clients[username].login(username=username, password=PASSWORD), f"{username}: no login"
        pages = [(name, "secretary", url) for name, url in urls.items()]
        pages += [(name, user, url) for name, (user, url) in others.items()]
        instrument()
        print(
            f"{code.name} @ {os.popen(f'git -C {code} rev-parse --short HEAD').read().strip()}, "
            f"{args.requests} requests per page, medians in ms"
        )
        print("| page | total | template | ORM (SQL) | middleware | other | queries |")
        print("|---|---|---|---|---|---|---|")
        with sql_timer():
            for name, username, url in pages:
                client = clients[username]
                rows: list[dict[str, float]] = []
                for i in range(args.requests + 2):
                    CLOCK.reset()
                    start = time.perf_counter()
                    headers = {"HX-Request": "true"} if name == "home side panel" else {}
                    response = client.get(url, headers=headers)
                    total = time.perf_counter() - start
                    assert response.status_code == 200, (name, response.status_code)
                    if i < 2:
                        continue
                    template = CLOCK.template - CLOCK.orm_in_template
                    middleware = total - CLOCK.view - (CLOCK.orm - CLOCK.orm_in_view)
                    rows.append(
                        {
                            "total": total,
                            "template": template,
                            "orm": CLOCK.orm,
                            "sql": CLOCK.sql,
                            "middleware": middleware,
                            "other": total - template - CLOCK.orm - middleware,
                            "queries": CLOCK.queries,
                        }
                    )
                med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
                print(
                    f"| {name} | {med['total'] * 1e3:.2f} | {med['template'] * 1e3:.2f} | "
                    f"{med['orm'] * 1e3:.2f} ({med['sql'] * 1e3:.2f}) | {med['middleware'] * 1e3:.2f} | "
                    f"{med['other'] * 1e3:.2f} | {med['queries']:.0f} |"
                )
        return 0
    finally:
        if not args.data:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
