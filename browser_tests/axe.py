"""The axe check (WCAG 2.2 AA) of the pages the browser tests visit.

axe-core is an npm dev dependency (frontend/package.json); `make assets` copies its built axe.min.js to
browser_tests/vendor/ (committed, never served, no CDN). It is injected through the DevTools protocol
(page.evaluate), which the site's Content-Security-Policy does not govern.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = ((390, 844), (1366, 800))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's WCAG 2.2 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))",
        TAGS,
    )
    return list(result)


def describe(url: str, width: int, found: list[dict[str, Any]]) -> str:
    lines = [f"{url} at {width}px:"]
    for v in found:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"]:
            lines.append(
                f"    {n['target']}: {n['summary'].splitlines()[-1].strip() if n['summary'] else ''}"
            )
    return "\n".join(lines)


def check_pages(page: Any, urls: list[str]) -> list[str]:
    """Visit each URL at a phone's and a desktop's width; the descriptions of what axe found."""
    problems = []
    for url in urls:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            page.wait_for_load_state("networkidle")
            found = violations(page)
            if found:
                problems.append(describe(url, width, found))
    return problems
