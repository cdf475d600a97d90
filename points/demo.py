"""Demo data for the points ledger: the 宿松 catalogue (points.defaults) and a year of plausible entries.

`generate_points_demo(seed, scale)` is deterministic for a seed. It puts the catalogue on the top
organization, publishes two versions (the second raises 撰写学习心得 from 2 to 3 points from 1 July, so
versioning shows), then bulk-inserts entries for a fraction of the active members with caps applied
in memory, plus declarations in every state for the first branches and a quarterly review.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from orgs.models import Member, Organization
from points.defaults import BLOCKS, DOCUMENT, ITEMS
from points.models import (
    Block,
    Catalogue,
    Declaration,
    DeclarationEvent,
    LedgerEntry,
    PointRule,
    QuarterReview,
    RuleVersion,
)
from points.services.balances import rebuild_balances
from points.services.ledger import Usage

D = Decimal
SHARE = {"tiny": 1.0, "county": 0.3, "city": 0.1, "province": 0.02}
# Relative frequency of each declarable or automatic item in the generated year.
WEIGHTS = {
    "orglife_attendance": 10,
    "theory_study": 14,
    "reading_club": 5,
    "economy_lecture": 5,
    "site_visit": 2,
    "study_notes": 6,
    "special_training": 1,
    "micro_lecture": 1,
    "theme_day": 3,
    "quiz_pass": 4,
    "video_watched": 4,
    "frontline_practice": 1,
    "journal_article": 0.2,
    "bulletin_adopted": 1,
}


def build_catalogue(org: Organization, *, year: int, actor: User | None = None) -> Catalogue:
    """The 宿松 catalogue with a first version from 1 January and a second from 1 July (published)."""
    catalogue = Catalogue.objects.create(
        org=org, name="学习积分制（学经济、提能力、促发展）", document=DOCUMENT
    )
    now = timezone.now()
    for number, start, note in (
        (1, dt.date(year, 1, 1), "首版"),
        (2, dt.date(year, 7, 1), "撰写学习心得调整为3分/篇"),
    ):
        version = RuleVersion.objects.create(
            catalogue=catalogue,
            number=number,
            effective_from=start,
            note=note,
            status=RuleVersion.Status.PUBLISHED,
            published_at=now,
            created_by=actor,
        )
        blocks = {
            code: Block.objects.create(version=version, code=code, name=name, cap=cap, order=i)
            for i, (code, name, cap) in enumerate(BLOCKS)
        }
        rules = []
        for i, item in enumerate(ITEMS):
            if number == 2 and item.code == "study_notes":
                item = item._replace(points=D("3"))
            rules.append(PointRule(version=version, block=blocks[item.block], order=i, **item.rule_fields()))
        PointRule.objects.bulk_create(rules)
    return catalogue


@dataclass
class PointsDemoStats:
    entries: int = 0
    declarations: int = 0
    members: int = 0
    seconds: float = 0.0


def _rules_by_version(catalogue: Catalogue) -> list[tuple[dt.date, dict[str, PointRule]]]:
    out = []
    for v in catalogue.versions.order_by("-effective_from"):
        out.append((v.effective_from, {r.code: r for r in v.rules.select_related("block")}))
    return out


def generate_points_demo(
    seed: int, scale: str, *, today: dt.date | None = None, batch: int = 5000
) -> PointsDemoStats:
    """Create the catalogue and a year of entries; does nothing if a catalogue already exists."""
    started = time.perf_counter()
    stats = PointsDemoStats()
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or Catalogue.objects.exists():
        return stats
    rng = random.Random(seed * 7919 + 4)
    today = today or timezone.localdate()
    year = today.year
    with transaction.atomic():
        catalogue = build_catalogue(root, year=year)
    versions = _rules_by_version(catalogue)
    span = (today - dt.date(year, 1, 1)).days
    share = SHARE.get(scale, 0.1)
    members = Member.objects.filter(status=Member.Status.NORMAL, is_exempt=False).order_by("pk")
    with transaction.atomic():
        stats.members, stats.entries = _demo_entries(rng, versions, members, share, year, span)
        rebuild_balances(year=year)  # the entries went in as plain INSERTs, not through write_entries
    stats.declarations = _demo_declarations(rng, versions, today)
    stats.seconds = time.perf_counter() - started
    return stats


ENTRY_COLUMNS = [
    "member_id",
    "org_id",
    "rule_id",
    "item_code",
    "block_code",
    "occurred_on",
    "points",
    "capped_from",
    "capped_reason",
    "source_type",
    "source_id",
    "note",
    "created_at",
]


def insert_entries(rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERTs of ENTRY_COLUMNS tuples: demo and benchmark data without the ORM's per-row cost."""
    ops = connection.ops
    adapted = [
        (
            m,
            o,
            r,
            item,
            block,
            ops.adapt_datefield_value(day),
            ops.adapt_decimalfield_value(points, 7, 1),
            None if capped is None else ops.adapt_decimalfield_value(capped, 7, 1),
            reason,
            src,
            sid,
            note,
            ops.adapt_datetimefield_value(at),
        )
        for m, o, r, item, block, day, points, capped, reason, src, sid, note, at in rows
    ]
    sql = (
        f"INSERT INTO {LedgerEntry._meta.db_table} ({', '.join(ENTRY_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)


def _demo_entries(
    rng: random.Random,
    versions: list[tuple[dt.date, dict[str, PointRule]]],
    members: Any,
    share: float,
    year: int,
    span: int,
    batch: int = 10000,
) -> tuple[int, int]:
    codes = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in codes]
    buffer: list[tuple[Any, ...]] = []
    now = timezone.now()
    written = sampled = 0
    for member_id, org_id in members.values_list("pk", "org_id"):
        if rng.random() >= share:
            continue
        sampled += 1
        usage = Usage([], [])
        # Most members land between 40 and 100 points; some stay under the pass mark.
        count = max(3, int(rng.gauss(26, 9)))
        days = sorted(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(count))
        for day in days:
            code = rng.choices(codes, weights)[0]
            rule = next(r for start, r in versions if start <= day)[code]
            granted, reason = usage.grant(member_id, rule, day, rule.points)
            kind = "auto" if rule.automatic else "decl"
            buffer.append(
                (
                    member_id,
                    org_id,
                    rule.pk,
                    code,
                    rule.block.code,
                    day,
                    granted,
                    rule.points if reason else None,
                    reason[:200],
                    LedgerEntry.Source.DEMO,
                    f"{kind}-{member_id}-{written + len(buffer)}",
                    "",
                    now,
                )
            )
        if len(buffer) >= batch:
            insert_entries(buffer)
            written += len(buffer)
            buffer = []
    insert_entries(buffer)
    return sampled, written + len(buffer)


