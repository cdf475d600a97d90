"""Two editors publishing at once: 期号 stay sequential, without gaps or duplicates (row lock, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from bulletins.models import Issue
from bulletins.services import issues
from bulletins.tests.conftest import adopted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers anyway; the counter's row lock is tested on PostgreSQL",
    ),
]
THREADS = 6


def test_concurrent_publishing_gives_one_number_each_without_gaps(
    cast: Any, officer: Any, editor: Any, journal: Any
) -> None:
    drafts = []
    for i in range(THREADS):
        issue = issues.create_issue(actor=editor, journal=journal, issue_date=dt.date(2026, 5, 1))
        issues.place_article(
            actor=editor,
            issue=issue,
            article=adopted(officer, editor, cast.committee_a, f"信息{i}"),
            section="市内信息",
        )
        drafts.append(issue)
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def publish(issue: Issue) -> None:
        try:
            barrier.wait()
            issues.publish_issue(actor=editor, issue=issue)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    numbers = sorted(Issue.objects.filter(journal=journal).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
