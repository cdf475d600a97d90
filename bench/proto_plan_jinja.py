"""Prototype (issue 16): the branch month plan page rendered by Jinja2 instead of Django's template engine.

Not product code: the product renders with Django's templates. This measures what the next step would gain
on the hottest page, so the decision is made on figures. The plan page's templates (base layout, page,
status and countdown partials, pagination) are translated one for one into bench/proto_jinja/; the layout's
{% once %} fragments are rendered once per process as they are in the product.

The view runs once as the branch secretary (the demo's `secretary`) to capture its context. Then, alternating
in the same process, median of N each:

  dtl    Django's cached template loader: get_template("orglife/plans/branch.html").render(context, request),
         context processors included (menu, navigation, auth, messages, csrf);
  jinja  the same context processors, then the Jinja2 translation's render.

Both outputs are compared once (whitespace collapsed, CSRF tokens blanked) and must be equal. It also times
the whole request through the test client, so the page's projected time with Jinja2 is total - dtl + jinja.

Usage: .venv/bin/python bench/proto_plan_jinja.py --data DIR [--renders 200] [--rounds 5]
  --data DIR  a var dir holding the county demo (made by bench/profile_pages.py --data DIR)
Needs Jinja2 (requirements-dev.txt, for this prototype only).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PASSWORD = "Xianfeng@2026"


def _normalize(html: str) -> str:
    html = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r'\1""', html)
    html = re.sub(r">\s+<", "><", html)
    return re.sub(r"\s+", " ", html).strip()


def jinja_environment() -> Any:
    from django.conf import settings
    from django.template import engines
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
    from jinja2 import Environment, FileSystemLoader, pass_context
    from markupsafe import Markup

    date_filter = engines["django"].engine.template_builtins[-1].filters["date"]  # type: ignore[attr-defined]

    def url(name: str, *args: Any) -> str:
        return reverse(name, args=args or None)

    def date(value: Any, fmt: str) -> str:
        # The same `date` filter the Django engine uses (Django's, or the product's builtin that remembers its
        # results); it is marked expects_localtime: the engine converts aware datetimes first.
        return date_filter(template_localtime(value, use_tz=settings.USE_TZ), fmt)

    @pass_context
    def querystring(context: Any, **changes: Any) -> str:
        query = context["request"].GET.copy()
        for key, value in changes.items():
            query[key] = value
        return "?" + query.urlencode()

    fixed = {
        "head1": (
            f'<link rel="icon" href="{static("icons/favicon.ico")}" sizes="any">\n'
            f'  <link rel="apple-touch-icon" href="{static("icons/apple-touch-icon.png")}">\n'
            f'  <link rel="manifest" href="{reverse("home:manifest")}">\n'
            '  <meta name="theme-color" content="#c8161d">\n'
            '  <meta name="apple-mobile-web-app-capable" content="yes">\n'
            '  <meta name="apple-mobile-web-app-title" content="先锋党建">'
        ),
        "head2": (
            f'<link rel="stylesheet" href="{static("vendor/bootstrap/bootstrap.min.css")}">\n'
            f'  <link rel="stylesheet" href="{static("vendor/bootstrap-icons/bootstrap-icons.min.css")}">\n'
            f'  <link rel="stylesheet" href="{static("css/xianfeng.css")}">\n'
            f'  <script src="{static("vendor/htmx/htmx.min.js")}" defer></script>\n'
            f'  <script src="{static("vendor/bootstrap/bootstrap.bundle.min.js")}" defer></script>\n'
            f'  <script src="{static("js/xianfeng.js")}" defer></script>\n'
            f'  <script src="{static("js/outbox.js")}" defer></script>'
        ),
        "brand": (
            f'<a class="navbar-brand fw-bold" href="{reverse("home:dashboard")}"><i class="bi bi-star-fill '
            'text-warning"></i> 先锋智慧党建</a>\n'
            f'    <div class="ms-auto" hx-get="{reverse("notifications:notice_badge")}" hx-trigger="load" '
            'hx-swap="innerHTML"></div>'
        ),
        "account": (
            f'<li><a class="dropdown-item" href="{reverse("accounts:password_change")}">修改密码</a></li>\n'
            f'        <li><a class="dropdown-item" href="{reverse("accounts:otp_status")}">账号安全（双因素认证）</a></li>'
        ),
    }
    once = {name: Markup(text) for name, text in fixed.items()}  # noqa: S704 - fixed markup of our own
    env = Environment(loader=FileSystemLoader(HERE / "proto_jinja"), autoescape=True, auto_reload=False)
    env.globals.update(url=url, static=static, once=once.__getitem__, querystring=querystring)
    env.filters["date"] = date
    return env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    code = HERE.parent
    sys.path.insert(0, str(code))
    sys.path[:] = [p for p in sys.path if p != str(HERE)]
    os.environ.update(
        XIANFENG_VAR_DIR=str(args.data.resolve()),
        XIANFENG_DEBUG="0",
        DJANGO_SETTINGS_MODULE="bench.floor_settings",
    )
    os.environ.pop("DATABASE_URL", None)
    os.chdir(code)
    import django

    django.setup()
    from django.conf import settings
    from django.middleware.csrf import get_token
    from django.template import engines, loader
    from django.test import Client
    from django.urls import reverse

    import orglife.views.plans as plan_views
    from accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    secretary = User.objects.get(username="secretary")
    url = reverse("orglife:plan_branch", args=[secretary.member.org_id])  # type: ignore[union-attr]
    client = Client()
    assert client.login(username="secretary", password=PASSWORD)

    captured: dict[str, Any] = {}
    real_render = plan_views.render

    def capture(request: Any, template_name: str, context: dict[str, Any]) -> Any:
        captured.update(request=request, template=template_name, context=context)
        return real_render(request, template_name, context)

    plan_views.render = capture  # type: ignore[assignment]
    assert client.get(url).status_code == 200
    plan_views.render = real_render
    request, context = captured["request"], captured["context"]
    context["page"].object_list = list(context["page"].object_list)

    dtl = loader.get_template(captured["template"])
    processors = engines["django"].engine.template_context_processors  # type: ignore[attr-defined]
    env = jinja_environment()
    jinja = env.get_template(captured["template"])

    def render_dtl() -> str:
        return dtl.render(context, request)

    def render_jinja() -> str:
        full: dict[str, Any] = {}
        for processor in processors:
            full.update(processor(request))
        full.update(context)
        token = get_token(request)
        full.update(csrf_token=token, csrf_input=_csrf_input(token))
        return jinja.render(full)

    a, b = _normalize(render_dtl()), _normalize(render_jinja())
    if a != b:
        diff = difflib.unified_diff(a.split("><"), b.split("><"), lineterm="", n=1)
        print("\n".join(list(diff)[:40]))
        raise SystemExit("the Jinja2 translation does not render the same page")
    print(f"outputs equal ({len(a):,} characters after normalizing)")

    def processors_only() -> None:
        for processor in processors:
            processor(request)

    full = {}
    for processor in processors:
        full.update(processor(request))
    full.update(context)
    token = get_token(request)
    full.update(csrf_token=token, csrf_input=_csrf_input(token))

    def jinja_only() -> str:
        return jinja.render(full)

    if os.environ.get("PROTO_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(lambda: [jinja_only() for _ in range(50)])
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return 0
    timings: dict[str, list[float]] = {
        "dtl": [],
        "jinja": [],
        "processors": [],
        "jinja render": [],
        "request": [],
    }
    for _ in range(args.rounds):
        for name, fn in (
            ("dtl", render_dtl),
            ("jinja", render_jinja),
            ("processors", processors_only),
            ("jinja render", jinja_only),
        ):
            start = time.perf_counter()
            for _ in range(args.renders):
                fn()
            timings[name].append((time.perf_counter() - start) / args.renders)
        start = time.perf_counter()
        for _ in range(max(20, args.renders // 5)):
            client.get(url)
        timings["request"].append((time.perf_counter() - start) / max(20, args.renders // 5))
    med = {k: statistics.median(v) * 1e3 for k, v in timings.items()}
    spread = {k: (min(v) * 1e3, max(v) * 1e3) for k, v in timings.items()}
    print(f"{args.rounds} rounds of {args.renders} renders; medians of the round means (min–max), ms")
    print("| render | ms | ratio to DTL |")
    print("|---|---|---|")
    for name in ("dtl", "jinja", "processors", "jinja render"):
        print(
            f"| {name} | {med[name]:.3f} ({spread[name][0]:.3f}–{spread[name][1]:.3f}) | {med[name] / med['dtl']:.2f} |"
        )
    projected = med["request"] - med["dtl"] + med["jinja"]
    print(
        f"whole request (test client, DTL): {med['request']:.2f} ms; with the Jinja2 render: {projected:.2f} ms "
        f"({med['request'] / projected:.2f}x faster)"
    )
    return 0


def _csrf_input(token: str) -> Any:
    from markupsafe import Markup

    return Markup(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')  # noqa: S704


if __name__ == "__main__":
    sys.exit(main())
