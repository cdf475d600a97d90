"""Database sessions that let a busy or unreachable database surface as such (then a 503, ops.dbguard).

Django's database session store turns any database error on saving an existing session into
UpdateError, which the session middleware reports as "session deleted by a concurrent request"
(HTTP 400). When the real cause is that the database is locked or down, re-raise that instead.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from ops.dbguard import is_database_unavailable


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if cause is not None and is_database_unavailable(cause):
                raise cause from None
            raise
