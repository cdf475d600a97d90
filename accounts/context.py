"""The logged-in user's access context, loaded once and kept in the session under a version.

What every page asks about the user — the role grants (and so the scope paths and roles orgs.access
derives from them), the model permissions, whether the user is an observer — is read from the database
once, stored in the session with the user's `access_version`, and put back on the user object on every
later request. The version is bumped (signals below, `bump_access_version` for bulk writes) whenever a
grant, a permission or the account changes, and the session is read together with the user row
(ops.sessions), so a stale context is noticed on the very next request and rebuilt.

orgs.access sits below this app and never imports it: it reads what is put on the user object
(`user._grants`, and Django's own `_perm_cache` for the permissions), exactly as it reads its own
per-request cache.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import Group
from django.core.signals import setting_changed
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from orgs.access import grants
from orgs.models import RoleGrant

CONTEXT_KEY = "_xf_access"
# The reverse one-to-one from observers.Observer.user (observers sits above; named, not imported).
OBSERVER_FIELD = "observer"


def bump_access_version(user_ids: Iterable[Any]) -> None:
    """Every cached context of these users is stale: call after bulk writes that bypass the signals."""
    ids = {pk for pk in user_ids if pk is not None}
    if ids:
        User.objects.filter(pk__in=ids).update(access_version=F("access_version") + 1)


def build_context(user: Any) -> dict[str, Any]:
    """Read the user's access context from the database (grants, permissions, observer status)."""
    for attr in ("_grants", "_role_paths", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if attr in vars(user):
            delattr(user, attr)
    context: dict[str, Any] = {
        "uid": user.pk,
        "v": user.access_version,
        "grants": [list(g) for g in grants(user)],
        "observer": hasattr(user, OBSERVER_FIELD),
    }
    if not user.is_superuser:  # a superuser's permissions are all of them, answered without a look-up
        user.get_all_permissions()
        context["perms"] = {
            "user": sorted(user._user_perm_cache),
            "group": sorted(user._group_perm_cache),
        }
    return context


def apply_context(user: Any, context: dict[str, Any]) -> None:
    """Put a context back on the user object, where orgs.access and Django's permission checks read it."""
    user._grants = [(role, path) for role, path in context["grants"]]
    perms = context.get("perms")
    if perms is not None:
        user._user_perm_cache = set(perms["user"])
        user._group_perm_cache = set(perms["group"])
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
    if not context["observer"]:
        # The reverse one-to-one cached as absent: `user.observer` answers "none" without a query.
        user._state.fields_cache[OBSERVER_FIELD] = None
    user.access_context = context


def context_for(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The session's context for this user, rebuilt (and stored) when missing or of another version."""
    context: dict[str, Any] | None = request.session.get(CONTEXT_KEY)
    if context is None or context.get("uid") != user.pk or context.get("v") != user.access_version:
        context = build_context(user)
        request.session[CONTEXT_KEY] = context
    return context


@functools.lru_cache(maxsize=4096)
def _session_auth_hash(password: str) -> str:
    """Django's session auth hash for a stored password hash (an HMAC of it under the secret key): the
    same for every request of the user until the password or the key changes, so computed once."""
    return User(password=password).get_session_auth_hash()


def _secret_changed(setting: str, **kwargs: Any) -> None:
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        _session_auth_hash.cache_clear()


setting_changed.connect(_secret_changed, dispatch_uid="accounts.context.secret_changed")


def _preloaded_user(request: HttpRequest) -> Any | None:
    """The user the session store read with the session row (ops.sessions), when it verifies exactly as
    django.contrib.auth.get_user would verify it; None sends the request through get_user itself."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])  # type: ignore[union-attr]
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValueError):
        return None
    user = getattr(session, "preloaded_user", None)
    if (
        user is None
        or user.pk != user_id
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or backend_path != "django.contrib.auth.backends.ModelBackend"
        or not user.is_active
    ):
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, _session_auth_hash(user.password)):
        return None  # get_user tries the fallback secrets, or flushes the session
    return user


def _get_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        user = _preloaded_user(request) or django_get_user(request)
        if user.is_authenticated:
            apply_context(user, context_for(request, user))
        request._cached_user = user  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class UserContextMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the user taken from the session read (no second query)
    and the access context put on it from the session (no grant, permission or observer queries)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))  # type: ignore[assignment]


# What bumps the version.


def _grant_changed(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
    bump_access_version([instance.user_id])


def _permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):  # user.user_permissions / user.groups changed
        bump_access_version([instance.pk])
        instance.access_version += 1
    elif isinstance(instance, Group):
        if sender is User.groups.through:  # group.user_set changed
            bump_access_version(pk_set or [])
        else:  # group.permissions changed: every member of the group
            bump_access_version(User.objects.filter(groups=instance).values_list("pk", flat=True))
    else:  # permission.user_set / permission.group_set changed
        if sender is User.user_permissions.through:
            bump_access_version(pk_set or [])
        else:
            bump_access_version(User.objects.filter(groups__in=pk_set or []).values_list("pk", flat=True))


def connect_signals() -> None:
    post_save.connect(_grant_changed, sender=RoleGrant, dispatch_uid="accounts.context.grant_saved")
    post_delete.connect(_grant_changed, sender=RoleGrant, dispatch_uid="accounts.context.grant_deleted")
    for through in (User.user_permissions.through, User.groups.through, Group.permissions.through):
        m2m_changed.connect(
            _permissions_changed, sender=through, dispatch_uid=f"accounts.context.{through.__name__}"
        )
