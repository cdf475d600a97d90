"""Benchmark: the 一人一档 PDF against the same member's 一人一档 HTML page, in the same run.

    .venv/bin/python bench/bench_member_pdf.py [--reuse VAR_DIR] [--runs 7]

The data is the tiny demo county (generate_demo --scale tiny, made on first use; --reuse a var dir that has
it): the member with the most ledger entries this year. Both pages are fetched through the Django test
client as the member's own account (same middleware, same access checks), alternating, median of --runs.
The first PDF of the process is timed apart: it is the one that loads the font.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--system-font",
        action="store_true",
        help="use the system's Noto CJK collection (the old way), for comparison",
    )
    args = parser.parse_args()
    with open_database("sqlite", reuse=args.reuse) as where:
        print(f"sqlite: {where}")
        if args.system_font:
            from django.conf import settings

            from points.pdf import FONT_CANDIDATES

            settings.POINTS_PDF_FONT = FONT_CANDIDATES[0]
        run(args.runs)


def run(runs: int) -> None:
    from django.core.management import call_command
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from orgs.models import Member

    if not Member.objects.exists():
        call_command("generate_demo", scale="tiny", seed=7, verbosity=0)
    year = timezone.localdate().year
    member = (
        Member.objects.annotate(n=Count("point_entries", filter=Q(point_entries__occurred_on__year=year)))
        .order_by("-n", "pk")
        .first()
    )
    assert member is not None
    user = User.objects.filter(member=member).first() or User.objects.create(
        username="bench_member", member=member
    )
    User.objects.filter(pk=user.pk).update(must_change_password=False)  # a bench login, never a real account
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    html_url = reverse("points:member_file", args=[member.pk]) + f"?year={year}"
    pdf_url = reverse("points:member_file_pdf", args=[member.pk]) + f"?year={year}"

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))

    def timed(url: str) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        get(url)
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    first = timed(pdf_url)
    html, pdf = [], []
    for _ in range(runs):
        html.append(timed(html_url))
        pdf.append(timed(pdf_url))
    # Wall time, and the process's CPU time (steadier on a shared machine: it leaves out waiting for a core).
    h = [statistics.median(t[i] for t in html) for i in (0, 1)]
    p = [statistics.median(t[i] for t in pdf) for i in (0, 1)]
    print(f"member {member.pk}: {member.n} entries in {year}")
    print(
        table(
            ["what", "median wall ms", "median CPU ms", "ratio to HTML (CPU)"],
            [
                ["一人一档 HTML page", f"{h[0]:.0f}", f"{h[1]:.0f}", "1.00"],
                ["一人一档 PDF", f"{p[0]:.0f}", f"{p[1]:.0f}", f"{p[1] / h[1]:.2f}"],
                ["first PDF of the process", f"{first[0]:.0f}", f"{first[1]:.0f}", f"{first[1] / h[1]:.2f}"],
            ],
        )
    )


if __name__ == "__main__":
    main()
