"""Owner-only files: what the application writes to disk holds personal data or keys.

Files are created 0600 and folders 0700 whatever the process umask (manage.py and the WSGI entry also
set umask 077, for the files other code creates: SQLite's database, journal and WAL). A file that
already exists with a looser mode is tightened when it is opened for writing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077

_FLAGS = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}


def private_dir(path: Path | str) -> Path:
    """Create the folder and its missing parents as 0700 (existing folders are left as they are)."""
    path = Path(path)
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
            folder.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def open_private(path: Path | str, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """open() for writing ("w", "a" or "x", text or binary) that creates the file 0600, and its folder 0700."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, _FLAGS[mode[0]] | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        with contextlib.suppress(PermissionError):  # a file another user owns keeps its mode
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def touch_private(path: Path | str) -> Path:
    """An owner-only file (empty when new): SQLite keeps that mode and gives it to its journal and WAL."""
    open_private(path, "ab").close()
    return Path(path)
