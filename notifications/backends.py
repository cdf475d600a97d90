"""SMS backends, chosen by settings.XIANFENG_SMS_BACKEND: console, file (default), aliyun; flaky and
stall for tests.

A backend's `send` returns a provider id or raises SmsError (nothing was sent: retry), SmsUncertain (the
request may have reached the provider) or SmsDuplicate (the provider already has this out-id). Its
`lookup` asks the provider whether it accepted a message under the message's out-id, so the outbox
(notifications.services.delivery) re-checks instead of re-sending when a worker died or a call broke
off. A backend never retries by itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from personal import mask_phone
from personal.files import FILE_MODE, private_dir

logger = logging.getLogger("xianfeng.sms")

OUT_ID_MAX = 64


class SmsError(Exception):
    """The provider refused or could not be reached, and nothing was sent; the message will be retried."""


class SmsUncertain(SmsError):
    """The call broke off after it may have reached the provider (a timeout, a 5xx): before any retry the
    provider is asked whether it has the message (`lookup`)."""


class SmsDuplicate(SmsError):
    """The provider already accepted a message under this out-id and refuses to send it again."""

    def __init__(self, provider_id: str) -> None:
        super().__init__(f"短信平台已有该消息（{provider_id}），拒绝重复发送")
        self.provider_id = provider_id


def out_id_for(dedupe_key: str) -> str:
    """The id the provider knows a message by: its dedupe key (unique in the outbox), or the key's
    SHA-256 when it is too long for the provider's OutId field. The same on every try."""
    if len(dedupe_key) <= OUT_ID_MAX:
        return dedupe_key
    return "sha256-" + hashlib.sha256(dedupe_key.encode()).hexdigest()[: OUT_ID_MAX - 7]


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

    @property
    def out_id(self) -> str:
        return out_id_for(self.dedupe_key)


class SmsBackend:
    name = "base"

    def send(self, sms: Sms) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def lookup(self, sms: Sms, since: dt.datetime) -> str | None:
        """The provider id of a message the provider accepted under `sms.out_id` since `since`, or None
        when it has no record; SmsError when it cannot tell."""
        raise SmsError(f"短信通道 {self.name} 无法查询发送记录")


class ConsoleBackend(SmsBackend):
    """Logs the message with the number masked (development)."""

    name = "console"

    def send(self, sms: Sms) -> str:
        logger.warning("SMS to %s: %s", sms.phone_masked, sms.body)
        return f"console-{sms.message_id}"

    def lookup(self, sms: Sms, since: dt.datetime) -> str | None:
        return None  # a log keeps no record to ask: a message whose worker died is logged again


