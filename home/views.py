"""工作台: each user's landing page, drawn from every app, so it sits above the apps (docs/architecture.md).

Each role lands on its own work: the county and committees on their subtree's figures, a branch secretary
on the branch's to-do list, an observer on this half-year's branches, a member on their own points.
"""

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from accounts.webguard import allow_device_copy
from learning.models import VideoAssignment
from learning.services.videos import assignments_for
from notifications.services.notices import inbox
from observers.models import Observer
from observers.services import observe
from orglife.rules import LIFE_KINDS
from orglife.selectors.stats import dashboard_chart
from orglife.selectors.today import branches_today
from orglife.services.records import can_approve, can_create
from orgs import reference, selectors
from orgs.access import grants, has_any_scope
from orgs.models import Member, Organization
from orgs.roles import Role
from points.selectors.files import member_summary
from quizzes.models import Attempt, Campaign

UPPER_ROLES = frozenset({Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, Role.VIEWER, Role.PATROL, Role.AUDITOR})
BRANCH_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN, Role.BRANCH_CONTACT})


def _messages(user: User) -> list[Any]:
    return list(inbox(user).filter(read_at__isnull=True).order_by("-created_at")[:5])


def _own_branches(user: User) -> tuple[list[Organization], dict[int, list[Organization]]]:
    """The branches the user keeps, and each one's active 党小组, in one query; the tree is reference data,
    kept in the process's memory while current (orgs.reference: every write of an organization bumps it)."""
    paths = frozenset(path for role, path in grants(user) if role in BRANCH_ROLES)
    if not paths:
        return [], {}
    return reference.remember(("home.own_branches", paths), lambda: _branches_with_groups(paths))


def _branches_with_groups(paths: frozenset[str]) -> tuple[list[Organization], dict[int, list[Organization]]]:
    rows = Organization.objects.filter(
        Q(path__in=paths, kind__in=LIFE_KINDS) | Q(parent__path__in=paths, kind=Organization.Kind.GROUP),
        is_active=True,
    ).order_by("path")
    branches = [org for org in rows if org.path in paths]
    groups: dict[int, list[Organization]] = {org.pk: [] for org in branches}
    for org in rows:
        if org.kind == Organization.Kind.GROUP and org.parent_id in groups:
            groups[org.parent_id].append(org)
    return branches, groups


def _own_observer(user: User) -> Observer | None:
    """The user's observer record: the access context knows when there is none (no query), and the menu's
    look-up of the same reverse one-to-one is then shared with this one."""
    try:
        return cast(Observer, user.observer)  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def _own_member(user: User) -> Member | None:
    return Member.objects.select_related("org").filter(pk=user.member_id).first() if user.member_id else None


def _points(member: Member | None) -> Any:
    """The year's points by block for the user's own member (the full file is one click away)."""
    return member_summary(member, timezone.localdate().year) if member is not None else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    held = {role for role, _ in grants(user)}
    if user.is_superuser or held & UPPER_ROLES or not has_any_scope(user):
        if has_any_scope(user):
            return _county(request, user)
        observer = _own_observer(user)
        if observer is not None:
            return _observer(request, user, observer)
        return _member(request, user)
    branches, groups = _own_branches(user)
    if not branches:
        return _county(request, user)
    return _secretary(request, user, branches, groups)


def _county(request: HttpRequest, user: User) -> HttpResponse:
    stats = selectors.dashboard(user, timezone.localdate())
    completion = dashboard_chart(user, timezone.localdate())  # orglife: the month by committee
    context = {"stats": stats, "chart_data": stats.chart_data(), "completion_chart": completion}
    return render(request, "home/dashboard.html", context)


def _secretary(
    request: HttpRequest, user: User, branches: list[Organization], groups: dict[int, list[Organization]]
) -> HttpResponse:
    rows = [
        {
            "today": today,
            "can_create": can_create(user, today.org),
            "can_approve": can_approve(user, today.org),
        }
        for today in branches_today(branches, timezone.localdate(), groups)
    ]
    # The phone's daily page: the service worker may show its last copy at once while it fetches this one.
    return allow_device_copy(render(request, "home/secretary.html", {"rows": rows}))


@login_required
def side(request: HttpRequest) -> HttpResponse:
    """The secretary's home's side panel: the user's unread messages and their year's points. htmx loads it
    after the page (its queries are the user's own, not the branch's); without JavaScript the home links here
    and it is a page of its own."""
    user = cast(User, request.user)
    context = {"notices": _messages(user), "file": _points(_own_member(user))}
    if request.headers.get("HX-Request"):
        return render(request, "home/_side.html", context)
    return render(request, "home/side.html", context)


def _observer(request: HttpRequest, user: User, observer: Observer) -> HttpResponse:
    start = observe.half_start()
    rows = observe.my_branches(observer, start)
    context = {
        "observer": observer,
        "rows": rows,
        "period": observe.half_period(start),
        "unobserved": sum(1 for r in rows if not r.observed),
        "upcoming": list(observe.upcoming_meetings(observer)[:5]),
        "notices": _messages(user),
        "file": _points(_own_member(user)),
    }
    return render(request, "home/observer.html", context)


def _study(member: Member | None) -> dict[str, Any] | None:
    """What the member has to study now: 必看 videos not yet watched to the end, quiz campaigns open now
    with an attempt left, and whether today's practice is done. A fixed number of queries."""
    if member is None:
        return None
    now = timezone.now()
    required = [
        a
        for a in assignments_for(member, with_watched=True)
        if a.kind == VideoAssignment.Kind.REQUIRED and not a.watched  # type: ignore[attr-defined]
    ]
    videos = sorted(required, key=lambda a: a.due_on)
    campaigns = list(Campaign.objects.open_to_member(member, now)[:20])
    # The member's attempts at these campaigns and today's practice: one read of the member's attempts.
    used: dict[int | None, int] = {}
    for campaign_id in Attempt.objects.filter(
        Q(campaign__in=[c.pk for c in campaigns]) | Q(campaign=None, practice_on=timezone.localdate()),
        member=member,
    ).values_list("campaign_id", flat=True):
        used[campaign_id] = used.get(campaign_id, 0) + 1
    open_campaigns = [c for c in campaigns if used.get(c.pk, 0) < c.attempts_allowed]
    return {"videos": videos, "campaigns": open_campaigns, "practiced": None in used}


def _member(request: HttpRequest, user: User) -> HttpResponse:
    member = _own_member(user)
    context = {"member": member, "file": _points(member), "notices": _messages(user), "study": _study(member)}
    return allow_device_copy(render(request, "home/dashboard_member.html", context))
