"""Processes that start together on a fresh var dir (a worker, a scheduler, a test's writers) share one dev key.

The key file was created empty and written after, so a process starting in between read an empty key, and
the audit chain written by four processes at once came out "broken" at its first row.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = "from django.conf import settings; print(settings.PII_KEY, settings.SECRET_KEY)"


def test_processes_starting_together_read_one_complete_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("XIANFENG_PII_KEY", "XIANFENG_SECRET_KEY")}
    env.update(XIANFENG_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    procs = [
        subprocess.Popen([sys.executable, "-c", READ], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(16)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(keys) == 1
    pii, secret = keys.pop().split()
    assert len(pii) == 32 and len(secret) == 64
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".dev")) == []  # no drafts left
    assert (tmp_path / "dev-pii-key").stat().st_mode & 0o777 == 0o600
