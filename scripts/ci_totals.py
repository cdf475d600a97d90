"""Add up what every CI stage ran and print it as the run's last line: `total: N passed, N failed, N skipped`.

Each pytest stage writes a JUnit XML report (--junitxml) and the API fuzzing writes a small JSON count
(scripts/fuzz_api.py --counts); this reads every file in the folder given and sums them. CI reads the
last test-runner line of the log, so the run must not end on a fuzzing banner.
Usage: python scripts/ci_totals.py DIR
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def junit_counts(path: Path) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def main(folder: str) -> int:
    passed = failed = skipped = 0
    for path in sorted(Path(folder).iterdir()):
        if path.suffix == ".xml":
            p, f, s = junit_counts(path)
        elif path.suffix == ".json":
            counts = json.loads(path.read_text())
            p, f, s = counts["passed"], counts["failed"], counts.get("skipped", 0)
        else:
            continue
        print(f"  {path.stem}: {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
