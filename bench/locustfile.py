"""Load scenario (locust): the realistic mix on a county demo, run by bench/bench_load.py.

- 党员 (members, most users): read the points pages and their declarations, declare points via the API.
- 支部书记 (secretaries): read meeting records, record a meeting (API) with attendance and upload a photo.
- 管理员 (admins: 组织部, 党(工)委): dashboards, completion statistics, rankings, the member list.

Every user logs in through the login form (and the TOTP step for administrative roles, with the demo
authenticator secret), keeps its session, and waits 1–3 s between actions. Only loopback targets: the
host must be http://127.0.0.1:<port> (bench_load.py starts the server there).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import random
import re
import struct
import time
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("XIANFENG_LOAD_PASSWORD", "Xianfeng@2026")
TOTP_SECRET = os.environ.get("XIANFENG_LOAD_TOTP_SECRET", "XIANFENGDEMOTOTPXIANFENGDEMOTOTP")
PHOTO = os.environ.get("XIANFENG_LOAD_PHOTO", "")
CST = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, no DST


@events.test_start.add_listener
def _loopback_only(environment: Any, **kwargs: Any) -> None:
    host = environment.host or ""
    if not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/?$", host):
        raise SystemExit(f"load tests target loopback only, not {host!r}")


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class XianfengUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        self.username = random.choice(self.usernames)
        self.client.get("/accounts/login/", name="/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ POST",
        )
        if "/2fa/verify/" in response.url:
            self.second_factor()

    def second_factor(self) -> None:
        # A code is accepted once per account and 30 s step (replay refused): wait for a fresh step.
        for _ in range(3):
            response = self.client.post(
                "/accounts/2fa/verify/",
                data={"code": totp(TOTP_SECRET, time.time()), "csrfmiddlewaretoken": self.csrf()},
                headers={"Referer": f"{self.host}/accounts/2fa/verify/"},
                name="/accounts/2fa/verify/ POST",
            )
            if "/2fa/verify/" not in response.url:
                return
            time.sleep(30 - time.time() % 30 + 1)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def api_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf(), "Referer": f"{self.host}/"}


class Member(XianfengUser):
    weight = 6
    usernames = ("member",)

    @task(4)
    def points_home(self) -> None:
        self.client.get("/points/")

    @task(2)
    def my_declarations(self) -> None:
        self.client.get("/points/declarations/")

    @task(1)
    def home(self) -> None:
        self.client.get("/")

    @task(2)
    def declare(self) -> None:
        rules = getattr(self, "_rules", None)
        if rules is None:
            listing = self.client.get("/api/v1/points/rules/", name="/api/v1/points/rules/").json()
            if isinstance(listing, dict):
                listing = listing.get("results", [])
            # Items whose evidence is a short text (photos and files are the secretaries' uploads here).
            rules = self._rules = [
                r["code"] for r in listing if r.get("declarable") and r.get("evidence") == "text"
            ]
        if not rules:
            return
        with self.client.post(
            "/api/v1/points/declarations/",
            json={
                "item_code": random.choice(rules),
                "occurred_on": (
                    dt.datetime.now(CST).date() - dt.timedelta(days=random.randint(0, 20))
                ).isoformat(),
                "description": "参加支部学习（负载测试）",
            },
            headers=self.api_headers(),
            catch_response=True,
        ) as response:
            # A rule's cap or duplicate check may refuse a declaration (400 with a reason): the service
            # answered correctly. Anything else that is not 201 is an error.
            if response.status_code in (201, 400):
                response.success()


class Secretary(XianfengUser):
    weight = 2
    usernames = ("secretary",)

    def on_start(self) -> None:
        super().on_start()
        self.branch = None
        self.attendees: list[int] = []
        records = self.client.get("/api/v1/orglife/records/", name="/api/v1/orglife/records/").json()
        rows = records.get("results", records)
        if rows:
            self.branch = rows[0]["org"]
            detail = self.client.get(
                f"/api/v1/orglife/records/{rows[0]['id']}/", name="/api/v1/orglife/records/[id]/"
            ).json()
            self.attendees = [a["member"] for a in detail.get("attendance", [])]

    @task(3)
    def records_page(self) -> None:
        self.client.get("/orglife/records/")

    @task(2)
    def record_detail(self) -> None:
        rows = self.client.get("/api/v1/orglife/records/", name="/api/v1/orglife/records/").json()
        rows = rows.get("results", rows)
        if rows:
            self.client.get(f"/orglife/records/{random.choice(rows)['id']}/", name="/orglife/records/[id]/")

    @task(1)
    def record_meeting_with_photo(self) -> None:
        if self.branch is None or not self.attendees:
            return
        start = dt.datetime.now(CST).replace(microsecond=0) - dt.timedelta(
            days=random.randint(1, 25), hours=3
        )
        response = self.client.post(
            "/api/v1/orglife/records/",
            json={
                "org": self.branch,
                "meeting_type": "theme_day",
                "topic": "学习贯彻会议精神（负载测试）",
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(hours=1)).isoformat(),
                "place": "党员活动室",
                "host_name": "支部书记",
                "recorder_name": "组织委员",
                "content": "集体学习并交流发言。",
                "attendance": [{"member": m, "present": True} for m in self.attendees],
            },
            headers=self.api_headers(),
            name="/api/v1/orglife/records/ POST",
        )
        if response.status_code != 201 or not PHOTO:
            return
        with open(PHOTO, "rb") as fh:
            self.client.post(
                f"/api/v1/orglife/records/{response.json()['id']}/attachments/",
                files={"photos": ("meeting.jpg", fh, "image/jpeg")},
                headers=self.api_headers(),
                name="/api/v1/orglife/records/[id]/attachments/ POST",
            )


class Admin(XianfengUser):
    weight = 1
    usernames = ("admin_dept", "admin_committee")

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/")

    @task(2)
    def completion(self) -> None:
        self.client.get("/orglife/stats/")

    @task(1)
    def ranking(self) -> None:
        self.client.get("/points/ranking/")

    @task(1)
    def members(self) -> None:
        self.client.get("/members/?page=2", name="/members/")
