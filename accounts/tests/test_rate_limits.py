"""Rate limits on login, password change, manual SMS sends, exports, unmasking and full-number searches
(accounts/ratelimit.py).

Every test runs on the default install's database cache and again on Redis (127.0.0.1:6379) when it is
reachable; under XIANFENG_TEST_REDIS=1 (set by .ci/run) an unreachable Redis is a failure, not a skip.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import ratelimit
from conftest import PASSWORD

REDIS_URL = os.environ.get("XIANFENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False
    return True


@pytest.fixture(params=["database", "redis"], autouse=True)
def backend(request: Any, settings: Any) -> Iterator[str]:
    settings.RATE_LIMITS = {
        "login": "3/60",
        "password": "2/60",
        "sms": "2/60",
        "export": "2/60",
        "unmask": "2/60",
        "number_search": "2/60",
    }
    settings.RATE_LIMIT_IP_FACTOR = 2
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("XIANFENG_TEST_REDIS") == "1":
                pytest.fail(f"Redis at {REDIS_URL} is unreachable; XIANFENG_TEST_REDIS=1 requires it")
            pytest.skip(f"Redis at {REDIS_URL} is unreachable")
        prefix = f"xftest-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
        yield "redis"
        client = caches["default"]._cache.get_client(write=True)  # type: ignore[attr-defined]
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "xianfeng_cache",
            }
        }
        yield "database"


def login(client: Client, username: str, password: str = "Wrong#Pass1") -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_fourth_login_attempt_within_the_window_is_refused_with_a_chinese_page(cast: Any) -> None:
    client = Client(REMOTE_ADDR="10.7.0.1")
    assert [login(client, "secretary").status_code for _ in range(3)] == [200, 200, 200]
    response = login(client, "secretary", PASSWORD)
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 61


def test_the_login_limit_follows_the_user_name_across_addresses(cast: Any) -> None:
    for i in range(3):
        login(Client(REMOTE_ADDR=f"10.7.1.{i}"), "secretary")
    assert login(Client(REMOTE_ADDR="10.7.1.99"), "secretary", PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="10.7.1.99"), "viewer", PASSWORD).status_code == 302


def test_logins_are_not_counted_per_address(cast: Any) -> None:
    # One office behind NAT: many names from one address; the login service throttles failures instead.
    client = Client(REMOTE_ADDR="10.7.2.1")
    statuses = [login(client, f"user{i}").status_code for i in range(7)]
    assert statuses == [200] * 7
    assert login(client, "secretary", PASSWORD).status_code == 302


def test_other_scopes_still_count_per_address(cast: Any) -> None:
    assert ratelimit.identities(RequestFactory().post("/", REMOTE_ADDR="10.7.2.2"), "sms") == ["ip:10.7.2.2"]


def test_the_window_passes_and_login_is_allowed_again(cast: Any) -> None:
    client = Client(REMOTE_ADDR="10.7.3.1")
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(3):
            login(client, "secretary")
        assert login(client, "secretary", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(seconds=61))
        assert login(client, "secretary", PASSWORD).status_code == 302


def test_the_api_token_endpoint_answers_429_in_json(cast: Any) -> None:
    client = Client(REMOTE_ADDR="10.7.4.1")
    url = reverse("api-token")
    for _ in range(3):
        client.post(
            url, {"username": "secretary", "password": "Wrong#Pass1"}, content_type="application/json"
        )
    response = client.post(
        url, {"username": "secretary", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["detail"] == ratelimit.MESSAGE


def test_exports_are_limited_per_user(cast: Any) -> None:
    client = cast.client(cast.committee_admin)
    url = reverse("orgs:member_export")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert "操作过于频繁" in client.get(url).content.decode()
    other = cast.client(cast.dept_admin)
    other.defaults["REMOTE_ADDR"] = "10.7.5.2"
    assert other.get(url).status_code == 200


def test_a_points_list_counts_as_an_export_only_when_downloaded(cast: Any) -> None:
    client = cast.client(cast.committee_admin)
    url = reverse("points:interviews")
    assert [client.get(url).status_code for _ in range(4)] == [200] * 4
    assert [client.get(url, {"format": "xlsx"}).status_code for _ in range(3)] == [200, 200, 429]


def test_unmasking_is_limited_on_the_page_and_in_the_api(cast: Any) -> None:
    client = cast.client(cast.dept_admin)
    page = reverse("orgs:member_unmask", args=[cast.member_a1.pk])
    reason = {"reason": "核对党费收缴信息"}
    assert client.get(page).status_code == 200  # the reason form is not counted
    assert [client.post(page, reason).status_code for _ in range(2)] == [200, 200]
    fragment = client.post(page, reason, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 429 and "<html" not in fragment.content.decode()
    api = client.post(
        reverse("api-member-unmask", args=[cast.member_a1.pk]), reason, content_type="application/json"
    )
    assert api.status_code == 429
    assert api.json()["detail"] == ratelimit.MESSAGE


def test_searches_by_a_full_number_are_limited_and_name_searches_are_not(cast: Any) -> None:
    client = cast.client(cast.dept_admin)
    api = reverse("api-member-list")
    assert [client.get(api, {"q": "13955551234"}).status_code for _ in range(2)] == [200, 200]
    refused = client.get(api, {"q": "13700001111"})
    assert refused.status_code == 429 and refused.json()["detail"] == ratelimit.MESSAGE
    assert client.get(reverse("orgs:member_list"), {"qk": "0" * 64}).status_code == 429  # same scope
    assert [client.get(api, {"q": "李建"}).status_code for _ in range(3)] == [200, 200, 200]


def test_manual_sms_sends_are_limited(cast: Any) -> None:
    client = cast.client(cast.committee_admin)
    url = reverse("notifications:outbox_retry", args=[999999])
    assert [client.post(url).status_code for _ in range(3)] == [404, 404, 429]


def test_password_changes_are_limited(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = reverse("accounts:password_change")
    form = {"old_password": "Wrong#Pass1", "new_password1": "Xf#Other2026", "new_password2": "Xf#Other2026"}
    assert [client.post(url, form).status_code for _ in range(3)] == [200, 200, 429]


def all_url_names() -> dict[str, str]:
    def walk(resolver: URLResolver, prefix: str, ns: str) -> Iterator[tuple[str, str]]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p, prefix + str(p.pattern), inner or "")
            elif isinstance(p, URLPattern) and p.name:
                yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern)

    return dict(walk(get_resolver(), "", ""))


def test_every_export_url_is_rate_limited(backend: str) -> None:
    if backend == "redis":
        pytest.skip("configuration check: once is enough")
    exports = {
        name
        for name, route in all_url_names().items()
        if ("export" in route or route.endswith((".xlsx", ".pdf", ".csv")))
        and name not in ratelimit.NOT_EXPORTS
    }
    missing = sorted(exports - set(ratelimit.RULES))
    assert missing == [], f"add these export URLs to accounts/ratelimit.RULES: {missing}"
    assert set(ratelimit.RULES) <= set(all_url_names()), "a rate-limit rule names a URL that does not exist"
