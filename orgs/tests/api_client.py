"""Token-authenticated API clients for the orgs API tests."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api(user: Any | None) -> APIClient:
    """A client calling the API as `user` through token auth (anonymous when None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["results"]}
