"""Print a MATRIX skeleton for accounts/tests/permission_matrix.py from what the URLs answer today.

Runs on a throwaway SQLite database with the tiny demo. For each URL name (without an entry, or all
with --all) it requests the URL as anonymous, outsider, viewer and the first demo account that is not
refused; the printed entries must be reviewed (an outsider's 200 on an object page is a leak) before
they are pasted into the matrix. Usage: python scripts/permission_matrix_skeleton.py [--all]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["XIANFENG_VAR_DIR"] = tempfile.mkdtemp(prefix="xianfeng-matrix-")
os.environ.pop("DATABASE_URL", None)

CANDIDATES = [
    "admin_committee",
    "secretary",
    "admin_dept",
    "member",
    "auditor",
    "patrol",
    "observer",
    "scorekeeper",
    "branch_admin",
    "contact",
    "info_officer",
    "editor",
    "admin",
]
REFUSED = {401, 403, 404, 405}


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.tests import permission_matrix as pm
    from accounts.tests.matrix_support import build_demo, request, reverse_entry, url_patterns

    ctx = build_demo()
    names = [n for n in url_patterns() if not n.startswith(pm.ADMIN_ONLY)]
    if "--all" not in sys.argv:
        names = [n for n in names if n not in pm.MATRIX]
    for name in names:
        try:
            url = reverse_entry(name, pm.KWARGS.get(name, pm.none)(ctx))
        except Exception as exc:  # noqa: BLE001 - reported for the reviewer
            print(f"    # {name!r}: cannot build the URL: {exc}")
            continue
        method = "GET"
        if request(ctx, "admin", "GET", url) == 405:
            method = "POST"
        # the same order as the test: the three refused callers first, then the allowed one
        row = [request(ctx, who, method, url) for who in ("anonymous", "outsider", "viewer")]
        user, allowed = "admin", 0
        for candidate in [c for c in CANDIDATES if c in ctx.users]:
            status = request(ctx, candidate, method, url)
            if status not in REFUSED:
                user, allowed = candidate, status
                break
        if not allowed:
            allowed = request(ctx, "admin", method, url)
        print(f'    "{name}": Entry("{method}", {row[0]}, {row[1]}, {row[2]}, "{user}", {allowed}),')


if __name__ == "__main__":
    main()
