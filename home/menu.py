"""The side menu as data: groups of entries, each shown to the roles that use it, the role's daily work first.

A user is reduced to a set of audience tokens (their roles, plus ``+member`` for an account that is a party member,
``+observer`` for one acting as an observer and ``+superuser``);
the menu for a token set is built once per process and kept, so a request only picks the active entry.
Whether a page lets a user in is decided by the page itself (orgs.access); the menu only leaves out
what a role does not use, so a branch secretary is not shown the county's review and ranking tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from orgs.access import roles
from orgs.roles import Role

# Who works where. A superuser counts as every upper-level role.
UPPER = frozenset({Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, Role.VIEWER, "+superuser"})
BRANCH = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN, Role.BRANCH_CONTACT})
SCOREKEEPING = BRANCH | {Role.SCOREKEEPER}
MEMBER = frozenset({"+member"})
OBSERVER = frozenset({"+observer"})
EVERYONE = frozenset({"*"})
INFO = UPPER | {Role.INFO_OFFICER, Role.EDITOR}

# Stands for the user's own member id in a cached href.
_ME = "0"


@dataclass(frozen=True)
class Entry:
    url: str
    label: str
    icon: str
    audience: frozenset[str]
    active: tuple[str, ...]  # path prefixes; "=/x/" matches exactly
    first_for: frozenset[str] = frozenset()  # moved to the head of its group for these
    unless: frozenset[str] = frozenset()  # hidden when the user is one of these
    mine: bool = False  # the url takes the user's member id


@dataclass(frozen=True)
class Group:
    label: str
    entries: tuple[Entry, ...]
    first_for: frozenset[str] = frozenset()
    first_unless: frozenset[str] = frozenset()  # …but not for these (their daily work is elsewhere)


GROUPS: tuple[Group, ...] = (
    Group(
        "首页",
        (
            Entry("home:dashboard", "工作台", "bi-speedometer2", EVERYONE, ("=/",)),
            Entry("notifications:notice_list", "站内消息", "bi-bell", EVERYONE, ("=/notifications/",)),
        ),
        first_for=EVERYONE,  # always on top
    ),
    Group(
        "组织生活",
        (
            Entry(
                "orglife:plan_index", "月度计划", "bi-calendar-check", UPPER | BRANCH, ("/orglife/plans/",)
            ),
            Entry(
                "orglife:record_list",
                "组织生活纪实",
                "bi-camera",
                UPPER | BRANCH | {Role.PATROL},
                ("/orglife/records/",),
                first_for=BRANCH,
            ),
            Entry(
                "orglife:plan_review", "计划审核", "bi-clipboard-check", UPPER, ("/orglife/plans/review/",)
            ),
            Entry("orglife:plan_board", "计划报送情况", "bi-grid-3x3-gap", UPPER, ("/orglife/plans/board/",)),
            Entry(
                "orglife:stats_completion",
                "完成情况",
                "bi-bar-chart-line",
                UPPER | BRANCH,
                ("/orglife/stats/",),
            ),
            Entry(
                "orglife:patrol_check_list",
                "线上巡查",
                "bi-search",
                UPPER | {Role.PATROL},
                ("/orglife/patrol/",),
            ),
            Entry(
                "orglife:patrol_rect_list",
                "整改跟踪",
                "bi-tools",
                UPPER | BRANCH | {Role.PATROL},
                ("/orglife/patrol/rectifications",),
            ),
            Entry(
                "orglife:rule_list", "组织生活规则", "bi-journal-text", UPPER | BRANCH, ("/orglife/rules/",)
            ),
            Entry("orglife:score_list", "月积分", "bi-trophy", UPPER, ("/orglife/scores/",)),
            Entry(
                "orglife:interview_list",
                "约谈",
                "bi-person-lines-fill",
                UPPER,
                ("/orglife/scores/interviews",),
            ),
            Entry("notifications:outbox", "短信发送记录", "bi-chat-dots", UPPER, ("/notifications/outbox",)),
        ),
        first_for=BRANCH,
    ),
    Group(
        "组织与党员",
        (
            Entry("orgs:org_list", "党组织", "bi-diagram-3", UPPER | BRANCH, ("/orgs/",)),
            Entry("orgs:member_list", "党员", "bi-people", UPPER | BRANCH, ("/members/",)),
            Entry("orgs:position_list", "职务", "bi-person-badge", UPPER | BRANCH, ("/positions/",)),
            Entry(
                "orgs:onboarding",
                "导入全县数据",
                "bi-box-arrow-in-down",
                frozenset({Role.DEPT_ADMIN, "+superuser"}),
                ("/onboarding/",),
            ),
            Entry(
                "orgs:problems", "问题清单", "bi-exclamation-triangle", UPPER | BRANCH, ("/orgs/problems",)
            ),
        ),
    ),
    Group(
        "发展党员",
        (
            Entry(
                "development:person_list", "发展党员", "bi-person-plus", UPPER | BRANCH, ("/development/",)
            ),
            Entry("development:due_list", "到期提醒", "bi-alarm", UPPER | BRANCH, ("/development/due/",)),
        ),
    ),
    Group(
        "学习积分",
        (
            Entry("points:home", "积分首页", "bi-award", UPPER | SCOREKEEPING | MEMBER, ("=/points/",)),
            Entry(
                "points:member_file",
                "我的积分档案",
                "bi-person-badge",
                MEMBER,
                ("/points/members/",),
                mine=True,
            ),
            Entry("points:declare", "积分申报", "bi-plus-circle", MEMBER, ("/points/declare/",)),
            Entry(
                "points:declaration_list",
                "申报审核",
                "bi-inbox",
                UPPER | SCOREKEEPING,
                ("/points/declarations/", "/points/record/"),
            ),
            Entry(
                "points:declaration_list",
                "我的申报",
                "bi-inbox",
                MEMBER,
                ("/points/declarations/",),
                unless=UPPER | SCOREKEEPING,
            ),
            Entry("points:ledger", "积分台账", "bi-journal-text", UPPER | SCOREKEEPING, ("/points/ledger/",)),
            Entry(
                "points:notice_list",
                "月度公示",
                "bi-megaphone",
                UPPER | SCOREKEEPING | MEMBER,
                ("/points/notices/",),
            ),
            Entry(
                "points:review_list",
                "季度审定",
                "bi-clipboard-check",
                UPPER | SCOREKEEPING,
                ("/points/reviews/",),
            ),
            Entry(
                "points:ranking", "排名与统计", "bi-bar-chart", UPPER, ("/points/ranking/", "/points/weekly/")
            ),
            Entry(
                "points:interviews",
                "约谈与表扬",
                "bi-person-exclamation",
                UPPER,
                ("/points/interviews/", "/points/commendations/"),
            ),
            Entry(
                "points:catalogue_list",
                "积分办法",
                "bi-list-check",
                UPPER | SCOREKEEPING | MEMBER,
                ("/points/catalogue/", "/points/versions/"),
            ),
        ),
        first_for=MEMBER,
        first_unless=UPPER | SCOREKEEPING,
    ),
    Group(
        "学习教育",
        (
            Entry(
                "learning:hours",
                "学时台账",
                "bi-hourglass-split",
                UPPER | BRANCH,
                ("/learning/hours/", "/learning/members/"),
            ),
            Entry(
                "learning:member",
                "我的学时",
                "bi-hourglass-split",
                MEMBER,
                ("/learning/members/",),
                unless=UPPER | BRANCH,
                mine=True,
            ),
            Entry("learning:lessons", "微党课", "bi-easel", UPPER | BRANCH, ("/learning/lessons/",)),
            Entry(
                "learning:videos",
                "教育片库",
                "bi-film",
                UPPER | BRANCH | MEMBER,
                ("/learning/videos/", "/learning/assignments/"),
            ),
            Entry("learning:trainings", "集中培训", "bi-mortarboard", UPPER, ("/learning/trainings/",)),
            Entry(
                "learning:books",
                "一人一册",
                "bi-journal-bookmark",
                UPPER | MEMBER,  # a branch reaches the books reaching its members from the 学习教育 tabs
                ("/learning/books/", "/learning/records/"),
            ),
            Entry("quizzes:my", "答题与每日一练", "bi-pencil-square", MEMBER, ("/quizzes/",)),
            Entry("quizzes:bank", "题库", "bi-collection", UPPER, ("/quizzes/bank/",)),
            Entry(
                "quizzes:campaign_list", "答题活动", "bi-ui-checks", UPPER | BRANCH, ("/quizzes/campaigns/",)
            ),
        ),
    ),
    Group(
        "信息报送",
        (
            Entry(
                "bulletins:article_create",
                "报送信息",
                "bi-send",
                frozenset({Role.INFO_OFFICER, Role.DEPT_ADMIN, Role.COMMITTEE_ADMIN, "+superuser"}),
                ("/bulletins/articles/new/",),
            ),
            Entry(
                "bulletins:article_list",
                "信息稿件",
                "bi-file-earmark-text",
                INFO,
                ("=/bulletins/", "/bulletins/articles/"),
            ),
            Entry(
                "bulletins:inbox",
                "编辑收稿",
                "bi-inbox",
                frozenset({Role.EDITOR, Role.DEPT_ADMIN, "+superuser"}),
                ("/bulletins/inbox/",),
            ),
            Entry("bulletins:issue_list", "组工信息", "bi-newspaper", INFO, ("/bulletins/issues/",)),
            Entry("bulletins:progress", "报送任务", "bi-list-task", INFO, ("/bulletins/progress/",)),
            Entry(
                "bulletins:ranking",
                "采用排名",
                "bi-bar-chart-steps",
                UPPER | {Role.EDITOR},
                ("/bulletins/ranking/",),
            ),
        ),
        first_for=frozenset({Role.INFO_OFFICER, Role.EDITOR}),
    ),
    Group(
        "观察员",
        (
            Entry(
                "observers:observe_branches", "我的支部", "bi-binoculars", OBSERVER, ("/observers/observe/",)
            ),
            Entry(
                "observers:candidate_list",
                "观察员选聘",
                "bi-person-check",
                UPPER,
                ("/observers/candidates/",),
            ),
            Entry(
                "observers:observer_list", "观察员信息台账", "bi-person-vcard", UPPER, ("/observers/roster/",)
            ),
            Entry("observers:plan_list", "半年分配方案", "bi-diagram-2", UPPER, ("/observers/plans/",)),
            Entry(
                "observers:observe_coverage",
                "观察覆盖情况",
                "bi-flag",
                UPPER,
                ("/observers/observe/coverage",),
            ),
            Entry(
                "observers:observe_branch_list",
                "观察员列席记录",
                "bi-chat-square-text",
                UPPER,
                ("/observers/observe/branch",),
            ),
            Entry(
                "observers:assessment_list",
                "观察员考核与津贴",
                "bi-award",
                UPPER,
                ("/observers/assessment/",),
            ),
        ),
        first_for=OBSERVER,
    ),
    Group(
        "安全",
        (
            Entry(
                "audit:event_list",
                "审计日志",
                "bi-shield-check",
                frozenset({Role.AUDITOR, Role.AUDIT_ADMIN}),
                ("/audit/",),
            ),
            Entry(
                "accounts:user_list",
                "用户管理",
                "bi-person-gear",
                # 三员: the system administrator's accounts, the security administrator's grants.
                frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, "+superuser"}),
                ("/accounts/users/", "/accounts/provisioning/"),
            ),
            Entry(
                "accounts:security_admin",
                "安全管理",
                "bi-shield-lock",
                frozenset({Role.SECURITY_ADMIN}),
                ("/accounts/security/",),
            ),
        ),
    ),
    Group(
        "帮助",
        (Entry("api-docs", "接口文档", "bi-code-square", UPPER | {Role.SYSTEM_ADMIN}, ("/api/docs/",)),),
    ),
)


_Row = tuple[str, str, str, tuple[str, ...], bool]  # href, label, icon, active prefixes, takes the member id


@dataclass(frozen=True)
class _Built:
    """A token set's menu: (group label, ((href, label, icon, prefixes, mine), ...)), in display order."""

    groups: tuple[tuple[str, tuple[tuple[str, str, str, tuple[str, ...], bool], ...]], ...]
    prefixes: tuple[tuple[str, int, int], ...] = field(default=())  # (prefix, group index, entry index)
    # The same menu as markup: per group its heading and per entry (plain, active) — rendered once per
    # token set, so a page pays a join, not ~30 template nodes and a reverse() per entry.
    html: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = field(default=())


