"""What the observers API shares: the acting user."""

from __future__ import annotations

from typing import cast

from rest_framework.request import Request

from accounts.models import User


def user_of(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated has run
