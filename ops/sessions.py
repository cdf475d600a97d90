"""Database sessions read together with their user, and that let a busy or unreachable database surface as
such (then a 503, ops.dbguard).

The session row carries its user's id (ops.models.Session), so loading a session also loads the user in the
same query; accounts.context.UserContextMiddleware takes that user (after the same checks as Django's
get_user) instead of reading it again, and the user's access context is kept in the session itself. A
logged-in request therefore costs one query before the page's own.

Django's database session store turns any database error on saving an existing session into
UpdateError, which the session middleware reports as "session deleted by a concurrent request"
(HTTP 400). When the real cause is that the database is locked or down, re-raise that instead.

The read is the ORM's own query (`Session.objects.select_related("user").get(...)`), compiled once per
process and database instead of on every request: building and compiling that query cost more than the
rest of a logged-in request's floor together (bench/RESULTS.md). The rows are turned into the session and
its user by the ORM's own converters and populators, exactly as the queryset would.

The session data's signature is verified once per process for each stored string: verifying it (a salted
HMAC key derivation, then the HMAC) cost more per request than the rest of decoding. The cache is keyed
by the exact stored string and holds the bytes Django's own `signing.loads` verified (and decompressed);
each request parses them into fresh objects. A string that fails verification is never cached, so a
tampered or foreign string still reads as an empty session, logged as Django logs it; a new secret key
(a test's `override_settings`) empties the cache.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Subquery
from django.db.models.query import get_related_populators
from django.utils import timezone

from ops.dbguard import is_database_unavailable
from ops.models import Session
from orgs import reference
from orgs.models import ReferenceVersion

_SENTINEL_KEY = "\x00xianfeng-session-key\x00"
_SENTINEL_TIME = datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@dataclass(frozen=True)
class _PreparedRead:
    """The session-with-user query of one database, compiled once."""

    sql: str
    key_first: bool
    compiler: Any
    converters: dict[int, Any]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    token_index: int

    @classmethod
    def build(cls, alias: str) -> _PreparedRead:
        connection = connections[alias]
        queryset = (
            Session.objects.using(alias)
            .select_related("user")
            .filter(session_key=_SENTINEL_KEY, expire_date__gt=_SENTINEL_TIME)
            # The reference data's version (orgs.reference), one row: read here, it costs no query of its own.
            .annotate(reference_token=Subquery(ReferenceVersion.objects.order_by().values("token")[:1]))
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # Where the ORM put the two parameters (the filter's keywords are sorted by name).
        order = [_SENTINEL_KEY, _expire_param(alias, _SENTINEL_TIME)]
        if sorted(map(repr, params)) != sorted(map(repr, order)):  # not what this code fills in: fail loudly
            raise AssertionError(f"unexpected session query parameters {params!r} on {connection.vendor}")
        key_first = params[0] == _SENTINEL_KEY
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[0 : compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return cls(
            sql=sql,
            key_first=key_first,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]  # 5.2 signature
            token_index=compiler.annotation_col_map["reference_token"],
        )

    def fetch(self, alias: str, session_key: str, now: datetime) -> Session | None:
        with connections[alias].cursor() as cursor:
            expire = _expire_param(alias, now)
            cursor.execute(self.sql, [session_key, expire] if self.key_first else [expire, session_key])
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        session = Session.from_db(alias, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, session)
        session.reference_token = row[self.token_index]  # type: ignore[attr-defined]
        return session


_PREPARED: dict[tuple[str, str, str], _PreparedRead] = {}


def _expire_param(alias: str, value: datetime) -> Any:
    return Session._meta.get_field("expire_date").get_db_prep_value(value, connections[alias])


def _prepared(alias: str) -> _PreparedRead:
    connection = connections[alias]
    key = (alias, connection.vendor, connection.settings_dict["NAME"])
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _PreparedRead.build(alias)
    return prepared


class _VerifiedBytes(signing.JSONSerializer):
    """A `signing.loads` serializer that returns the verified, decompressed payload unparsed."""

    def loads(self, data: bytes) -> bytes:  # type: ignore[override]
        return data


@functools.lru_cache(maxsize=4096)
def _verified_payload(session_data: str | bytes, salt: str) -> bytes:
    """The payload of a stored session string whose signature verifies (BadSignature otherwise)."""
    return signing.loads(session_data, salt=salt, serializer=_VerifiedBytes)  # type: ignore[arg-type,no-any-return]


def _keys_changed(setting: str, **kwargs: Any) -> None:
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"):
        _verified_payload.cache_clear()


setting_changed.connect(_keys_changed, dispatch_uid="ops.sessions.keys_changed")


def forget_reference_token(**kwargs: Any) -> None:
    """request_started: no reference token carried over from the thread's previous request."""
    reference.use(None)


class SessionStore(DatabaseSessionStore):
    preloaded_user: Any = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def _get_session_from_db(self) -> Session | None:
        self.preloaded_user = None
        reference.use(None)
        try:
            alias = Session.objects.db
            session = _prepared(alias).fetch(alias, self.session_key or "", timezone.now())
            if session is None:
                raise Session.DoesNotExist
        except (Session.DoesNotExist, SuspiciousOperation) as exc:
            if isinstance(exc, SuspiciousOperation):
                logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            self._session_key = None
            return None
        self.preloaded_user = session.user
        reference.use(session.reference_token)  # type: ignore[attr-defined]
        return session

    def decode(self, session_data: str | bytes) -> dict[str, Any]:
        """Django's decode, with the signature verified once per stored string (see the module's docstring)."""
        try:
            return self.serializer().loads(_verified_payload(session_data, self.key_salt))  # type: ignore[no-any-return]
        except signing.BadSignature:
            logging.getLogger("django.security.SuspiciousSession").warning("Session data corrupted")
        except Exception:  # noqa: BLE001 - as Django: undecodable data is an empty session
            pass
        return {}

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = super().create_model_instance(data)
        assert isinstance(session, Session)
        user_id = data.get(SESSION_KEY)
        try:
            session.user_id = int(user_id) if user_id is not None else None
        except (TypeError, ValueError):
            session.user_id = None
        return session

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if cause is not None and is_database_unavailable(cause):
                raise cause from None
            raise
