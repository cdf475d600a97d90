"""一人一册: issuing creates a record per person of the group; the person keeps their own notes; a spot check
has a dated result per person, a pass earns the configured points item and withdrawing reverses it; the
results and the year's 学时 and videos appear on the person's 一人一档 (page and PDF)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from learning.models import StudyCheck, StudyEntry, StudyRecord, WatchProgress
from learning.services import books as svc
from learning.services import videos as vsvc
from orgs.models import Member, Position
from points.models import LedgerEntry
from points.pdf import member_file_pdf
from points.selectors import member_file
from points.tests.conftest import make_catalogue

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 10)


def issue(cast, titles=()):
    return svc.issue_book(
        actor=cast.committee_admin,
        data=svc.BookData(
            cast.committee_a,
            "习近平新时代中国特色社会主义思想学习纲要",
            dt.date(2026, 5, 1),
            titles=list(titles),
        ),
        today=DAY,
    )


def test_issuing_creates_one_record_per_person_of_the_group(cast):
    book = issue(cast)
    members = set(
        Member.objects.filter(org__path__startswith=cast.committee_a.path).values_list("pk", flat=True)
    )
    assert set(book.records.values_list("member_id", flat=True)) == members
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    cadres = issue(cast, titles=["secretary"])
    assert list(cadres.records.values_list("member_id", flat=True)) == [cast.member_a1.pk]
    with pytest.raises(ValidationError, match="没有符合条件的党员"):
        issue(cast, titles=["discipline"])
    with pytest.raises(PermissionDenied):
        svc.issue_book(actor=cast.viewer, data=svc.BookData(cast.committee_a, "x", DAY), today=DAY)


def test_only_the_person_writes_their_notes(cast):
    record = issue(cast).records.get(member=cast.member_a1)
    svc.write_notes(actor=cast.member_user, record=record, notes="  第一章心得  ")
    record.refresh_from_db()
    assert record.notes == "第一章心得" and record.notes_updated_at is not None
    with pytest.raises(PermissionDenied):
        svc.write_notes(actor=cast.committee_admin, record=record, notes="代写")


def test_a_passed_check_earns_points_a_withdrawal_reverses_them_and_bad_input_is_refused(cast):
    make_catalogue(cast.county)
    record = issue(cast).records.get(member=cast.member_a1)
    with pytest.raises(ValidationError, match="不合格须填写意见"):
        svc.check_record(actor=cast.committee_admin, record=record, result="fail", checked_on=DAY, today=DAY)
    with pytest.raises(ValidationError, match="不能早于发放日期"):
        svc.check_record(
            actor=cast.committee_admin,
            record=record,
            result="pass",
            checked_on=dt.date(2026, 4, 1),
            today=DAY,
        )
    with pytest.raises(PermissionDenied):
        svc.check_record(actor=cast.secretary, record=record, result="pass", checked_on=DAY, today=DAY)
    check = svc.check_record(
        actor=cast.committee_admin, record=record, result="pass", checked_on=DAY, today=DAY
    )
    (entry,) = LedgerEntry.objects.filter(source_type=svc.SOURCE_TYPE, source_id=str(check.pk))
    assert entry.member_id == cast.member_a1.pk and entry.item_code == "study_notes" and entry.points > 0
    assert entry.source_label == "一人一册抽查"
    with pytest.raises(ValidationError, match="该日已登记"):
        svc.check_record(actor=cast.committee_admin, record=record, result="pass", checked_on=DAY, today=DAY)
    svc.withdraw_check(actor=cast.committee_admin, check=check, reason="误登")
    assert sum(e.points for e in LedgerEntry.objects.filter(source_type=svc.SOURCE_TYPE)) == 0
    failed = svc.check_record(
        actor=cast.committee_admin, record=record, result="fail", checked_on=DAY, remark="笔记空白", today=DAY
    )
    assert not failed.passed and LedgerEntry.objects.filter(source_id=str(failed.pk)).count() == 0
    assert StudyCheck.objects.filter(record=record).count() == 2


def test_the_item_is_a_setting(cast, settings):
    make_catalogue(cast.county)
    settings.LEARNING_RULES = {"study_check_points_item": "theory_study"}
    record = issue(cast).records.get(member=cast.member_a1)
    check = svc.check_record(
        actor=cast.committee_admin, record=record, result="excellent", checked_on=DAY, today=DAY
    )
    assert (
        LedgerEntry.objects.get(source_id=str(check.pk), source_type=svc.SOURCE_TYPE).item_code
        == "theory_study"
    )


def test_the_member_file_shows_hours_videos_and_checks_on_the_page_and_the_pdf(client, cast):
    make_catalogue(cast.county)
    record = issue(cast).records.get(member=cast.member_a1)
    svc.check_record(actor=cast.committee_admin, record=record, result="pass", checked_on=DAY, today=DAY)
    StudyEntry.objects.create(
        member=cast.member_a1, year=2026, studied_on=DAY, hours=Decimal("6"), kind="offline", title="读原著"
    )
    video = vsvc.publish_video(
        actor=cast.committee_admin, data=vsvc.VideoData(cast.committee_a, "红船精神", "党史", 600)
    )
    WatchProgress.objects.create(
        member=cast.member_a1,
        video=video,
        credited=600,
        completed_at=timezone.make_aware(dt.datetime(2026, 6, 1, 10)),
    )
    file = member_file(cast.member_a1, 2026)
    titles = [s.title for s in file.sections]
    assert titles == ["学时", "党员教育片观看", "一人一册"]
    hours, videos, books = file.sections
    assert "学时 6 / 要求 32" in hours.summary and "尚差 26" in hours.summary and hours.warn
    assert videos.rows[0][0] == "红船精神" and "看完" in videos.rows[0][2]
    assert books.rows[0][1:3] == ["2026-05-10", "合格"]
    client.force_login(cast.member_user)
    page = client.get(
        reverse("points:member_file", args=[cast.member_a1.pk]), {"year": 2026}
    ).content.decode()
    assert "学时 6 / 要求 32" in page and "红船精神" in page and "一人一册" in page
    assert member_file_pdf(file).startswith(b"%PDF")
    empty = member_file(cast.member_b1, 2026)  # outside the committee: no book, no hours, no videos
    assert [s.rows for s in empty.sections] == [[], [], []]
    assert empty.sections[2].empty == "本年度未发放学习册" and empty.sections[2].summary == ""
    assert StudyRecord.objects.filter(member__name="王1华").count() == 1
