"""Benchmark: the phone pages on a throttled 3G connection, in headless Chromium through the DevTools protocol.

    .venv/bin/python bench/bench_phone_3g.py [--reuse VAR_DIR] [--port 18400] [--runs 3]

Lighthouse is not available offline here, so this takes Lighthouse's mobile 3G profile by hand: the
network throttled with CDP `Network.emulateNetworkConditions` (562.5 ms round trip, 1.47 Mbit/s down,
675 kbit/s up: Lighthouse's "mobileSlow3G", DevTools' "Fast 3G") and the CPU slowed 4× with
`Emulation.setCPUThrottlingRate`, at a 390 × 844 viewport. The server is `manage.py runserver --insecure`
with DEBUG off (static files served by Django, uncompressed: nginx with gzip would send fewer bytes) on
the tiny demo county (made on first use in a throwaway var dir; --reuse one that has it and its logins).

Pages: the branch secretary's home, the meeting-record form (at the address its 登记纪实 button opens,
/orglife/records/new/?org=N), the member's home. For each:
- first load: the browser's HTTP cache, the service worker and its caches emptied (the session kept);
- repeat load: the same address again, with the worker installed and the HTTP cache warm;
- daily load: the same address once more: the worker has now seen the page under its control (where the
  page allows it, the worker keeps this login's copy and answers from it while it fetches the fresh page:
  stale-while-revalidate, home/templates/home/sw.js). "fresh ms" is when the fresh page replaced the copy
  (html[data-xf-copy] removed), from the navigation's start; "—" when the page came from the network.
Figures: first contentful paint, largest contentful paint, time to interactive (approximate, as
Lighthouse cannot be run: the later of DOMContentLoaded's end and the end of the last long task, from a
PerformanceObserver installed before the page's scripts), the load event, and the bytes that came over
the network for the page (CDP encodedDataLength of every request not answered by the service worker or
the memory cache; the worker's own install fetches run in another target and are counted apart).
Baseline in the same run, same throttling: a hand-written HTML page of a few hundred bytes with no
assets, served by Python's http.server: the network's floor (one connection, one round trip).
Median of --runs.
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import table  # noqa: E402

PASSWORD = "Xianfeng@2026"
CHROMIUM = os.environ.get("XIANFENG_CHROMIUM", "/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}
# Lighthouse's mobileSlow3G (DevTools "Fast 3G"): 150 ms × 3.75 RTT, 1.6 Mbit/s × 0.9 down, 750 kbit/s × 0.9 up
LATENCY_MS = 562.5
DOWN_BPS = 1.6 * 1024 * 1024 * 0.9 / 8
UP_BPS = 750 * 1024 * 0.9 / 8
CPU_SLOWDOWN = 4
PAGES = [
    ("书记首页（工作台）", "secretary", "/"),
    ("登记纪实表单", "secretary", "/orglife/records/new/"),
    ("党员首页（工作台）", "member", "/"),
]

# Installed before any script of the page: long tasks, and the largest contentful paint as it grows.
OBSERVE = """
window.__long = []; window.__lcp = 0; window.__fresh = null;
new MutationObserver((records) => records.forEach((r) => {
  if (window.__fresh === null && r.target === document.documentElement && r.oldValue !== null &&
      !document.documentElement.hasAttribute('data-xf-copy')) window.__fresh = performance.now();
})).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-xf-copy'], attributeOldValue: true});
try {
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.startTime + e.duration)))
    .observe({type: 'longtask', buffered: true});
  new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__lcp = e.startTime; }))
    .observe({type: 'largest-contentful-paint', buffered: true});
} catch (e) {}
"""
METRICS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const dcl = nav.domContentLoadedEventEnd;
  return {
    fcp: fcp ? fcp.startTime : null,
    lcp: window.__lcp || (fcp ? fcp.startTime : null),
    tti: Math.max(dcl, ...window.__long),
    load: nav.loadEventEnd,
    fresh: window.__fresh,
  };
}"""

BASELINE_HTML = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>基线</title></head>'
    "<body><h1>先锋智慧党建</h1><p>一页手写的 HTML，没有样式表和脚本：网络的下限。</p></body></html>"
).encode()


class _Baseline(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(BASELINE_HTML)))
        self.end_headers()
        self.wfile.write(BASELINE_HTML)

    def log_message(self, *args: Any) -> None:
        pass


class Link:
    """A 3G link between the browser and a server: a TCP proxy that delays every chunk by half the round trip
    and paces each direction at its bandwidth (shared by all connections, as on one radio link), and counts
    the bytes it carries. It carries the service worker's fetches too, which DevTools' per-page network
    emulation neither throttles nor reports to the page."""

    def __init__(self, listen: int, target: int) -> None:
        self.listen, self.target = listen, target
        self.down = 0  # bytes server → browser
        self._free = {"down": 0.0, "up": 0.0}
        self._lock = threading.Lock()
        self.last = time.monotonic()

    def start(self) -> None:
        import asyncio

        self.loop = asyncio.new_event_loop()

        async def serve() -> None:
            server = await asyncio.start_server(self._client, "127.0.0.1", self.listen)
            async with server:
                await server.serve_forever()

        threading.Thread(target=lambda: self.loop.run_until_complete(serve()), daemon=True).start()
        time.sleep(0.3)

    async def _client(self, reader: Any, writer: Any) -> None:
        import asyncio

        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pump(reader, up_writer, "up", UP_BPS), self._pump(up_reader, writer, "down", DOWN_BPS)
        )

    async def _pump(self, reader: Any, writer: Any, direction: str, rate: float) -> None:
        """Read as fast as the peer sends; hand each chunk on when the link has carried it and half the
        round trip has passed (chunks are pipelined: the delay is per trip, not per chunk)."""
        import asyncio

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def read() -> None:
            try:
                while data := await reader.read(16384):
                    with self._lock:
                        self._free[direction] = max(loop.time(), self._free[direction]) + len(data) / rate
                        due = self._free[direction] + LATENCY_MS / 2000
                        if direction == "down":
                            self.down += len(data)
                            self.last = time.monotonic()
                    queue.put_nowait((due, data))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait((0.0, b""))

        async def write() -> None:
            try:
                while True:
                    due, data = await queue.get()
                    if not data:
                        break
                    if (delay := due - loop.time()) > 0:
                        await asyncio.sleep(delay)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        await asyncio.gather(read(), write())


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(var_dir: str, port: int, fresh: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "XIANFENG_VAR_DIR": var_dir,
        "XIANFENG_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    if fresh:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "generate_demo", "--scale", "tiny", "--seed", "7")
        _manage(env, "demo_logins")
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            "--noreload",
            "--insecure",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.3)


