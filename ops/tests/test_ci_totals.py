"""CI's last line is the sum of every stage, in the plain words CI reads (`N passed, N failed`)."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="{e}" failures="{f}"
 skipped="{s}" tests="{t}" time="1.0"></testsuite></testsuites>"""


def run_totals(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ci_totals.py"), str(folder)], capture_output=True, text=True
    )


def test_the_last_line_sums_every_stage(tmp_path):
    (tmp_path / "1-sqlite.xml").write_text(JUNIT.format(e=0, f=0, s=6, t=1392))
    (tmp_path / "2-postgresql.xml").write_text(JUNIT.format(e=0, f=0, s=5, t=1392))
    (tmp_path / "3-browser.xml").write_text(JUNIT.format(e=0, f=0, s=0, t=8))
    (tmp_path / "4-fuzzing.json").write_text(json.dumps({"passed": 120, "failed": 0}))
    result = run_totals(tmp_path)
    last = result.stdout.strip().splitlines()[-1]
    assert last == "total: 2901 passed, 0 failed, 11 skipped"
    assert re.fullmatch(r"(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?", last)
    assert result.returncode == 0


def test_a_failure_or_an_error_in_any_stage_fails_the_totals(tmp_path):
    (tmp_path / "1-sqlite.xml").write_text(JUNIT.format(e=1, f=2, s=0, t=10))
    (tmp_path / "4-fuzzing.json").write_text(json.dumps({"passed": 3, "failed": 1}))
    result = run_totals(tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "total: 10 passed, 4 failed, 0 skipped"
    assert result.returncode == 1


def test_ci_ends_with_the_totals_not_a_runner_banner():
    script = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert script[-1].startswith(".venv/bin/python scripts/ci_totals.py")
