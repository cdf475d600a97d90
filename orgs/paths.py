"""Tree paths: each organization's `path` is its ancestors' paths plus one step, so a subtree is one
indexed range of paths. Everything that scopes rows by the tree builds its filters here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

# Each level of the path is 4 base-36 digits: 1.6M children per node, 63 levels in 252 chars.
PATH_STEP = 4
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def encode_step(n: int) -> str:
    if not 0 < n < 36**PATH_STEP:
        raise ValueError("child number out of range")
    out = ""
    for _ in range(PATH_STEP):
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
    return out


def path_successor(path: str) -> str | None:
    """The smallest path greater than every path under `path` (None: no upper bound).

    Paths use only 0-9A-Z, so [path, successor) is the subtree under binary and linguistic
    collations alike, and both SQLite and PostgreSQL answer it from the plain index on path.
    """
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        pos = _DIGITS.index(chars[i])
        if pos + 1 < len(_DIGITS):
            chars[i] = _DIGITS[pos + 1]
            return "".join(chars[: i + 1])
    return None


def path_range_q(lo: str, hi: str | None, field: str = "path") -> Q:
    """Q for rows whose path lies in [lo, hi) (hi None: no upper bound), an indexed range."""
    q = Q(**{f"{field}__gte": lo})
    return q & Q(**{f"{field}__lt": hi}) if hi is not None else q


def under_path_q(path: str, field: str = "path") -> Q:
    """Q for rows whose path lies in the subtree rooted at `path` (an indexed range)."""
    return path_range_q(path, path_successor(path), field)


def subtree_q(paths: list[str], field: str = "path") -> Q:
    """Q for rows whose path lies under any of the given paths."""
    q = Q(pk__in=[])
    for p in paths:
        q |= under_path_q(p, field)
    return q


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """The paths in sorted order, without those already covered by an ancestor path in the set."""
    out: list[str] = []
    for p in sorted(set(paths)):
        if not out or not p.startswith(out[-1]):
            out.append(p)
    return out
