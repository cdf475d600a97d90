"""What a branch owes, and the vote rules (RULES.md §2). Every count here comes from the rule set in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import DateField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orglife.models import MeetingRule, MeetingType, RuleSet
from orglife.periods import MONTH, Period, first_of_month
from orgs import reference
from orgs.models import Discipline, Member, Organization

# Organizations that hold organizational life of their own.
LIFE_KINDS = (*Organization.BRANCH_KINDS, Organization.Kind.GENERAL_BRANCH)


def ruleset_for(month: dt.date) -> RuleSet:
    """The rule set in force for the month (the latest version effective on or before its first day); rule
    sets are reference data, kept in the process's memory while current (orgs.reference)."""
    first = first_of_month(month)
    found = reference.remember(
        ("orglife.ruleset_for", first),
        lambda: RuleSet.objects.filter(effective_from__lte=first).order_by("-effective_from").first(),
    )
    if found is None:
        raise RuleSet.DoesNotExist("没有适用于该月份的组织生活规则")
    return found


_RULESET_FIELDS = tuple(f.attname for f in RuleSet._meta.concrete_fields)
_RULE_FIELDS = tuple(f.attname for f in MeetingRule._meta.concrete_fields)


def rulesets_for(months: Iterable[dt.date]) -> dict[dt.date, RuleSet]:
    """The rule set in force for each month (keyed by its first day), each with its rules loaded, in one
    query: the rule sets from the one in force at the earliest month to the latest month, left-joined with
    their rules. A page showing several months asks once instead of once per month (and per rule list).
    Kept in the process's memory while current (orgs.reference): every write of a rule set bumps it."""
    firsts = tuple(sorted({first_of_month(m) for m in months}))
    if not firsts:
        return {}
    return reference.remember(("orglife.rulesets_for", firsts), lambda: _rulesets_for(firsts))


def _rulesets_for(firsts: tuple[dt.date, ...]) -> dict[dt.date, RuleSet]:
    in_force_at_first = (
        RuleSet.objects.filter(effective_from__lte=firsts[0])
        .order_by("-effective_from")
        .values("effective_from")[:1]
    )
    lowest = Coalesce(Subquery(in_force_at_first), Value(firsts[0]), output_field=DateField())
    rows = (
        RuleSet.objects.filter(effective_from__lte=firsts[-1], effective_from__gte=lowest)
        .order_by("-effective_from", "rules__meeting_type")
        .values_list(*_RULESET_FIELDS, *(f"rules__{name}" for name in _RULE_FIELDS))
    )
    loaded: dict[int, RuleSet] = {}
    rules: dict[int, list[MeetingRule]] = {}
    width = len(_RULESET_FIELDS)
    for row in rows:
        ruleset_values, rule_values = row[:width], row[width:]
        pk = ruleset_values[_RULESET_FIELDS.index("id")]
        if pk not in loaded:
            loaded[pk] = RuleSet.from_db("default", list(_RULESET_FIELDS), list(ruleset_values))
            rules[pk] = []
        if rule_values[_RULE_FIELDS.index("id")] is not None:
            rules[pk].append(MeetingRule.from_db("default", list(_RULE_FIELDS), list(rule_values)))
    for pk, ruleset in loaded.items():
        rule_list = ruleset.rules.all()
        rule_list._result_cache = rules[pk]  # type: ignore[attr-defined]
        rule_list._prefetch_done = True  # type: ignore[attr-defined]
        for rule in rules[pk]:
            rule.ruleset = ruleset
        ruleset._prefetched_objects_cache = {"rules": rule_list}  # type: ignore[attr-defined]
    newest_first = sorted(loaded.values(), key=lambda r: r.effective_from, reverse=True)
    out: dict[dt.date, RuleSet] = {}
    for month in firsts:
        found = next((r for r in newest_first if r.effective_from <= month), None)
        if found is None:
            raise RuleSet.DoesNotExist("没有适用于该月份的组织生活规则")
        out[month] = found
    return out


@dataclass(frozen=True)
class Requirement:
    """min_count meetings of meeting_type in period (for a 党小组 when group is set)."""

    meeting_type: str
    period: Period
    min_count: int
    soft: bool
    group: Organization | None = None
    source: str = ""

    @property
    def label(self) -> str:
        name = MeetingType(self.meeting_type).label
        return f"{name}（{self.group.display_name}）" if self.group is not None else name


def groups_of(org: Organization) -> list[Organization]:
    return list(org.children.filter(kind=Organization.Kind.GROUP, is_active=True).order_by("path"))


def requirements(
    org: Organization,
    month: dt.date,
    *,
    ruleset: RuleSet | None = None,
    groups: list[Organization] | None = None,
) -> list[Requirement]:
    """Every requirement whose period contains `month`, for this branch."""
    if org.kind not in LIFE_KINDS:
        return []
    ruleset = ruleset or ruleset_for(month)
    out: list[Requirement] = []
    for rule in ruleset.rules.all():
        period = Period.containing(rule.period, month)
        if rule.applies_to == MeetingRule.AppliesTo.WITH_COMMITTEE and not org.has_committee:
            continue
        if rule.applies_to == MeetingRule.AppliesTo.PER_GROUP:
            for group in groups if groups is not None else groups_of(org):
                out.append(
                    Requirement(rule.meeting_type, period, rule.min_count, rule.soft, group, rule.source)
                )
            continue
        out.append(Requirement(rule.meeting_type, period, rule.min_count, rule.soft, None, rule.source))
    return out


def due_in(req: Requirement, month: dt.date) -> bool:
    """A requirement falls due in the last month of its period (monthly ones every month)."""
    return req.period.kind == MONTH or req.period.ends_in(month)


# Votes (RULES.md OL-03, OL-04, C7): strict "more than half", pass counted against the eligible.


def assembly_quorum(*, present: int, eligible: int) -> bool:
    return eligible > 0 and present * 2 > eligible


def assembly_passes(*, yes: int, eligible: int) -> bool:
    return eligible > 0 and yes * 2 > eligible


def committee_quorum(*, present: int, committee_size: int) -> bool:
    return committee_size > 0 and present * 2 > committee_size


def attendance_due(org: Organization) -> list[Member]:
    """Members due to attend (应到): exempt, lost and suspended members leave the denominator (§2.2, OL-16)."""
    return list(
        Member.objects.filter(
            org=org, status__in=(Member.Status.NORMAL, Member.Status.MOBILE), is_exempt=False
        ).order_by("id")
    )


def barred_from_voting(member_ids: Iterable[int], day: dt.date) -> set[int]:
    """Members under 留党察看 on `day` (orgs.Discipline): they have no vote (Q-01), so a 党员大会 leaves them out
    of both those due to vote and those present, as development's 支部大会 vote does (D-12)."""
    return Discipline.objects.filter(member_id__in=list(member_ids)).barred_ids(day)


def is_voter(member: Member, barred: Collection[int]) -> bool:
    """A full member due to attend whose rights are not suspended (Q-01)."""
    return (
        member.category == Member.Category.FULL and member.counts_in_denominator and member.pk not in barred
    )


def voting_eligible_count(org: Organization, day: dt.date | None = None) -> int:
    """Full members due to attend have the vote (Q-01); 预备党员 and members under 留党察看 on `day` (today
    by default) do not."""
    day = day or timezone.localdate()
    return (
        Member.objects.filter(
            org=org,
            status__in=(Member.Status.NORMAL, Member.Status.MOBILE),
            is_exempt=False,
            category=Member.Category.FULL,
        )
        .exclude(pk__in=Discipline.objects.in_force_on(day).values("member_id"))
        .count()
    )