_BUILT: dict[frozenset[str], _Built] = {}


def audience(user: Any) -> frozenset[str]:
    """The tokens a user's menu depends on: roles (one read shared with the access checks), member, observer."""
    tokens = set(roles(user)) | {"*"}
    if user.is_superuser:
        tokens.add("+superuser")
    if getattr(user, "member_id", None):
        tokens.add("+member")
    try:
        user.observer  # noqa: B018 - the reverse one-to-one raises when absent
    except ObjectDoesNotExist:
        pass
    else:
        tokens.add("+observer")
    return frozenset(tokens)


def _ordered(items: tuple[Any, ...], tokens: frozenset[str]) -> list[Any]:
    def first(item: Any) -> bool:
        return bool(item.first_for & tokens) and not (getattr(item, "first_unless", frozenset()) & tokens)

    return sorted(items, key=lambda item: not first(item))  # stable: the rest keep their order


def build(tokens: frozenset[str]) -> _Built:
    built = _BUILT.get(tokens)
    if built is not None:
        return built
    groups: list[tuple[str, tuple[_Row, ...]]] = []
    prefixes: list[tuple[str, int, int]] = []
    for group in _ordered(GROUPS, tokens):
        rows: list[_Row] = []
        for entry in _ordered(group.entries, tokens):
            if not entry.audience & tokens or entry.unless & tokens:
                continue
            href = reverse(entry.url, args=[_ME]) if entry.mine else reverse(entry.url)
            for prefix in entry.active:
                prefixes.append((prefix, len(groups), len(rows)))
            rows.append((href, entry.label, entry.icon, entry.active, entry.mine))
        if rows:
            groups.append((group.label, tuple(rows)))
    html = tuple(
        (
            format_html('<div class="xf-menu-group">{}</div>\n', label),
            tuple((_entry_html(row, active=False), _entry_html(row, active=True)) for row in rows),
        )
        for label, rows in groups
    )
    built = _Built(tuple(groups), tuple(prefixes), html)
    _BUILT[tokens] = built
    return built


