"""Fuzz the REST API with schemathesis against its own OpenAPI schema (等保三级 入侵防范; run by .ci/run).

1. Starts the app (manage.py runserver) on a throwaway SQLite database with the tiny demo, like the
   browser tests, and makes an API token for a scoped account (admin_committee, 县直机关工委).
2. Scope check: every list endpoint of the schema is read page by page; no object may belong to an
   organization outside the account's subtree (fields org/org_id/branch/parent by id, path/org_path by
   prefix).
3. schemathesis: not_a_server_error, response_schema_conformance and status_code_conformance on every
   operation, a bounded number of examples each, within a time budget (the whole run stays under ~5 min).
Exit status 0 only when both parts pass: no server error at all, and no schema or status-code failure
outside KNOWN (failures found by the first runs, left to the owning modules; remove a line once fixed).
With --counts FILE it also writes {"passed": N, "failed": N} there for CI's totals line: one count per list
endpoint of the scope check and one per API operation of schemathesis (an operation with any failing check
fails), and prints the same counts as its last line.
Usage: python scripts/fuzz_api.py [--examples N] [--max-time S] [--counts FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
USER = "admin_committee"
ORG_ID_FIELDS = ("org", "org_id", "branch", "branch_id", "organization", "parent")
ORG_PATH_FIELDS = ("path", "org_path")
# Lists whose objects a node above publishes for its whole subtree (a county's question bank and its quiz
# campaigns): an object of an ancestor of the account's node is shared down, not a leak. Filled with the
# ancestors' ids at start.
SHARED_DOWN = ("/api/v1/quizzes/questions/", "/api/v1/quizzes/campaigns/")
ANCESTOR_IDS: set[int] = set()
# (operation, check) failures accepted for now: the response schemas of these operations do not match the
# serializers yet (reported to their owners). Anything else, and any server error, fails the run.
KNOWN: set[tuple[str, str]] = set()
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(var_dir: str) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    env = {**os.environ, "XIANFENG_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    for scope in ("LOGIN", "PASSWORD", "SMS", "EXPORT", "UNMASK"):  # the fuzzer repeats calls on purpose
        env[f"XIANFENG_RATE_{scope}"] = "1000000/60"
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["generate_demo", "--scale", "tiny", "--seed", "7"],
        ["demo_logins"],
    ):
        subprocess.run(manage + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)
            return server, base, env
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.3)


def call(base: str, path: str, token: str | None = None, data: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(base + path, data=json.dumps(data).encode() if data is not None else None)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def scope_and_token(env: dict[str, str]) -> tuple[str, set[int], str]:
    """The account's subtree and an API token, from the server's database by a separate Django process.

    The token is made directly: administrators need a TOTP code at /auth/token/ (the endpoint itself
    is fuzzed like any other).
    """
    code = (
        "import django, json; django.setup()\n"
        "from accounts.models import User; from orgs.models import Organization, RoleGrant\n"
        "from accounts import tokens\n"
        f"token = tokens.issue(user=User.objects.get(username={USER!r}))[1]\n"
        f"paths = [g.org.path for g in RoleGrant.objects.filter(user__username={USER!r})]\n"
        "assert len(paths) == 1\n"
        "ids = list(Organization.objects.filter(path__startswith=paths[0]).values_list('pk', flat=True))\n"
        "above = [o.pk for o in Organization.objects.all() if paths[0].startswith(o.path) and o.path != paths[0]]\n"
        "print(json.dumps([paths[0], ids, token, above]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    path, ids, token, above = json.loads(out.stdout.strip().splitlines()[-1])
    ANCESTOR_IDS.update(above)
    return path, set(ids), token


def check_scope(
    base: str, token: str, schema: dict[str, Any], scope_path: str, scope_ids: set[int]
) -> tuple[list[str], int, int]:
    """Problems found, and how many list endpoints passed and failed (an endpoint fails once, whatever it found)."""
    problems: list[str] = []
    lists = [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]
    for path in lists:
        url, pages = path, 0
        while url and pages < 50:
            try:
                body = call(base, url, token)
            except urllib.error.HTTPError as exc:
                if exc.code not in (400, 403, 404):  # 404: e.g. observer-only lists for a non-observer
                    problems.append(f"GET {url}: {exc.code}")
                break
            items = body.get("results", body) if isinstance(body, dict) else body
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                for field in ORG_ID_FIELDS:
                    value = item.get(field)
                    if (
                        isinstance(value, int)
                        and value not in scope_ids
                        and not (field == "parent" and path.endswith("organizations/"))
                        and not (path in SHARED_DOWN and value in ANCESTOR_IDS)
                    ):
                        problems.append(f"GET {path}: {field}={value} is outside {USER}'s scope: {item}")
                for field in ORG_PATH_FIELDS:
                    value = item.get(field)
                    if isinstance(value, str) and not value.startswith(scope_path):
                        problems.append(f"GET {path}: {field}={value} is outside {USER}'s scope")
            nxt = body.get("next") if isinstance(body, dict) else None
            url = nxt.replace(base, "") if nxt else None
            pages += 1
    print(f"scope check: {len(lists)} list endpoints read, {len(problems)} problems")
    failing = {path for path in lists if any(p.startswith(f"GET {path}") for p in problems)}
    return problems, len(lists) - len(failing), len(failing)


def parse_failures(output: str) -> set[tuple[str, str]]:
    """(operation, check code) for each failure in schemathesis' report."""
    failures: set[tuple[str, str]] = set()
    operation = ""
    for line in output.splitlines():
        m = re.match(r"^_+ (GET|POST|PUT|PATCH|DELETE) (\S+) _+$", line.strip())
        if m:
            operation = f"{m.group(1)} {m.group(2)}"
            continue
        if line.strip().startswith("_") and "Stateful" in line:
            operation = "stateful"
        m = re.match(r"^- (ST\d+) ", line.strip())
        if m and operation:
            failures.add((operation, m.group(1)))
    return failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=int(os.environ.get("XIANFENG_FUZZ_EXAMPLES", "8")))
    parser.add_argument("--max-time", type=int, default=int(os.environ.get("XIANFENG_FUZZ_SECONDS", "200")))
    parser.add_argument("--counts", type=Path, help="write the pass/fail counts here as JSON")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="xianfeng-fuzz-")
    server, base, env = start_server(var_dir)
    try:
        scope_path, scope_ids, token = scope_and_token(env)
        schema = call(base, "/api/schema/?format=json", token)
        schema_file = Path(var_dir) / "openapi.json"
        schema_file.write_text(json.dumps(schema))
        problems, lists_passed, lists_failed = check_scope(base, token, schema, scope_path, scope_ids)
        for p in problems:
            print("  " + p)
        result = subprocess.run(  # output is parsed below
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                str(schema_file),
                "--url",
                base,
                "-H",
                f"Authorization: Token {token}",
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance",
                "--max-examples",
                str(args.examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                "2026",
                "--request-timeout",
                "30",
                "--suppress-health-check",
                "all",
                "--no-color",
            ],
            cwd=var_dir,
            capture_output=True,
            text=True,  # its .schemathesis/ cache stays in the temp dir
        )
        print(result.stdout[-20000:], result.stderr[-5000:])
        failures = parse_failures(result.stdout)
        new = sorted(f for f in failures if f[1] == "ST101" or f not in KNOWN)
        print(f"schemathesis: {len(failures)} failing (operation, check) pairs, {len(new)} not accepted:")
        for operation, check in new:
            print(f"  {operation}: {check}")
        crashed = bool(result.returncode and not failures)  # schemathesis failed without reporting a check
        operations = {
            f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops if m in HTTP_METHODS
        }
        failing_ops = {op for op, _ in new} | ({"schemathesis run"} if crashed else set())
        passed = len(operations - failing_ops) + lists_passed
        failed = len(failing_ops) + lists_failed
        if args.counts:
            args.counts.write_text(json.dumps({"passed": passed, "failed": failed}))
        print(f"fuzzing: {passed} passed, {failed} failed")
        return 1 if problems or new or crashed else 0
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
