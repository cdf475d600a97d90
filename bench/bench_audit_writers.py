"""Concurrent audited writes on PostgreSQL: writes/s with 1, 4 and 16 writer threads (issue 16).

Each writer thread updates its own party member through the real service, `orgs.services.update_member`
(access check, validation, SM4 re-encryption, save, audit row), in its own transaction, for --seconds.
Three ways, alternated in the same run, rotating which goes first each round:

- `none`: the same service with its audit row left out (record_event replaced by nothing) — the baseline;
- `sealed`: the service as it is: the audit row inserted unchained, `manage.py audit_seal --loop` running
  as a separate process (as deployed) chains committed rows;
- `locked`: the audit row appended under the old chain lock (pg_advisory_xact_lock, the previous row read,
  HMAC computed, explicit id) — the design this replaced, kept here to show what it cost.

Prints median writes/s of --rounds per cell and the median (and range) of the per-round ratios against `none`; checks at the end that every row
was sealed and the chain verifies. Command:
    .venv/bin/python bench/bench_audit_writers.py --rounds 5 --seconds 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, open_database, table  # noqa: E402

WRITERS = (1, 4, 16)
MODES = ("none", "sealed", "locked")


def setup(n: int) -> tuple[Any, list[Any], list[str]]:
    """A county, four branches, n members and a department admin over the county."""
    from accounts.models import User
    from orgs.models import Member, Organization, RoleGrant
    from orgs.paths import encode_step
    from orgs.roles import Role
    from personal import idcard

    def org(parent: Organization | None, name: str, kind: str, code: str, step: int) -> Organization:
        path = (parent.path if parent else "") + encode_step(step)
        return Organization.objects.create(
            parent=parent,
            path=path,
            depth=len(path) // 4,
            name=name,
            short_name=name,
            code=code,
            kind=kind,
            unit_category=Organization.UnitCategory.ORGAN,
            child_seq=4 if parent is None else 0,
        )

    county = org(None, "中共基准县委员会", "committee", "C9001", 1)
    branches = [org(county, f"基准第{i + 1}党支部", "branch", f"B90{i:02d}", i + 1) for i in range(4)]
    members, numbers = [], []
    for i in range(n):
        birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = idcard.make("340101", birth, 500 + i)
        _, _, gender = idcard.parse(number)
        m = Member(
            name=f"基准党员{i}",
            gender=gender,
            birth_date=birth,
            category=Member.Category.FULL,
            org=branches[i % 4],
            joined_on=dt.date(2005, 7, 1),
            full_member_on=dt.date(2006, 7, 1),
            education=Member.Education.BACHELOR,
        )
        m.set_id_number(number)
        m.set_phone("13800000000")
        m.save()
        members.append(m)
        numbers.append(number)
    admin = User.objects.create_user(username="bench_audit_admin", password="x" * 16)
    RoleGrant.objects.create(user=admin, org=county, role=Role.DEPT_ADMIN)
    return admin, members, numbers


def locked_record_event(**kwargs: Any) -> Any:
    """The replaced design: every writer appends to the chain under one lock held to its commit."""
    from django.db import connection, transaction

    from audit import chain
    from audit.models import AuditEvent

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.LOCK_ID])
        event = AuditEvent(**_event_fields(**kwargs))
        event.ip = AuditEvent._meta.get_field("ip").get_prep_value(event.ip)
        event.id, previous = chain.next_link()
        event.chain_hmac = chain.compute(event, previous)
        event.save(force_insert=True)
    return event


def _event_fields(*, actor: Any, action: str, target: Any, org: Any, summary: Any) -> dict[str, Any]:
    from django.utils import timezone

    from audit import chain

    return {
        "created_at": timezone.now(),
        "actor_id": actor.pk,
        "actor_name": actor.get_username(),
        "org_id": org.pk,
        "org_path": org.path,
        "action": action,
        "target_type": target._meta.label,
        "target_id": str(target.pk),
        "target_repr": str(target)[:200],
        "summary": chain.json_safe(summary),
    }


def measure(
    mode: str, writers: int, seconds: float, admin: Any, members: list[Any], numbers: list[str]
) -> float:
    from django.db import connection, connections

    from orgs.models import Member
    from orgs.services import members as member_services

    real = member_services.record_event
    member_services.record_event = {  # type: ignore[assignment]
        "none": lambda **kwargs: None,
        "sealed": real,
        "locked": locked_record_event,
    }[mode]
    counts = [0] * writers
    start, stop = threading.Barrier(writers + 1), threading.Event()

    def writer(k: int) -> None:
        try:
            member = Member.objects.select_related("org").get(pk=members[k].pk)
            data = member_services.MemberData(
                name=member.name,
                id_number=numbers[k],
                category=member.category,
                joined_on=member.joined_on,
                full_member_on=member.full_member_on,
                org=member.org,
                education=member.education,
                phone="13800000000",
            )
            start.wait()
            n = 0
            while not stop.is_set():
                data.occupation = f"岗位{n % 2}"
                member = member_services.update_member(actor=admin, member=member, data=data)
                n += 1
            counts[k] = n
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    member_services.record_event = real  # type: ignore[assignment]
    if mode == "locked":  # explicit ids: keep the sequence ahead for the unchained inserts
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM audit_auditevent))"
            )
    return sum(counts) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    with open_database("postgres") as where:
        from audit import chain
        from audit.models import AuditEvent
        from audit.services import record_event

        print(f"{where}; load average {os.getloadavg()[0]:.2f}", flush=True)
        admin, members, numbers = setup(max(WRITERS))
        sealer = subprocess.Popen(  # as deployed: a process of its own
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "audit_seal",
                "--loop",
                "--interval",
                "0.5",
                "--skip-checks",
            ],
            env=os.environ.copy(),
        )
        probe = record_event(actor=None, actor_name="bench", action=AuditEvent.Action.LOGIN)
        while not AuditEvent.objects.filter(pk=probe.pk).exclude(chain_hmac="").exists():
            time.sleep(0.1)  # the sealer is up before anything is measured
        results: dict[tuple[str, int], list[float]] = {}
        lag: list[int] = []
        try:
            for r in range(args.rounds):
                for writers in WRITERS:
                    order = MODES[r % 3 :] + MODES[: r % 3]
                    for mode in order:
                        while mode == "locked" and AuditEvent.objects.filter(chain_hmac="").exists():
                            chain.seal(
                                timeout=30
                            )  # the old path chains on from the last row: seal it all first
                        rate = measure(mode, writers, args.seconds, admin, members, numbers)
                        results.setdefault((mode, writers), []).append(rate)
                        if mode == "sealed":
                            lag.append(AuditEvent.objects.filter(chain_hmac="").count())
                        print(f"  round {r + 1} {mode:>6} × {writers:>2}: {rate:7.1f} writes/s", flush=True)
        finally:
            sealer.terminate()
            sealer.wait(10)
        chain.seal()
        result = chain.verify()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'audit_auditevent'"
            )
            updates, hot = cursor.fetchone()
        rows = []
        for writers in WRITERS:
            none, sealed, locked = (results[(mode, writers)] for mode in MODES)
            # Ratios per round (the modes of a round ran back to back, under the same load), then their median.
            sealed_ratio = [s / n for s, n in zip(sealed, none, strict=True)]
            locked_ratio = [x / n for x, n in zip(locked, none, strict=True)]
            rows.append(
                [
                    writers,
                    f"{statistics.median(none):.0f}",
                    f"{statistics.median(sealed):.0f}",
                    f"{statistics.median(sealed_ratio):.2f} ({min(sealed_ratio):.2f}–{max(sealed_ratio):.2f})",
                    f"{statistics.median(locked):.0f}",
                    f"{statistics.median(locked_ratio):.2f} ({min(locked_ratio):.2f}–{max(locked_ratio):.2f})",
                ]
            )
        print(
            table(
                [
                    "写入线程",
                    "无审计 写/秒",
                    "异步封存 写/秒",
                    "比值 中位（范围）",
                    "链锁（旧） 写/秒",
                    "比值 中位（范围）",
                ],
                rows,
            )
        )
        print(
            f"rows left unsealed right after each sealed phase (max): {max(lag)}; "
            f"chain after the run: {'ok' if result.ok else 'BROKEN at ' + str(result.broken_id)}, "
            f"{result.checked} rows; sealing updates {updates}, of which HOT {hot}; load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
