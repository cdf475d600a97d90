"""What 学习教育 adds to a member's 一人一档 (points.sections): the year's 学时 against the requirement, the
education videos watched, and the 一人一册 records with their spot-check results."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from learning.models import StudyCheck, StudyRecord, WatchProgress
from learning.selectors.accounts import account_lines, account_rows
from orgs.models import Member
from points.sections import FileSection


def _num(value: object) -> str:
    text = f"{value}"
    return text[:-2] if text.endswith(".0") else text


def hours_section(member: Member, year: int) -> FileSection:
    (row,) = account_rows(Member.objects.filter(pk=member.pk), year)
    if row.requirement is None:
        summary = f"{year}年度 学时 {_num(row.hours)}；已免除学时要求（{row.exemption}，L-07）"
    else:
        post = "基层党组织书记和班子成员（L-02）" if row.leader else "党员（L-01）"
        summary = f"{year}年度 学时 {_num(row.hours)} / 要求 {_num(row.requirement)}（{post}）" + (
            "，已达标" if row.met else f"，尚差 {_num(row.gap)}"
        )
    lines = account_lines(member, year)
    return FileSection(
        title="学时",
        summary=summary,
        headers=["日期", "内容", "来源", "学时"],
        rows=[[f"{line.day:%Y-%m-%d}", line.title, line.source, _num(line.hours)] for line in lines],
        empty="本年度暂无学时记录",
        warn=not row.met,
    )


def videos_section(member: Member, year: int) -> FileSection:
    progress = (
        WatchProgress.objects.filter(member=member, credited__gt=0)
        .filter(Q(completed_at__year=year) | Q(completed_at__isnull=True, updated_at__year=year))
        .select_related("video")
        .order_by("-updated_at")
    )
    rows = []
    done = 0
    for p in progress:
        share = min(100, int(p.credited * 100 / p.video.duration)) if p.video.duration else 0
        if p.completed_at:
            done += 1
            state = f"{timezone.localtime(p.completed_at):%Y-%m-%d} 看完"
        else:
            state = f"观看中 {share}%"
        rows.append([p.video.title, p.video.category, state, f"{int(p.credited // 60)} 分钟"])
    return FileSection(
        title="党员教育片观看",
        summary=f"{year}年度 看完 {done} 部" if rows else "",
        headers=["片名", "类别", "状态", "已认定观看"],
        rows=rows,
        empty="本年度暂无观看记录",
    )


def books_section(member: Member, year: int) -> FileSection:
    records = list(
        StudyRecord.objects.filter(member=member, book__issued_on__year=year).select_related("book")
    )
    checks = StudyCheck.objects.live().filter(record__in=records).order_by("checked_on", "pk")
    by_record: dict[int, list[StudyCheck]] = {}
    for c in checks:
        by_record.setdefault(c.record_id, []).append(c)
    rows = []
    for r in records:
        for c in by_record.get(r.pk, []):
            rows.append([r.book.title, f"{c.checked_on:%Y-%m-%d}", c.get_result_display(), c.remark])
        if r.pk not in by_record:
            rows.append([r.book.title, "—", "未抽查", "已写笔记" if r.notes else "尚未填写学习笔记"])
    passed = sum(1 for cs in by_record.values() for c in cs if c.passed)
    failed = sum(1 for cs in by_record.values() for c in cs if not c.passed)
    return FileSection(
        title="一人一册",
        summary=f"{year}年度 学习册 {len(records)} 本，抽查合格 {passed} 次、不合格 {failed} 次"
        if records
        else "",
        headers=["学习资料", "抽查日期", "结果", "意见"],
        rows=rows,
        empty="本年度未发放学习册",
        warn=failed > 0,
    )


def member_sections(member: Member, year: int) -> list[FileSection]:
    return [hours_section(member, year), videos_section(member, year), books_section(member, year)]
