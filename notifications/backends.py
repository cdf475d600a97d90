"""SMS backends, chosen by settings.XIANFENG_SMS_BACKEND: console, file (default), aliyun; flaky for tests.

A backend's `send` returns a provider id or raises SmsError; the outbox (notifications.services)
retries with backoff, so a backend never retries by itself.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from personal import mask_phone
from personal.files import open_private

logger = logging.getLogger("xianfeng.sms")


class SmsError(Exception):
    """The provider refused or could not be reached; the message will be retried."""


@dataclass(frozen=True)
class Sms:
    """What a backend needs: the full number exists only here, in memory, while sending."""

    phone: str
    body: str
    dedupe_key: str = ""
    message_id: int | None = None

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class SmsBackend:
    name = "base"

    def send(self, sms: Sms) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(SmsBackend):
    """Logs the message with the number masked (development)."""

    name = "console"

    def send(self, sms: Sms) -> str:
        logger.warning("SMS to %s: %s", sms.phone_masked, sms.body)
        return f"console-{sms.message_id}"


class FileBackend(SmsBackend):
    """Appends one JSON line per message to a file (the default; numbers masked)."""

    name = "file"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path or settings.XIANFENG_SMS_FILE)

    def send(self, sms: Sms) -> str:
        line = {
            "id": sms.message_id,
            "key": sms.dedupe_key,
            "to": sms.phone_masked,
            "body": sms.body,
            "at": timezone.now().isoformat(),
        }
        with open_private(self.path, "a", encoding="utf-8") as fh:  # owner-only: message texts
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{sms.message_id}"


class FlakyFileBackend(FileBackend):
    """A file backend whose provider is down for its first N sends (tests of outage handling).

    N is settings.XIANFENG_SMS_FLAKY_FAILURES; the failures so far are counted in a file beside the
    outbox, so the count survives new backend instances and worker processes.
    """

    name = "flaky"

    def __init__(self, path: str | os.PathLike[str] | None = None, failures: int | None = None) -> None:
        super().__init__(path)
        self.failures = (
            failures if failures is not None else getattr(settings, "XIANFENG_SMS_FLAKY_FAILURES", 2)
        )
        self.counter = self.path.with_name(self.path.name + ".failures")

    def send(self, sms: Sms) -> str:
        failed = int(self.counter.read_text()) if self.counter.exists() else 0
        if failed < self.failures:
            self.counter.parent.mkdir(parents=True, exist_ok=True)
            self.counter.write_text(str(failed + 1))
            raise SmsError(f"模拟短信平台故障（第{failed + 1}次）")
        return super().send(sms)


_SIGN = re.compile(r"^【[^】]*】")


class AliyunBackend(SmsBackend):
    """Aliyun SMS (dysmsapi 2017-05-25) through the official SDK.

    The template (settings.XIANFENG_ALIYUN_SMS_TEMPLATE_CODE) must have one variable ${content};
    the signature is added by the platform, so a leading 【…】 in the body is dropped.
    """

    name = "aliyun"

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        template_code: str | None = None,
        endpoint: str | None = None,
        protocol: str | None = None,
    ) -> None:
        self.access_key_id = access_key_id or settings.XIANFENG_ALIYUN_ACCESS_KEY_ID
        self.access_key_secret = access_key_secret or settings.XIANFENG_ALIYUN_ACCESS_KEY_SECRET
        self.sign_name = sign_name or settings.XIANFENG_ALIYUN_SMS_SIGN_NAME
        self.template_code = template_code or settings.XIANFENG_ALIYUN_SMS_TEMPLATE_CODE
        self.endpoint = endpoint or settings.XIANFENG_ALIYUN_SMS_ENDPOINT
        self.protocol = protocol or settings.XIANFENG_ALIYUN_SMS_PROTOCOL

    def client(self) -> Any:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api_models

        config = open_api_models.Config(
            access_key_id=self.access_key_id,
            access_key_secret=self.access_key_secret,
            endpoint=self.endpoint,
            protocol=self.protocol,
        )
        return Client(config)

    def build_request(self, sms: Sms) -> Any:
        from alibabacloud_dysmsapi20170525 import models as sms_models

        content = _SIGN.sub("", sms.body).strip()
        return sms_models.SendSmsRequest(
            phone_numbers=sms.phone,
            sign_name=self.sign_name,
            template_code=self.template_code,
            template_param=json.dumps({"content": content}, ensure_ascii=False),
            out_id=sms.dedupe_key[:64] if sms.dedupe_key else None,
        )

    def send(self, sms: Sms) -> str:
        from alibabacloud_tea_util import models as util_models

        if not (self.access_key_id and self.access_key_secret and self.template_code):
            raise SmsError("阿里云短信未配置：需要 AccessKey 与模板代码")
        runtime = util_models.RuntimeOptions(autoretry=False, connect_timeout=5000, read_timeout=10000)
        try:
            response = self.client().send_sms_with_options(self.build_request(sms), runtime)
        except Exception as exc:  # the SDK raises its own TeaException and network errors
            raise SmsError(f"阿里云短信调用失败：{exc}") from exc
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", "") if body is not None else ""
            message = getattr(body, "message", "") if body is not None else ""
            raise SmsError(f"阿里云短信返回 {code} {message}".strip())
        return body.biz_id or ""


BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "flaky": FlakyFileBackend,
    "aliyun": AliyunBackend,
}


def get_backend(name: str | None = None) -> SmsBackend:
    name = name or settings.XIANFENG_SMS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"XIANFENG_SMS_BACKEND must be one of {sorted(BACKENDS)}, not {name!r}") from None