def _demo_declarations(
    rng: random.Random, versions: list[tuple[dt.date, dict[str, PointRule]]], today: dt.date
) -> int:
    """Declarations in every state for the first few branches, and Q1–Q3 reviews where a user exists."""
    branches = list(Organization.objects.branches().order_by("path")[:5])
    declarer = (
        User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()
    )
    if declarer is None:
        declarer = User.objects.create(username="points_demo", is_active=False)
    rows: list[Declaration] = []
    states = [Declaration.Status.DECLARED, Declaration.Status.RECORDED, Declaration.Status.REJECTED]
    for branch in branches:
        for member in Member.objects.filter(org=branch, status=Member.Status.NORMAL).order_by("pk")[:6]:
            for _ in range(2):
                day = today - dt.timedelta(days=rng.randrange(1, 40))
                rules = next(r for start, r in versions if start <= day)
                rule = rules[rng.choice(["theory_study", "reading_club", "study_notes", "economy_lecture"])]
                status = rng.choice(states)
                rows.append(
                    Declaration(
                        member=member,
                        org=branch,
                        rule=rule,
                        occurred_on=day,
                        status=status,
                        declared_by=declarer,
                        description=f"{day:%m月%d日}{rule.name}，认真学习并作交流发言。",
                        reject_reason="请补充学习内容和时长" if status == Declaration.Status.REJECTED else "",
                    )
                )
    Declaration.objects.bulk_create(rows)
    DeclarationEvent.objects.bulk_create([DeclarationEvent(declaration=d, action="declared") for d in rows])
    reviewer = declarer if declarer.is_active else None
    if reviewer is not None:
        now = timezone.now()
        QuarterReview.objects.bulk_create(
            [
                QuarterReview(
                    branch=b,
                    year=today.year,
                    quarter=q,
                    confirmed_by=reviewer,
                    confirmed_at=now,
                    remarks="本季度学习积分已审定，整体情况良好。",
                )
                for b in branches
                for q in range(1, (today.month - 1) // 3 + 1)
            ]
        )
    return len(rows)
