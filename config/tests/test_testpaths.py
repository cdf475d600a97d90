"""Every app's tests are collected by a plain `pytest` (make test and CI run it without paths)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_tests_folder_is_in_testpaths():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {
        path.parent.name for path in ROOT.glob("*/tests") if path.is_dir() and any(path.glob("test_*.py"))
    }
    with_tests |= {path.parent.name for path in ROOT.glob("*/test_*.py")}
    assert with_tests - testpaths == set(), "apps whose tests a plain pytest run would skip"
