"""Structure checks from RULES.md §3 (S-01, S-02, S-03, S-05, S-06, S-07, S-08, S-15), warnings, never errors."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from orgs.models import Member, Organization, Position

BRANCH_MIN_FULL_MEMBERS = 3  # S-01
BRANCH_SOFT_MAX_MEMBERS = 50  # S-02
COMMITTEE_REQUIRED_FULL_MEMBERS = 7  # S-05
TERM_WARNING_MONTHS = 3  # S-09: the reminder lead time is local (U); 3 months by default


def default_term_years(org: Organization) -> int:
    """S-08: 党委 5 years, 总支 and 支部 3 years, any village or community organization 5 years."""
    if org.is_village_or_community:
        return 5
    if org.kind in Organization.COMMITTEE_KINDS:
        return 5
    return 3


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check(org: Organization, *, full_members: int, members: int, today: dt.date) -> list[Warning]:
    warnings: list[Warning] = []
    if org.is_branch:
        if full_members < BRANCH_MIN_FULL_MEMBERS:
            warnings.append(Warning("too_few", f"正式党员{full_members}人，不足{BRANCH_MIN_FULL_MEMBERS}人"))
        if members > BRANCH_SOFT_MAX_MEMBERS:
            warnings.append(
                Warning("too_many", f"党员{members}人，超过{BRANCH_SOFT_MAX_MEMBERS}人，宜划分或调整")
            )
        if full_members >= COMMITTEE_REQUIRED_FULL_MEMBERS and not org.has_committee:
            warnings.append(Warning("no_committee", f"正式党员{full_members}人，应设立支部委员会"))
    ends = org.term_ends_on
    if ends is not None:
        if ends < today:
            warnings.append(Warning("term_expired", f"届期已于{ends:%Y年%m月%d日}届满，应按期换届"))
        elif ends <= _add_months(today, TERM_WARNING_MONTHS):
            warnings.append(Warning("term_expiring", f"届期将于{ends:%Y年%m月%d日}届满，请做好换届准备"))
    return warnings


def with_member_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    active = Q(members__status__in=Member.ACTIVE_STATUSES)
    return qs.annotate(
        n_members=Count("members", filter=active),
        n_full=Count("members", filter=active & Q(members__category=Member.Category.FULL)),
    )


def org_warnings(org: Organization, today: dt.date) -> list[Warning]:
    counted = with_member_counts(Organization.objects.filter(pk=org.pk)).values("n_members", "n_full").get()  # type: ignore[misc]
    return check(org, full_members=counted["n_full"], members=counted["n_members"], today=today)


def problem_list(qs: QuerySet[Organization], today: dt.date) -> list[tuple[Organization, list[Warning]]]:
    """The 问题清单: every organization in qs with at least one structure warning."""
    # The shortest term is 3 years, so only terms started before this can be near their end.
    term_cutoff = _add_months(today, TERM_WARNING_MONTHS - 36)
    candidates = with_member_counts(qs).filter(
        Q(term_started_on__lte=term_cutoff) | Q(kind__in=Organization.BRANCH_KINDS)
    )
    out = []
    for org in candidates.order_by("path"):
        found = check(org, full_members=org.n_full, members=org.n_members, today=today)  # type: ignore[attr-defined]
        if found:
            out.append((org, found))
    return out


# ---------------------------------------------------------------- S-03, S-06, S-07, S-15 (shown after an import)

JOINT_BRANCH_MAX_UNITS = 5  # S-03, soft
SECRETARY_MIN_STANDING_YEARS = 1  # S-06, soft
COMMITTEE_SUGGESTED_MEMBERS = 100  # S-07: ≥100 members → 党委
GENERAL_BRANCH_SUGGESTED_MEMBERS = 50  # S-07: 50–99 → 总支
GROUPS_SUGGESTED_MEMBERS = 30  # S-15 gives no number (U): a local threshold
_UNIT_SEPARATORS = re.compile(r"[、，,；;/]+")


def _units(org: Organization) -> list[str]:
    return [u for u in _UNIT_SEPARATORS.split(org.unit_name or "") if u.strip()]


def structure_findings(
    qs: QuerySet[Organization], today: dt.date
) -> list[tuple[Organization, list[Warning]]]:
    """S-03, S-06, S-07 and S-15 for the organizations in qs, in a fixed number of queries."""
    orgs = list(with_member_counts(qs.filter(is_active=True)).order_by("path"))
    if not orgs:
        return []
    ids = [o.pk for o in orgs]
    child_groups = list(
        Organization.objects.filter(
            parent_id__in=ids, kind=Organization.Kind.GROUP, is_active=True
        ).values_list("pk", "parent_id")
    )
    groups = Counter(parent for _, parent in child_groups)
    group_ids = {pk for pk, _ in child_groups} | {o.pk for o in orgs if o.kind == Organization.Kind.GROUP}
    posts = Position.objects.current().filter(org_id__in=set(ids) | group_ids)
    led_groups = set(posts.filter(title=Position.Title.GROUP_LEADER).values_list("org_id", flat=True))
    standing_from = _add_months(today, -12 * SECRETARY_MIN_STANDING_YEARS)
    new_secretaries = dict(
        posts.filter(title=Position.Title.SECRETARY, member__joined_on__gt=standing_from).values_list(
            "org_id", "member__name"
        )
    )
    out = []
    for org in orgs:
        found: list[Warning] = []
        members: int = org.n_members  # type: ignore[attr-defined]
        if org.kind == Organization.Kind.JOINT_BRANCH and len(_units(org)) > JOINT_BRANCH_MAX_UNITS:
            found.append(
                Warning(
                    "joint_too_many_units",
                    f"联合党支部涉及{len(_units(org))}个单位，一般不超过{JOINT_BRANCH_MAX_UNITS}个（S-03）",
                )
            )
        if org.pk in new_secretaries:
            found.append(
                Warning(
                    "secretary_standing",
                    f"书记{new_secretaries[org.pk]}党龄不足{SECRETARY_MIN_STANDING_YEARS}年（S-06）",
                )
            )
        if org.is_branch and members >= COMMITTEE_SUGGESTED_MEMBERS:
            found.append(Warning("suggest_committee", f"党员{members}人，一般应成立党的基层委员会（S-07）"))
        elif org.is_branch and members >= GENERAL_BRANCH_SUGGESTED_MEMBERS:
            found.append(Warning("suggest_general_branch", f"党员{members}人，一般应成立党总支（S-07）"))
        if org.is_branch and members >= GROUPS_SUGGESTED_MEMBERS and not groups.get(org.pk):
            found.append(Warning("no_groups", f"党员{members}人，应划分党小组（S-15）"))
        if org.kind == Organization.Kind.GROUP and org.pk not in led_groups:
            found.append(Warning("group_without_leader", "党小组未设组长（S-15）"))
        if found:
            out.append((org, found))
    return out
