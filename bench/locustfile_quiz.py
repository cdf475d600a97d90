"""Load scenario (locust) for issue 14: 1,000 members start the same quiz at the same second.

Run by bench/bench_quiz_load.py, which prepares the members, their sessions (written to
XIANFENG_QUIZ_SESSIONS, one JSON object a line: session key, mode) and the campaign, then starts gunicorn
and this file. Each simulated member takes one session, waits for the common start second
(XIANFENG_QUIZ_START, epoch seconds), starts the attempt, answers its 20 questions and submits:
  - "batch": one submit carrying every answer (what the page does when the connection holds);
  - "each": one save request per answer, then an empty submit.
The answers acknowledged by the server (2xx) are written to XIANFENG_QUIZ_ACKS at the end so that the
bench can count, from the database, the acknowledged answers that were not stored (lost answers).
Loopback only.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

SESSIONS = [json.loads(line) for line in Path(os.environ["XIANFENG_QUIZ_SESSIONS"]).read_text().splitlines()]
START = float(os.environ["XIANFENG_QUIZ_START"])
CAMPAIGN = os.environ["XIANFENG_QUIZ_CAMPAIGN"]
# "start": take the quiz; "read": the baseline, every member reads the same campaign once (a logged-in GET of
# the API: session, user, access and one object, no draw and no write), released at the same second.
MODE = os.environ.get("XIANFENG_QUIZ_MODE", "start")
CSRF = "q" * 32
_next = itertools.count()
ACKS: list[tuple[int, int]] = []  # (attempt id, question id) acknowledged by the server
SUBMITTED: list[int] = []


@events.test_start.add_listener
def _loopback_only(environment: Any, **kwargs: Any) -> None:
    host = environment.host or ""
    if not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/?$", host):
        raise SystemExit(f"load tests target loopback only, not {host!r}")


@events.quitting.add_listener
def _write_acks(environment: Any, **kwargs: Any) -> None:
    with open(os.environ["XIANFENG_QUIZ_ACKS"], "w") as fh:
        json.dump({"answers": ACKS, "submitted": SUBMITTED}, fh)


class Taker(HttpUser):
    wait_time = constant(3600)

    def on_start(self) -> None:
        me = SESSIONS[next(_next) % len(SESSIONS)]
        self.mode = me["mode"]
        self.client.cookies.set("sessionid", me["session"])
        self.client.cookies.set("csrftoken", CSRF)
        self.headers = {"X-CSRFToken": CSRF, "Referer": f"{self.host}/"}
        delay = START - time.time()
        if delay > 0:
            time.sleep(delay)  # gevent-patched: everyone starts at the same second

    def answer(self, item: dict[str, Any]) -> list[Any]:
        if item["kind"] == "fill":
            return ["答案"] * max(item["blanks"], 1)
        return [random.choice(item["options"])[0]]

    @task
    def take(self) -> None:
        if MODE == "read":
            self.client.get(
                f"/api/v1/quizzes/campaigns/{CAMPAIGN}/", headers=self.headers, name="read (baseline)"
            )
            raise StopUser()
        response = self.client.post(
            f"/api/v1/quizzes/campaigns/{CAMPAIGN}/start/", headers=self.headers, name=f"start ({self.mode})"
        )
        if response.status_code != 201:
            raise StopUser()
        attempt = response.json()
        url = f"/api/v1/quizzes/attempts/{attempt['id']}"
        answers = {str(i["question"]): self.answer(i) for i in attempt["items"]}
        if self.mode == "each":
            for question, value in answers.items():
                time.sleep(random.uniform(0.5, 2.0))  # reading the question
                r = self.client.post(
                    f"{url}/answers/",
                    json={"answers": {question: value}},
                    headers=self.headers,
                    name="answer (each)",
                )
                if r.status_code == 200:
                    ACKS.append((attempt["id"], int(question)))
            r = self.client.post(
                f"{url}/submit/", json={"answers": {}}, headers=self.headers, name="submit (each)"
            )
        else:
            time.sleep(random.uniform(10, 40))  # answering on the page, saved locally
            r = self.client.post(
                f"{url}/submit/", json={"answers": answers}, headers=self.headers, name="submit (batch)"
            )
            if r.status_code == 200:
                ACKS.extend((attempt["id"], int(q)) for q in answers)
        if r.status_code == 200:
            SUBMITTED.append(attempt["id"])
        raise StopUser()
