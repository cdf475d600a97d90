"""Rate limits (等保三级 入侵防范): login, password change, manual SMS sends, exports, unmasking and
member searches by a full ID number or phone.

Fixed-window counters in Django's cache: the database table `xianfeng_cache` on the default install,
Redis in production (settings.CACHES, XIANFENG_REDIS_URL). Each limited request counts against its
scope twice, once per user (or submitted username / API token) and once per client IP (with a larger
allowance); over either limit the request is refused with 429 and a Chinese message (a page, or JSON under /api/).

The limited endpoints are listed in RULES by URL name, so views stay unaware of the limiter and the
test suite can check that every export URL is covered.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import ParseError

import personal
from audit.middleware import client_ip
from orgs import api_parsers

MESSAGE = "操作过于频繁，请稍后再试。"


@dataclass(frozen=True)
class Rule:
    scope: str
    methods: frozenset[str] = frozenset({"GET", "POST"})
    query: dict[str, str] = field(default_factory=dict)  # only when these GET parameters match
    when: Callable[[HttpRequest], bool] | None = None  # only when this says so

    def applies(self, request: HttpRequest) -> bool:
        if request.method not in self.methods:
            return False
        if self.when is not None and not self.when(request):
            return False
        return all(request.GET.get(k) == v for k, v in self.query.items())


def number_search(request: HttpRequest) -> bool:
    """A member list asked for by a full ID number or phone (q=), or by its keyed hash (qk=)."""
    if request.GET.get("qk", "").strip():
        return True
    return personal.number_search_kind(request.GET.get("q", "")) is not None


POST = frozenset({"POST"})
EXPORT = Rule("export")
XLSX = Rule("export", query={"format": "xlsx"})
# Counted whether or not the caller may search by number (an API token is known only inside the view).
NUMBER_SEARCH = Rule("number_search", frozenset({"GET"}), when=number_search)

# URL name → rule. Every export (any URL whose route mentions export, .xlsx or .pdf) must be here:
# accounts/tests/test_rate_limits.py fails otherwise.
RULES: dict[str, Rule] = {
    "accounts:login": Rule("login", POST),
    "api-token": Rule("login", POST),
    "accounts:password_change": Rule("password", POST),
    "quizzes:export": EXPORT,
    "learning:book_export": EXPORT,
    "notifications:outbox_retry": Rule("sms", POST),
    "orgs:member_unmask": Rule("unmask", POST),
    "api-member-unmask": Rule("unmask", POST),
    "orgs:member_list": NUMBER_SEARCH,
    "api-member-list": NUMBER_SEARCH,
    "orgs:member_export": EXPORT,
    "orgs:county_export": Rule("export", POST),  # the form is a GET; the sealed archive is its POST
    "orglife:plan_board_export": EXPORT,
    "orglife:stats_ledger_export": EXPORT,
    "points:member_file_pdf": EXPORT,
    "points:interviews": XLSX,
    "points:commendations": XLSX,
    "observers:assessment_allowance_export": EXPORT,
    "observers:observer_export": EXPORT,
    "observers:observer_letter_pdf": EXPORT,
    "observers:observer_card_pdf": EXPORT,
    "accounts:provision_slips_pdf": EXPORT,
    "accounts:user_reset_password": Rule("sms", POST),
    "accounts:user_list": NUMBER_SEARCH,
    "bulletins:issue_pdf": EXPORT,
    "bulletins:issue_docx": EXPORT,
    "bulletins:ranking_export": EXPORT,
    "development:person_export": EXPORT,
    "development:dossier_pdf": EXPORT,
}
# Downloads that carry no personal data (a blank import template).
NOT_EXPORTS = {"orgs:member_import_template", "orgs:position_import_template", "orgs:onboarding_template"}


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/300' → (20 requests, 300 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def hit(scope: str, idents: list[str]) -> int:
    """Count one request against every identity; 0 if allowed, else the seconds until the window ends.

    The limit applies per user; a client IP (one office behind NAT may hold many users) gets
    settings.RATE_LIMIT_IP_FACTOR times as much.
    """
    limit, period = parse_rate(settings.RATE_LIMITS[scope])
    cache = caches["default"]
    now = time.time()
    window = int(now // period)
    retry_after = 0
    for ident in idents:
        allowed = limit * settings.RATE_LIMIT_IP_FACTOR if ident.startswith("ip:") else limit
        key = f"rl:{scope}:{window}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"
        if cache.add(key, 1, timeout=period + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period + 1)
                count = 1
        if count > allowed:
            retry_after = max(retry_after, int((window + 1) * period - now) + 1)
    return retry_after


def identities(request: HttpRequest, scope: str) -> list[str]:
    """Who the request counts against: the client IP and the user (or login name / API token).

    Logins count per name only: counting every login from an address would shut out a whole office
    behind one NAT; the login service throttles an address's failures instead (services.is_throttled).
    """
    idents = [] if scope == "login" else [f"ip:{client_ip(request) or '-'}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        idents.append(f"user:{user.pk}")
    elif scope == "login" and request.method == "POST":
        name = request.POST.get("username", "")
        if not name and request.content_type == "application/json":
            try:
                name = str(api_parsers.loads(request.body.decode() or "{}").get("username", ""))
            except (ParseError, UnicodeDecodeError, AttributeError):
                name = ""  # the view's parser answers the bad body with a 400
        if name:
            idents.append(f"name:{name.strip().lower()}")
    elif auth := request.META.get("HTTP_AUTHORIZATION", ""):
        idents.append(f"token:{auth}")
    return idents


def refused(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, (retry_after + 59) // 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE, "retry_after": retry_after}, status=429)
    else:
        # htmx fragments (e.g. the unmask form) get the alert alone; static/js/xianfeng.js swaps 429s in.
        template = "partials/too_many.html" if request.headers.get("HX-Request") else "429.html"
        response = render(request, template, {"message": MESSAGE, "minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        rule = RULES.get(match.view_name) if match is not None else None
        if rule is None or not rule.applies(request):
            return None
        retry_after = hit(rule.scope, identities(request, rule.scope))
        return refused(request, retry_after) if retry_after else None
