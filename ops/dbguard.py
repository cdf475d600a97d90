"""A busy or unreachable database answers 503 (系统繁忙，请稍后重试), never 500, and needs no restart.

Django turns an exception raised anywhere in the middleware chain into a 500 response right where it
happens, so catching it in one middleware is not enough. Instead `note_database_failure` (connected to
`got_request_exception`, sent for every uncaught exception) marks the request when the exception is a
database OperationalError or InterfaceError ("database is locked", connection refused, server gone),
and the outermost middleware replaces that request's 500 with the 503 page (JSON for the API).
The 503 page is a standalone template that needs no database. The next request opens a fresh
connection (Django closes broken ones), so service resumes by itself once the database is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("xianfeng.ops")

MESSAGE = "系统繁忙，请稍后重试"
RETRY_AFTER_SECONDS = 5
_FLAG = "_xianfeng_database_unavailable"


def database_error(exc: BaseException | None) -> BaseException | None:
    """The OperationalError or InterfaceError in `exc`'s chain of causes (None: not a database failure)."""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def is_database_unavailable(exc: BaseException | None) -> bool:
    return database_error(exc) is not None


def describe(exc: BaseException | None) -> str:
    """The failure's class, SQLSTATE and first message line (no DETAIL lines: they can quote row values)."""
    error = database_error(exc)
    if error is None:
        return "unknown"
    driver = error.__cause__
    name = type(driver).__name__ if driver is not None else type(error).__name__
    sqlstate = getattr(driver, "sqlstate", None) or ""
    first = (str(error).strip().splitlines() or [""])[0][:120]
    return " ".join(part for part in (name, sqlstate, first) if part)


def note_database_failure(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    exc = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exc):
        setattr(request, _FLAG, describe(exc))  # what went wrong, for the middleware's log line


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": MESSAGE, "code": "database_unavailable"}, status=503)
    else:
        response = HttpResponse(render_to_string("ops/db_unavailable.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Outermost middleware: a request that failed on the database gets the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        why = getattr(request, _FLAG, "")  # set when Django turned a database failure into its 500
        if why and response.status_code >= 500:
            return _unavailable(request, why)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Views (the common case) end here, also with DEBUG on, where Django would show its debug page.
        if is_database_unavailable(exception):
            return _unavailable(request, describe(exception))
        return None


def _unavailable(request: HttpRequest, why: str) -> HttpResponse:
    logger.warning("database unavailable: %s %s answered 503 (%s)", request.method, request.path, why)
    _drop_broken_connections()
    return unavailable_response(request)


def _drop_broken_connections() -> None:
    """Close connections left in a failed state so the next request reconnects from scratch."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue  # a test's wrapping transaction, or a request still inside atomic(): leave it
        try:
            conn.close_if_unusable_or_obsolete()
        except Exception:  # noqa: BLE001 - closing a broken connection may itself fail
            logger.debug("closing a broken connection failed", exc_info=True)
