"""System checks of the audit settings: runserver, migrate and `manage.py check` refuse bad values."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

MIN_RETENTION_DAYS = 180


@register()
def audit_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    days = getattr(settings, "XIANFENG_AUDIT_RETENTION_DAYS", 3 * 365)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        errors.append(
            Error(
                f"XIANFENG_AUDIT_RETENTION_DAYS={days}: 审计记录至少保留{MIN_RETENTION_DAYS}天"
                f"（等保三级要求日志留存不少于六个月）",
                hint=f"把 XIANFENG_AUDIT_RETENTION_DAYS 设为 {MIN_RETENTION_DAYS} 或更大（默认 1095）。",
                id="audit.E001",
            )
        )
    key = getattr(settings, "XIANFENG_AUDIT_KEY", "")
    if key:
        try:
            ok = len(bytes.fromhex(key)) >= 16
        except ValueError:
            ok = False
        if not ok:
            errors.append(
                Error(
                    "XIANFENG_AUDIT_KEY 须为至少32位十六进制数字（128位密钥）",
                    hint="例如 python -c 'import secrets; print(secrets.token_hex(32))'",
                    id="audit.E002",
                )
            )
    return errors
