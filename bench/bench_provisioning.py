"""Benchmark: bulk provisioning of member accounts (accounts/s), with the password hash as the floor.

    .venv/bin/python bench/bench_provisioning.py [--db sqlite|postgres] [--members 30000]
        [--iterations 10000] [--delivery sms|pdf] [--db-name NAME]

Prints
(a) the cost of one password hash per hasher (Django's default PBKDF2 at 1,000,000 iterations, the
    initial-password hasher at --iterations), and what N accounts cost in hashing alone;
(b) the baseline: the same N accounts written by hand (a random password each, hashed with the same
    hasher, one INSERT per account, per grant and per SMS with its body SM4-encrypted, through a cursor,
    in one transaction, rolled back);
(c) the subject: accounts.services.provisioning.run_provisioning for every member (source "members",
    initial passwords by SMS through the outbox or onto the sealed list), and the ratio c/b;
(d) a second run, which must create nothing; and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

BRANCHES = 300


def build(members: int, rng: random.Random) -> object:
    from orgs.models import Member, Organization
    from orgs.paths import encode_step
    from personal import idcard

    county = Organization.objects.create(
        path=encode_step(1),
        depth=1,
        name="中共基准县委员会",
        code="P0000",
        kind="committee",
        child_seq=BRANCHES,
    )
    Organization.objects.bulk_create(
        Organization(
            parent=county,
            path=county.path + encode_step(b),
            depth=2,
            name=f"基准第{b}党支部",
            code=f"P{b:04d}",
            kind="branch",
        )
        for b in range(1, BRANCHES + 1)
    )
    branches = list(Organization.objects.filter(kind="branch"))
    rows = []
    for i in range(members):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
        number = idcard.make("340101", birth, i // 20000)
        m = Member(
            name=f"党员{i}",
            gender=idcard.parse(number)[2],
            birth_date=birth,
            category="full",
            joined_on=dt.date(2000, 7, 1),
            org=rng.choice(branches),
        )
        m.set_id_number(number)
        m.set_phone(f"13{i:09d}")
        rows.append(m)
        if len(rows) == 5000:
            Member.objects.bulk_create(rows)
            rows = []
    Member.objects.bulk_create(rows)
    return county


def hash_costs(iterations: int) -> list[list[object]]:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from accounts.passwords import InitialPasswordHasher

    out = []
    for name, hasher, runs in (
        ("PBKDF2-SHA256 1,000,000 (Django default)", PBKDF2PasswordHasher(), 3),
        (f"InitialPasswordHasher {iterations:,}", InitialPasswordHasher(), 200),
    ):
        started = time.perf_counter()
        for _ in range(runs):
            hasher.encode("Ab3dEfGh4JkL", hasher.salt())
        each = (time.perf_counter() - started) / runs
        out.append([name, f"{each * 1000:.2f}", f"{1 / each:,.0f}", f"{each * 250_000 / 60:,.1f}"])
    return out


def baseline(members: int, delivery: str) -> float:
    """Hand-written: per member a password, its hash, the user row, the grant row and (sms) the SMS row with
    its body SM4-encrypted, through a cursor in one transaction; rolled back."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    import personal
    from orgs.models import Member

    rows = list(Member.objects.values_list("pk", "org_id", "name", "phone_enc", "phone_masked"))
    started = time.perf_counter()
    with transaction.atomic():
        now = timezone.now()
        with connection.cursor() as cur:
            users, sms = [], []
            for pk, org, name, phone_enc, phone_masked in rows:
                secret = secrets.token_urlsafe(9)
                password = make_password(secret, hasher="pbkdf2_sha256_initial")
                users.append(
                    (password, False, f"bl{pk:08d}", "", "", "", False, True, now, name, True, pk, 0)
                )
                if delivery == "sms":
                    body = "secret:sm4:" + personal.encrypt(f"登录名：bl{pk:08d}，初始密码：{secret}")
                    sms.append(
                        ("sms", f"bl:{pk}", name, phone_enc, phone_masked, org, "账号初始密码", body, now)
                    )
            cur.executemany(
                "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,"
                " is_staff, is_active, date_joined, display_name, must_change_password, member_id, access_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                users,
            )
            cur.execute("SELECT id, member_id FROM accounts_user WHERE username LIKE 'bl%%'")
            ids = {m: u for u, m in cur.fetchall()}
            cur.executemany(
                "INSERT INTO accounts_rolegrant (user_id, org_id, role, created_at) VALUES (%s, %s, %s, %s)",
                [(ids[pk], org, "member", now) for pk, org, *_ in rows],
            )
            cur.executemany(
                "INSERT INTO notifications_message (channel, dedupe_key, recipient_name, phone_enc, phone_masked,"
                " org_id, title, body, status, attempts, next_attempt_at, claim_token, last_error, provider_id,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending', 0, %s, '', '', '', %s)",
                [(*row, row[-1]) for row in sms],
            )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def subject(county: object, delivery: str) -> tuple[float, object]:
    from accounts.models import ProvisioningRun
    from accounts.services import provisioning

    run = ProvisioningRun.objects.create(org=county, source="members", delivery=delivery)
    started = time.perf_counter()
    run = provisioning.run_provisioning(run.pk)
    return time.perf_counter() - started, run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--iterations", type=int, default=1_000)
    parser.add_argument("--delivery", default="sms", choices=["sms", "pdf"])
    parser.add_argument("--db-name", help="name of the throwaway PostgreSQL database (created and dropped)")
    args = parser.parse_args()
    import os

    os.environ["XIANFENG_INITIAL_PASSWORD_ITERATIONS"] = str(args.iterations)
    with open_database(args.db, name=args.db_name) as where:
        from django.conf import settings

        print(
            f"{where}; {args.members:,} members; hasher iterations {settings.INITIAL_PASSWORD_ITERATIONS:,}"
        )
        print("\n(a) one hash")
        print(
            table(
                ["hasher", "ms/hash", "hashes/s", "250k accounts, min (1 core)"], hash_costs(args.iterations)
            )
        )
        started = time.perf_counter()
        county = build(args.members, random.Random(1))
        print(f"\nbuilt {args.members:,} members in {time.perf_counter() - started:.1f} s")
        import accounts.tasks  # noqa: F401 - a worker has these loaded: keep imports out of the timing
        import notifications.tasks  # noqa: F401

        base = baseline(args.members, args.delivery)
        took, run = subject(county, args.delivery)
        assert run.status == "done" and run.accounts_created == args.members, (run.status, run.errors[:3])
        again, rerun = subject(county, args.delivery)
        assert rerun.accounts_created == 0 and rerun.grants_created == 0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("\n(b–d) provisioning")
        print(
            table(
                ["DB", "members", "delivery", "baseline s", "baseline acc/s", "provisioning s", "acc/s",
                 "ratio", "second run s", "peak MB"],
                [[args.db, f"{args.members:,}", args.delivery, f"{base:.1f}", f"{args.members / base:,.0f}",
                  f"{took:.1f}", f"{args.members / took:,.0f}", f"{took / base:.2f}", f"{again:.1f}", f"{peak:.0f}"]],
            )
        )  # fmt: skip


if __name__ == "__main__":
    main()