class FileBackend(SmsBackend):
    """Appends one JSON line per message to a file (the default; numbers masked).

    Like a provider with idempotency keys, it refuses a second message under an out-id it already holds
    (SmsDuplicate), and `lookup` finds a message by its out-id. An exclusive lock on the file makes
    check-and-append one step across worker processes.
    """

    name = "file"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path or settings.XIANFENG_SMS_FILE)
        self._known: dict[str, str] = {}  # out-id → provider id, of the lines read so far
        self._offset = 0

    @contextmanager
    def _locked(self) -> Iterator[IO[bytes]]:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # owner-only: message texts (an older 0644 outbox is tightened)
        with os.fdopen(fd, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self._read_new_lines(fh)
                yield fh
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_new_lines(self, fh: IO[bytes]) -> None:
        if os.fstat(fh.fileno()).st_size < self._offset:  # the file was replaced: read it again
            self._known, self._offset = {}, 0
        fh.seek(self._offset)
        data = fh.read()
        complete = data.rfind(b"\n") + 1
        for raw in data[:complete].splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            out_id = line.get("out_id") or out_id_for(line.get("key") or "")
            if out_id:
                self._known.setdefault(out_id, line.get("provider_id") or f"file-{line.get('id')}")
        self._offset += complete

    def send(self, sms: Sms) -> str:
        with self._locked() as fh:
            if sms.out_id and sms.out_id in self._known:
                logger.warning("SMS out-id %s already in the outbox: refused", sms.out_id)
                raise SmsDuplicate(self._known[sms.out_id])
            provider_id = f"file-{sms.message_id}"
            line = {
                "id": sms.message_id,
                "key": sms.dedupe_key,
                "out_id": sms.out_id,
                "provider_id": provider_id,
                "to": sms.phone_masked,
                "body": sms.body,
                "at": timezone.now().isoformat(),
            }
            fh.write((json.dumps(line, ensure_ascii=False) + "\n").encode())
            fh.flush()
        return provider_id

    def lookup(self, sms: Sms, since: dt.datetime) -> str | None:
        with self._locked():
            return self._known.get(sms.out_id) if sms.out_id else None


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


class StallingFileBackend(FileBackend):
    """A file backend whose worker hangs once, before or after writing its N-th message, until it is
    killed: the fault tests kill a real worker there. settings.XIANFENG_SMS_STALL is "before:N" or
    "after:N"; the sends so far are counted in a file beside the outbox, and a `.stalled` file (holding
    the process id) tells the test the worker has reached the point.
    """

    name = "stall"

    def __init__(self, path: str | os.PathLike[str] | None = None, stall: str | None = None) -> None:
        super().__init__(path)
        when, _, nth = (stall if stall is not None else settings.XIANFENG_SMS_STALL).partition(":")
        if when not in ("before", "after") or not nth.isdigit():
            raise ValueError(f"XIANFENG_SMS_STALL must be before:N or after:N, not {stall!r}")
        self.when, self.nth = when, int(nth)
        self.counter = self.path.with_name(self.path.name + ".sends")
        self.marker = self.path.with_name(self.path.name + ".stalled")

    def _hang(self) -> None:
        self.marker.write_text(str(os.getpid()))
        while True:
            time.sleep(60)

    def send(self, sms: Sms) -> str:
        sends = (int(self.counter.read_text()) if self.counter.exists() else 0) + 1
        self.counter.write_text(str(sends))
        due = sends == self.nth and not self.marker.exists()
        if due and self.when == "before":
            self._hang()
        provider_id = super().send(sms)
        if due:
            self._hang()
        return provider_id


_SIGN = re.compile(r"^【[^】]*】")


class AliyunBackend(SmsBackend):
    """Aliyun SMS (dysmsapi 2017-05-25) through the official SDK.

    The template (settings.XIANFENG_ALIYUN_SMS_TEMPLATE_CODE) must have one variable ${content};
    the signature is added by the platform, so a leading 【…】 in the body is dropped. SendSms is not
    idempotent (Aliyun's documentation says so, and asks to check the send record after a timeout before
    retrying): each message carries its out-id as OutId, and `lookup` finds it with QuerySendDetails.
    """

    name = "aliyun"
    TIME_ZONE = ZoneInfo("Asia/Shanghai")  # SendDate is a Beijing date
    RECORD_DAYS = 30  # QuerySendDetails answers for the last 30 days
    PAGE_SIZE = 50
    MAX_PAGES = 20

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

    def _runtime(self) -> Any:
        from alibabacloud_tea_util import models as util_models

        return util_models.RuntimeOptions(autoretry=False, connect_timeout=5000, read_timeout=10000)

    def _check_configured(self) -> None:
        if not (self.access_key_id and self.access_key_secret and self.template_code):
            raise SmsError("阿里云短信未配置：需要 AccessKey 与模板代码")

    def build_request(self, sms: Sms) -> Any:
        from alibabacloud_dysmsapi20170525 import models as sms_models

        content = _SIGN.sub("", sms.body).strip()
        return sms_models.SendSmsRequest(
            phone_numbers=sms.phone,
            sign_name=self.sign_name,
            template_code=self.template_code,
            template_param=json.dumps({"content": content}, ensure_ascii=False),
            out_id=sms.out_id or None,
        )

    def send(self, sms: Sms) -> str:
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

        self._check_configured()
        try:
            response = self.client().send_sms_with_options(self.build_request(sms), self._runtime())
        except AlibabaCloudException as exc:  # the platform answered with an error status
            if (exc.status_code or 0) >= 500:
                raise SmsUncertain(f"阿里云短信服务端错误：{exc}") from exc
            raise SmsError(f"阿里云短信调用失败：{exc}") from exc
        except Exception as exc:  # no answer (refused, reset, timed out): it may have been sent
            raise SmsUncertain(f"阿里云短信调用失败：{exc}") from exc
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", "") if body is not None else ""
            message = getattr(body, "message", "") if body is not None else ""
            raise SmsError(f"阿里云短信返回 {code} {message}".strip())
        return body.biz_id or ""

    def send_dates(self, since: dt.datetime, now: dt.datetime) -> list[str]:
        """The Beijing dates (yyyyMMdd) from `since` to `now` that the platform still keeps records of."""
        last = now.astimezone(self.TIME_ZONE).date()
        first = max(since.astimezone(self.TIME_ZONE).date(), last - dt.timedelta(days=self.RECORD_DAYS - 1))
        first = min(first, last)
        return [f"{first + dt.timedelta(days=n):%Y%m%d}" for n in range((last - first).days + 1)]

    def build_query(self, sms: Sms, send_date: str, page: int) -> Any:
        from alibabacloud_dysmsapi20170525 import models as sms_models

        return sms_models.QuerySendDetailsRequest(
            phone_number=sms.phone, send_date=send_date, page_size=self.PAGE_SIZE, current_page=page
        )

    def lookup(self, sms: Sms, since: dt.datetime) -> str | None:
        """QuerySendDetails by phone number and date, page by page, for a record carrying our OutId.

        A record in any state counts (waiting for the receipt, delivered, or refused by the carrier):
        the platform accepted the message, so it is not sent again.
        """
        self._check_configured()
        if not sms.out_id:
            raise SmsError("没有 OutId 的短信无法查询发送记录")
        client, runtime = self.client(), self._runtime()
        for send_date in self.send_dates(since, timezone.now()):
            for page in range(1, self.MAX_PAGES + 1):
                try:
                    response = client.query_send_details_with_options(
                        self.build_query(sms, send_date, page), runtime
                    )
                except Exception as exc:  # the SDK raises its own exceptions and network errors
                    raise SmsError(f"阿里云短信发送记录查询失败：{exc}") from exc
                body = response.body
                if body is None or body.code != "OK":
                    code = getattr(body, "code", "") if body is not None else ""
                    raise SmsError(f"阿里云短信发送记录查询返回 {code}".strip())
                dtos = body.sms_send_detail_dtos
                records = (dtos.sms_send_detail_dto if dtos is not None else None) or []
                for record in records:
                    if record.out_id == sms.out_id:
                        return f"OutId {sms.out_id} {send_date}"[:80]
                if page * self.PAGE_SIZE >= int(body.total_count or 0):
                    break
        return None


BACKENDS: dict[str, type[SmsBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "flaky": FlakyFileBackend,
    "stall": StallingFileBackend,
    "aliyun": AliyunBackend,
}


def get_backend(name: str | None = None) -> SmsBackend:
    name = name or settings.XIANFENG_SMS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"XIANFENG_SMS_BACKEND must be one of {sorted(BACKENDS)}, not {name!r}") from None
