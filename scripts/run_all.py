"""`make run`: the task worker and the scheduler in the background, the web server in the foreground.

When the web server exits (Ctrl-C or otherwise), the worker and the scheduler are stopped too.
Usage: python scripts/run_all.py [HOST:PORT]
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
    manage = [sys.executable, str(ROOT / "manage.py")]
    background = [
        subprocess.Popen([*manage, "db_worker", "--no-reload"], cwd=ROOT),
        subprocess.Popen([*manage, "run_scheduler"], cwd=ROOT),
    ]
    print("已启动后台任务进程（db_worker）和定时调度进程（run_scheduler）", flush=True)
    web = subprocess.Popen([*manage, "runserver", host], cwd=ROOT)
    signal.signal(signal.SIGTERM, lambda *_: web.terminate())
    try:
        code = web.wait()
    except KeyboardInterrupt:
        code = web.wait()
    finally:
        for proc in background:
            proc.terminate()
        for proc in background:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