def _entry_html(row: _Row, *, active: bool) -> str:
    href, label, icon, _prefixes, _mine = row
    return format_html(
        '<a class="nav-link{}" href="{}"{}><i class="bi {}" aria-hidden="true"></i> {}</a>\n',
        " active" if active else "",
        href,
        mark_safe(' aria-current="page"') if active else "",  # noqa: S308 - a constant
        icon,
        label,
    )


def _active(built: _Built, path: str) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_len = -1
    for prefix, g, e in built.prefixes:
        exact = prefix.startswith("=")
        hit = path == prefix[1:] if exact else path.startswith(prefix)
        if hit and len(prefix) > best_len:
            best, best_len = (g, e), len(prefix)
    return best


def menu_for(user: Any, path: str) -> list[dict[str, Any]]:
    """The groups and entries the user sees, with the entry for `path` marked active."""
    built = build(audience(user))
    active = _active(built, path)
    member_id = str(getattr(user, "member_id", "") or "")
    result = []
    for g, (label, rows) in enumerate(built.groups):
        entries = []
        for e, (href, entry_label, icon, _prefixes, mine) in enumerate(rows):
            if mine:  # the cached href holds a stand-in id
                href = href.replace(f"/{_ME}/", f"/{member_id}/")
            entries.append({"href": href, "label": entry_label, "icon": icon, "active": active == (g, e)})
        result.append({"label": label, "entries": entries})
    return result


def menu_html(user: Any, path: str) -> SafeString:
    """menu_for as the side menu's markup (templates/partials/menu.html), from the token set's cached pieces."""
    built = build(audience(user))
    active = _active(built, path)
    member_id = str(getattr(user, "member_id", "") or "")
    parts: list[str] = []
    for g, (heading, entries) in enumerate(built.html):
        parts.append(heading)
        for e, (plain, lit) in enumerate(entries):
            piece = lit if active == (g, e) else plain
            if built.groups[g][1][e][4]:  # the cached href holds a stand-in id
                piece = piece.replace(f"/{_ME}/", f"/{member_id}/")
            parts.append(piece)
    return mark_safe("".join(parts))  # noqa: S308 - pieces built by format_html
