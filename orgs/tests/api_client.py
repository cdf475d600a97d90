"""Token-authenticated API clients for the orgs API tests."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from accounts import tokens


def api(user: Any | None) -> APIClient:
    """A client calling the API as `user` through token auth (anonymous when None)."""
    client = APIClient()
    if user is not None:
        _, key = tokens.issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["results"]}
