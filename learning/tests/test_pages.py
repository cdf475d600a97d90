"""The 学习教育 pages as their users meet them: the ledger with the shortfall filter and export, a member's own
account, recording a lesson and a training through the forms, and who may see and write what."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learning.models import Lesson, StudyEntry, Training
from orglife.tests.stats_fixtures import make_record
from orgs.models import Member

pytestmark = pytest.mark.django_db


def test_the_ledger_lists_the_scope_filters_the_shortfall_and_exports(client, cast):
    entry_member = Member.objects.get(name="王1华")
    StudyEntry.objects.create(
        member=entry_member,
        year=2026,
        studied_on=dt.date(2026, 3, 1),
        hours=Decimal("40"),
        kind="offline",
        title="自学",
    )
    client.force_login(cast.committee_admin)
    page = client.get(reverse("learning:hours"), {"year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    assert "李建国" in text and "王1华" in text and "赵红梅" not in text  # branch_b1 is outside the committee
    short = client.get(reverse("learning:hours"), {"year": 2026, "only": "short"}).content.decode()
    assert "李建国" in short and "王1华" not in short
    export = client.get(reverse("learning:hours"), {"year": 2026, "only": "short", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    names = [r[1] for r in rows[2:]]
    assert "李建国" in names and "王1华" not in names


def test_a_member_sees_their_own_account_and_nobody_else_s(client, cast):
    client.force_login(cast.member_user)
    assert client.get(reverse("learning:home")).url == reverse("learning:member", args=[cast.member_a1.pk])
    own = client.get(reverse("learning:member", args=[cast.member_a1.pk]))
    assert own.status_code == 200 and "要求 <strong>32</strong> 学时" in own.content.decode()
    assert "登记线下学习" not in own.content.decode()
    other = Member.objects.get(name="王1华")
    assert client.get(reverse("learning:member", args=[other.pk])).status_code == 404
    assert client.get(reverse("learning:hours")).status_code == 404
    assert client.post(reverse("learning:offline_add", args=[cast.member_a1.pk]), {}).status_code == 404


def test_a_secretary_records_a_lesson_at_a_theme_day_and_its_audience_gets_hours(client, cast):
    record = make_record(
        cast.branch_a1, "theme_day", dt.date(2026, 10, 1), present=3, absent=1, refresh=False
    )
    client.force_login(cast.secretary)
    form = client.get(reverse("learning:lesson_new"))
    assert form.status_code == 200 and record.topic in form.content.decode()
    day = record.started_at.date()
    bad = client.post(
        reverse("learning:lesson_new"),
        {
            "speaker": cast.member_a1.pk,
            "topic": "题目",
            "given_on": day + dt.timedelta(days=1),
            "minutes": 20,
            "record": record.pk,
        },
    )
    assert bad.status_code == 200 and "日期不一致" in bad.content.decode()
    ok = client.post(
        reverse("learning:lesson_new"),
        {
            "speaker": cast.member_a1.pk,
            "topic": "学党章",
            "given_on": day,
            "minutes": 60,
            "record": record.pk,
        },
    )
    lesson = Lesson.objects.get(topic="学党章")
    assert ok.url == reverse("learning:lesson_detail", args=[lesson.pk])
    assert lesson.entries.count() == 3 and {e.hours for e in lesson.entries.all()} == {Decimal("1")}
    listing = client.get(reverse("learning:lessons"), {"year": day.year}).content.decode()
    assert "学党章" in listing


def test_a_training_is_recorded_with_its_attendees(client, cast):
    client.force_login(cast.committee_admin)
    ids = list(
        Member.objects.filter(org__path__startswith=cast.committee_a.path).values_list("pk", flat=True)
    )
    response = client.post(
        reverse("learning:training_new") + f"?org={cast.committee_a.pk}",
        {
            "name": "党员冬训",
            "organizer": "县直机关工委",
            "starts_on": "2026-01-10",
            "ends_on": "2026-01-11",
            "hours": "16",
            "members": ids[:2],
        },
    )
    training = Training.objects.get(name="党员冬训")
    assert response.url == reverse("learning:training_detail", args=[training.pk])
    assert training.entries.count() == 2
    missing = client.post(
        reverse("learning:training_new") + f"?org={cast.committee_a.pk}",
        {"name": "空", "organizer": "x", "starts_on": "2026-01-10", "ends_on": "2026-01-10", "hours": "8"},
    )
    # neither ticked members nor a sheet: the service refuses (the field itself is optional since the .xlsx import)
    assert missing.status_code == 200 and "请至少选择一名参训党员" in missing.content.decode()


@pytest.mark.parametrize("who,status", [(None, 302), ("outsider", 404), ("viewer", 403), ("secretary", 302)])
def test_offline_hours_four_ways(client, cast, who, status):
    if who:
        client.force_login(getattr(cast, who))
    response = client.post(
        reverse("learning:offline_add", args=[cast.member_a1.pk]),
        {"title": "读《习近平谈治国理政》", "studied_on": "2026-02-01", "hours": "2"},
    )
    assert response.status_code == status
    written = StudyEntry.objects.filter(member=cast.member_a1, kind="offline").exists()
    assert written is (who == "secretary")
    if who is None:
        assert response.url.startswith(reverse("accounts:login"))
