"""Rarely-changing reference data (the tree's branches and 党小组 a user keeps, the organizational-life rule
sets, the points catalogue's versions and blocks) kept in each process's memory under one shared version.

The version is a random token in the database (`ReferenceVersion`, one row), replaced by `bump()` on every
write of that data (signals for single saves, explicit calls after bulk writes). The session read of every
logged-in request selects the token with the session and its user (ops.sessions) and hands it to `use()`;
`remember(key, load)` then returns this process's copy when it was loaded under the same token, and loads
(and keeps) it otherwise. Every process sees a write on its very next request, since the token lives in the
shared database; a restored backup brings its own token back, and with it data that matches it.

Outside a request with a session (jobs, the API's token logins, shell) no token is known and `remember`
simply loads: nothing is served that was not just read.

This is the access context's mechanism (accounts.context: the user's grants kept in the session under the
user's `access_version`, read with the session) for data shared by every user: one version in the database,
read with the session, so checking it costs no query.
"""

from __future__ import annotations

import pickle
import secrets
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models.signals import post_delete, post_save

from orgs.models import ReferenceVersion

T = TypeVar("T")

_TOKEN: ContextVar[int | None] = ContextVar("xianfeng_reference_token", default=None)
_KEPT: dict[Hashable, tuple[int, bytes]] = {}
# Keys are few (months of rule sets, catalogues, users' branch lists); past this many, start again.
MAX_KEPT = 4096


def bump() -> None:
    """The reference data changed: every process's copy is stale from the next request on, and the rest of
    this request (which read the old token with its session) loads everything."""
    token = secrets.randbits(62)
    if not ReferenceVersion.objects.filter(pk=1).update(token=token):
        ReferenceVersion.objects.update_or_create(pk=1, defaults={"token": token})
    _TOKEN.set(None)


def use(token: int | None) -> None:
    """The token read with this request's session (None: none known, load everything)."""
    _TOKEN.set(token)


def current() -> int | None:
    return _TOKEN.get()


def remember(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s result, from this process's copy when it was loaded under this request's token. Each call
    gets its own copy of the objects, so a page that sets an attribute on one changes no other request's."""
    token = _TOKEN.get()
    if token is None:
        return load()
    kept = _KEPT.get(key)
    if kept is not None and kept[0] == token:
        return pickle.loads(kept[1])  # type: ignore[no-any-return]
    value = load()
    if len(_KEPT) >= MAX_KEPT:
        _KEPT.clear()
    # Kept pickled: a fresh copy per call (a deep copy would drop the querysets' prefetched rows).
    _KEPT[key] = (token, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return value


def forget() -> None:
    """Drop every kept copy (tests)."""
    _KEPT.clear()


def _changed(sender: Any, **kwargs: Any) -> None:
    bump()


def bump_on_change(*models: type[Any]) -> None:
    """Every save and delete of these models bumps the version (bulk writes call `bump()` themselves)."""
    for model in models:
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"orgs.reference.saved.{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"orgs.reference.deleted.{label}")
