"""The request's client IP, carried to services without threading it through every signature."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
