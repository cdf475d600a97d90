"""The web session, stored with the id of its user so the session and the user are read in one query."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """Django's database session plus the logged-in user (null before login). Deleting a user deletes
    their sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "xianfeng_session"
