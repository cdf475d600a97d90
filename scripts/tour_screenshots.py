"""Screenshots for the README's tour, taken in headless Chromium from a running demo server.

    make run                                   # in another terminal: the county demo on 127.0.0.1:8000
    .venv/bin/python scripts/tour_screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]

Each shot is one viewport (desktop 1280×800, phone 390×844), as a user sees the page on opening it, in the
roles that use it: the department's completion statistics and monthly scores, a branch secretary's records
and an approved record on a phone, a member's points, an observer's branches; then the phone pages of
issue 13 at 390 × 844 and at 1366 × 768: the branch secretary's home, the meeting-record form and the
member's home. Every PNG is written with a 256-colour palette (Pillow), a third of the size or less.
`--only phone-home` takes only those of issue 13; `--full` shoots whole pages instead (to look them over).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DESKTOP = (1280, 800)
PHONE = (390, 844)
LAPTOP = (1366, 768)


def small_png(path: Path) -> None:
    """Rewrite a screenshot with a 256-colour palette: UI text and flat colours survive it."""
    from PIL import Image

    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default=os.environ.get("XIANFENG_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--only", choices=["all", "phone-home"], default="all")
    parser.add_argument("--full", action="store_true", help="whole pages, to look them over")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from browser_tests.conftest import login, wait_until

    def shot(page, name: str) -> None:  # noqa: ANN001
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # ECharts grows its bars for a second: shoot the finished chart
        page.screenshot(path=str(out / f"{name}.png"), full_page=args.full)
        small_png(out / f"{name}.png")
        print(f"  {out / name}.png")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--lang=zh-CN"])

        def session(size: tuple[int, int], username: str):  # noqa: ANN202
            context = browser.new_context(
                viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai"
            )
            page = context.new_page()
            login(page, args.base, username)
            return page

        for size, prefix in ((PHONE, "phone"), (LAPTOP, "laptop")):
            page = session(size, "secretary")
            shot(page, f"{prefix}-secretary-home")
            page.goto(args.base + "/orglife/records/new/")
            shot(page, f"{prefix}-record-form")
            page.context.close()
            page = session(size, "member")
            shot(page, f"{prefix}-member-home")
            page.context.close()
        if args.only == "phone-home":
            browser.close()
            return

        page = session(DESKTOP, "admin_dept")
        page.goto(args.base + "/orglife/stats/")
        wait_until(page, "document.querySelectorAll('canvas').length >= 1")
        shot(page, "desktop-completion")
        page.goto(args.base + "/orglife/scores/")
        shot(page, "desktop-scores")
        page.context.close()

        page = session(PHONE, "secretary")
        page.goto(args.base + "/orglife/records/")
        shot(page, "phone-records")
        page.locator("a[href^='/orglife/records/'][href$='/']").filter(has_text="主题党日").first.click()
        page.wait_for_url("**/orglife/records/*/")
        shot(page, "phone-record-detail")
        page.context.close()

        page = session(PHONE, "member")
        page.goto(args.base + "/points/")
        shot(page, "phone-points")
        page.context.close()

        page = session(PHONE, "observer")
        page.goto(args.base + "/observers/observe/")
        shot(page, "phone-observer")
        page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