def login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "/accounts/" not in page.url, page.url  # a demo login with no second factor and no forced change


def slow_cpu(cdp: Any, rate: float) -> None:
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def measure(page: Any, link: Link, url: str) -> dict[str, float]:
    """One navigation: the paint and load figures, and the bytes the link carried down until it was quiet
    for a second after the load event (the service worker's install fetches included, and its fetch of
    the fresh page behind a copy)."""
    page.goto("about:blank")
    link.down = 0
    page.goto(url, wait_until="load")
    deadline = time.monotonic() + 30
    while time.monotonic() - link.last < 1.0 and time.monotonic() < deadline:
        time.sleep(0.1)
    # a copy on screen: wait (up to 30 s) until the fresh page has replaced it
    while (
        page.evaluate("document.documentElement.hasAttribute('data-xf-copy')") and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    figures = page.evaluate(METRICS)
    figures["bytes"] = link.down
    return figures


def run_page(
    browser: Any, base: str, link: Link, username: str, path: str, runs: int
) -> tuple[list, list, list]:
    first, repeat, daily = [], [], []
    for _ in range(runs):
        context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.add_init_script(OBSERVE)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        login(page, base, username)
        # The address the phone opens: the form's own (?org=, as the secretary's home links it), not the
        # bare /orglife/records/new/ that redirects there (one more round trip no user takes).
        page.goto(base + path)
        url = page.url
        page.goto("about:blank")
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        cdp.send(
            "Storage.clearDataForOrigin", {"origin": base, "storageTypes": "service_workers,cache_storage"}
        )
        slow_cpu(cdp, CPU_SLOWDOWN)
        first.append(measure(page, link, url))
        # installed and the shell cached (its ~600 KB come over the same slow link)
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)", timeout=180_000)
        repeat.append(measure(page, link, url))
        daily.append(measure(page, link, url))
        context.close()
    return first, repeat, daily


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", default=None, help="a var dir with the tiny demo and demo_logins run")
    parser.add_argument("--port", type=int, default=18400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    var_dir = args.reuse or tempfile.mkdtemp(prefix="xianfeng-3g-")
    # the browser talks to the links (ports P and P+1); behind them the app (P+2) and the baseline (P+3)
    server = start_server(var_dir, args.port + 2, fresh=not args.reuse)
    baseline = http.server.ThreadingHTTPServer(("127.0.0.1", args.port + 3), _Baseline)
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    link, floor_link = Link(args.port, args.port + 2), Link(args.port + 1, args.port + 3)
    link.start()
    floor_link.start()
    base = f"http://127.0.0.1:{args.port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN", "--disable-quic"],
            )
            results = []
            floor = []  # the baseline: a fresh context each run, over the same kind of link
            for _ in range(args.runs):
                context = browser.new_context(viewport=PHONE)
                context.add_init_script(OBSERVE)
                page = context.new_page()
                slow_cpu(context.new_cdp_session(page), CPU_SLOWDOWN)
                floor.append(measure(page, floor_link, f"http://127.0.0.1:{args.port + 1}/"))
                context.close()
            for label, username, path in PAGES:
                results.append((label, *run_page(browser, base, link, username, path, args.runs)))
            browser.close()
    finally:
        baseline.shutdown()
        server.terminate()
        server.wait(10)
    f_fcp = med(floor, "fcp")
    rows = [
        [
            "手写基线页（无资源）",
            "—",
            f"{f_fcp:.0f}",
            f"{med(floor, 'lcp'):.0f}",
            f"{med(floor, 'tti'):.0f}",
            f"{med(floor, 'load'):.0f}",
            f"{med(floor, 'bytes') / 1024:.1f}",
            "1.00",
            "—",
        ]
    ]
    for label, first, repeat, daily in results:
        for kind, data in (("首次", first), ("再次", repeat), ("日常（第三次）", daily)):
            fresh = [r["fresh"] for r in data if r["fresh"] is not None]
            rows.append(
                [
                    label,
                    kind,
                    f"{med(data, 'fcp'):.0f}",
                    f"{med(data, 'lcp'):.0f}",
                    f"{med(data, 'tti'):.0f}",
                    f"{med(data, 'load'):.0f}",
                    f"{med(data, 'bytes') / 1024:.1f}",
                    f"{med(data, 'fcp') / f_fcp:.2f}",
                    f"{statistics.median(fresh):.0f} ({len(fresh)}/{len(data)})" if fresh else "—",
                ]
            )
    print(
        f"3G: RTT {LATENCY_MS} ms, {DOWN_BPS * 8 / 1e6:.2f} Mbit/s down, CPU ×{CPU_SLOWDOWN}; median of {args.runs}"
    )
    print(
        table(
            ["页面", "加载", "FCP ms", "LCP ms", "TTI≈ ms", "load ms", "传输 KB", "FCP / 基线", "fresh ms"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
