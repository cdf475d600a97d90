"""Demo data for the points ledger: the 宿松 catalogue (points.defaults) and a year of plausible entries.

`generate_points_demo(seed, scale)` is deterministic for a seed. It writes through the points services,
as the system: the catalogue from the template, published in two versions (the second raises 撰写学习心得
from 2 to 3 points from 1 July, so versioning shows); a year of entries for a fraction of the active
members through add_entries, award_automatic_batch's bulk path (caps and balances as for any entry);
the ended quarters of the first branches reviewed with confirm_quarter where a reviewer exists; then
declarations in every open state through add_declarations.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import holds
from orgs.models import Member, Organization
from points.defaults import DOCUMENT
from points.models import Catalogue, Declaration, LedgerEntry, PointRule
from points.periods import quarter_bounds, quarter_of
from points.roles import REVIEW_ROLES
from points.services import (
    AutomaticAward,
    add_declarations,
    add_entries,
    confirm_quarter,
    create_catalogue_from_template,
    publish_version,
    save_rule,
    start_version,
    update_version,
)

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
    catalogue = create_catalogue_from_template(
        actor=actor,
        org=org,
        name="学习积分制（学经济、提能力、促发展）",
        document=DOCUMENT,
        effective_from=dt.date(year, 1, 1),
    )
    first = update_version(actor=actor, version=catalogue.versions.get(), note="首版")
    publish_version(actor=actor, version=first)
    second = start_version(
        actor=actor, catalogue=catalogue, effective_from=dt.date(year, 7, 1), note="撰写学习心得调整为3分/篇"
    )
    notes = second.rules.get(code="study_notes")
    save_rule(actor=actor, version=second, rule=notes, points=D("3"))
    publish_version(actor=actor, version=second)
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
    seed: int, scale: str, *, today: dt.date | None = None, batch: int = 600
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
        stats.members, stats.entries = _demo_entries(rng, versions, members, share, year, span, batch)
        record_event(
            actor=None,
            actor_name="generate_demo",
            action=AuditEvent.Action.IMPORT,
            target_repr=f"演示积分 {stats.entries} 条",
            summary={"points_entries": stats.entries, "members": stats.members},
        )
    stats.declarations = _demo_declarations(rng, versions, today)
    stats.seconds = time.perf_counter() - started
    return stats


def _demo_entries(
    rng: random.Random,
    versions: list[tuple[dt.date, dict[str, PointRule]]],
    members: Any,
    share: float,
    year: int,
    span: int,
    batch: int,
) -> tuple[int, int]:
    """Entries for a share of the members, written `batch` members at a time through add_entries (the
    bulk path of award_automatic_batch: the item in force on each date, caps, balances), as the system."""
    codes = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in codes]
    automatic = {code: rule.automatic for code, rule in versions[-1][1].items()}
    awards: list[AutomaticAward] = []
    written = sampled = queued = 0
    for member_id in members.values_list("pk", flat=True):
        if rng.random() >= share:
            continue
        sampled += 1
        # Most members land between 40 and 100 points; some stay under the pass mark.
        count = max(3, int(rng.gauss(26, 9)))
        days = sorted(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(count))
        for day in days:
            code = rng.choices(codes, weights)[0]
            kind = "auto" if automatic[code] else "decl"
            awards.append(
                AutomaticAward(member_id, code, day, LedgerEntry.Source.DEMO, f"{kind}-{member_id}-{queued}")
            )
            queued += 1
        if sampled % batch == 0:
            written += add_entries(actor=None, awards=awards)
            awards = []
    written += add_entries(actor=None, awards=awards)
    return sampled, written


def _demo_declarations(
    rng: random.Random, versions: list[tuple[dt.date, dict[str, PointRule]]], today: dt.date
) -> int:
    """Q1–Q3 reviewed where a reviewer exists, then declarations in every open state for the first few
    branches, dated in the current quarter (a reviewed quarter takes no more declarations)."""
    branches = list(Organization.objects.branches().order_by("path")[:5])
    declarer = (
        User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()
    )
    if declarer is None:
        declarer = User.objects.create(username="points_demo", is_active=False)
    for branch in branches:
        if not (declarer.is_active and holds(declarer, REVIEW_ROLES, branch.path)):
            continue
        for quarter in range(1, quarter_of(today)):
            confirm_quarter(
                actor=declarer,
                branch=branch,
                year=today.year,
                quarter=quarter,
                remarks="本季度学习积分已审定，整体情况良好。",
                today=today,
            )
    # The open window: the last 40 days, within the current quarter, up to yesterday where there is one.
    first = max(quarter_bounds(today.year, quarter_of(today))[0], today - dt.timedelta(days=40))
    last = max(first, today - dt.timedelta(days=1))
    rows: list[Declaration] = []
    states = [Declaration.Status.DECLARED, Declaration.Status.RECORDED, Declaration.Status.REJECTED]
    for branch in branches:
        for member in Member.objects.filter(org=branch, status=Member.Status.NORMAL).order_by("pk")[:6]:
            for _ in range(2):
                day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
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
    with transaction.atomic():
        written = add_declarations(actor=None, rows=rows, today=today, skip_full=True)
        record_event(
            actor=None,
            actor_name="generate_demo",
            action=AuditEvent.Action.IMPORT,
            target_repr=f"演示积分申报 {len(written)} 条",
            summary={"points_declarations": len(written)},
        )
    return len(written)
