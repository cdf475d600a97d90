"""config.middleware: the locale and messages middleware answer exactly as Django's own do."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

OURS = {
    "config.middleware.LocaleMiddleware": "django.middleware.locale.LocaleMiddleware",
    "config.middleware.MessageMiddleware": "django.contrib.messages.middleware.MessageMiddleware",
}
HEADERS = ("Vary", "Content-Language", "Location", "Cache-Control")


def _djangos_middleware() -> list[str]:
    return [OURS.get(name, name) for name in settings.MIDDLEWARE]


def _answer(client: Client, url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    response = client.get(url, headers=headers)
    kept = {name: response[name] for name in HEADERS if name in response}
    kept["cookies"] = " ".join(sorted(response.cookies))
    return response.status_code, kept, response.wsgi_request.LANGUAGE_CODE


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"accept-language": "en-US,en;q=0.9"},
        {"accept-language": "zh-CN,zh;q=0.9"},
        {"cookie": "django_language=en"},
    ],
)
def test_pages_answer_as_with_djangos_middleware(cast: Any, headers: dict[str, str]) -> None:
    assert set(OURS) <= set(settings.MIDDLEWARE)
    urls = [reverse("accounts:login"), reverse("points:home"), "/no-such-page/"]
    for user in (None, cast.secretary):
        ours = [_answer(cast.client(user), url, **headers) for url in urls]
        with override_settings(MIDDLEWARE=_djangos_middleware()):
            theirs = [_answer(cast.client(user), url, **headers) for url in urls]
        assert ours == theirs
        assert {language for _, _, language in ours} == {"en" if "en" in str(headers) else "zh-hans"}


def test_a_message_is_shown_once_on_the_next_page(cast: Any) -> None:
    client = cast.client(cast.secretary)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "您已安全退出" in client.get(reverse("accounts:login")).content.decode()
    assert "您已安全退出" not in client.get(reverse("accounts:login")).content.decode()


def test_a_page_that_shows_no_message_leaves_a_pending_one_in_place(cast: Any) -> None:
    client = cast.client(cast.secretary)
    client.post(reverse("accounts:logout"))
    # A response that never reads the messages (a redirect) must not drop them.
    assert client.get(reverse("points:home")).status_code == 302
    assert "您已安全退出" in client.get(reverse("accounts:login")).content.decode()
