"""一人一册 pages four ways: the issuing committee's admin (allowed), the read-only viewer, an outsider (404) and
an anonymous visitor (to the login page); the member with their own record; a branch seeing a book issued
above it through its own members' records."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learning.models import StudyBook, StudyCheck
from learning.services import books as svc

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 10)


@pytest.fixture
def book(cast):
    return svc.issue_book(
        actor=cast.committee_admin,
        data=svc.BookData(cast.committee_a, "党章学习", dt.date(2026, 5, 1)),
        today=DAY,
    )


@pytest.fixture
def record(book, cast):
    return book.records.get(member=cast.member_a1)


@pytest.fixture
def check(record, cast):
    return svc.check_record(
        actor=cast.committee_admin, record=record, result="pass", checked_on=DAY, today=DAY
    )


def url(name, *args):
    return reverse(f"learning:{name}", args=args)


def test_anonymous_visitors_go_to_the_login_page(client, book, record, check):
    for path in [
        url("books"),
        url("book_new"),
        url("book_detail", book.pk),
        url("book_export", book.pk),
        url("record_detail", record.pk),
    ]:
        assert client.get(path).status_code == 302, path
    for path in [url("record_check", record.pk), url("check_withdraw", check.pk)]:
        assert client.post(path).status_code == 302, path


def test_an_outsider_gets_404_everywhere(cast, book, record, check):
    c = cast.client(cast.outsider)
    assert c.get(url("books")).status_code == 200  # their own (empty) list
    assert "党章学习" not in c.get(url("books")).content.decode()
    for path in [url("book_detail", book.pk), url("book_export", book.pk), url("record_detail", record.pk)]:
        assert c.get(path).status_code == 404, path
    assert (
        c.post(url("record_check", record.pk), {"result": "pass", "checked_on": "2026-05-10"}).status_code
        == 404
    )
    assert c.post(url("check_withdraw", check.pk), {"reason": "x"}).status_code == 404
    assert c.get(url("book_new"), {"org": cast.committee_a.pk}).status_code == 404


def test_the_read_only_viewer_reads_and_exports_but_may_not_write(cast, book, record, check):
    c = cast.client(cast.viewer)
    assert "党章学习" in c.get(url("books"), {"org": cast.committee_a.pk}).content.decode()
    assert c.get(url("book_detail", book.pk)).status_code == 200
    assert c.get(url("book_export", book.pk)).status_code == 200
    page = c.get(url("record_detail", record.pk))
    assert page.status_code == 200 and "登记抽查结果" not in page.content.decode()
    assert c.get(url("book_new"), {"org": cast.committee_a.pk}).status_code == 403
    assert (
        c.post(url("record_check", record.pk), {"result": "pass", "checked_on": "2026-05-10"}).status_code
        == 403
    )
    assert c.post(url("check_withdraw", check.pk), {"reason": "x"}).status_code == 403
    assert c.post(url("record_detail", record.pk), {"notes": "代写"}).status_code == 403


def test_the_committee_issues_samples_checks_withdraws_and_exports(cast):
    c = cast.client(cast.committee_admin)
    assert "尚未发放学习资料" in c.get(url("books"), {"org": cast.committee_a.pk}).content.decode()
    assert c.get(url("book_new"), {"org": cast.committee_a.pk}).status_code == 200
    bad = c.post(url("book_new") + f"?org={cast.committee_a.pk}", {"title": "", "issued_on": "2026-05-01"})
    assert bad.status_code == 200 and not StudyBook.objects.exists()
    made = c.post(
        url("book_new") + f"?org={cast.committee_a.pk}", {"title": "党章学习", "issued_on": "2026-05-01"}
    )
    book = StudyBook.objects.get()
    assert made.status_code == 302 and made.url == url("book_detail", book.pk)
    sampled = c.get(url("book_detail", book.pk), {"sample": 2}).content.decode()
    assert sampled.count('name="next" value="book"') == 2
    record = book.records.get(member=cast.member_a1)
    done = c.post(
        url("record_check", record.pk), {"result": "pass", "checked_on": "2026-05-10", "next": "book"}
    )
    assert done.status_code == 302 and done.url == url("book_detail", book.pk)
    refused = c.post(
        url("record_check", record.pk), {"result": "fail", "checked_on": "2026-05-11"}, follow=True
    )
    assert "不合格须填写意见" in refused.content.decode()
    check = StudyCheck.objects.get()
    assert c.post(url("check_withdraw", check.pk), {"reason": "误登"}).status_code == 302
    check.refresh_from_db()
    assert check.withdrawn_at is not None
    rows = list(
        load_workbook(io.BytesIO(c.get(url("book_export", book.pk)).content)).active.iter_rows(
            values_only=True
        )
    )
    assert rows[1][:3] == ("序号", "姓名", "所在党组织") and len(rows) == 2 + book.records.count()


def test_the_member_keeps_their_own_notes_and_sees_no_one_else_s(cast, book, record):
    c = cast.client(cast.member_user)
    mine = c.get(url("books")).content.decode()
    assert "我的一人一册" in mine and "党章学习" in mine
    assert c.post(url("record_detail", record.pk), {"notes": "学习第一章"}).status_code == 302
    record.refresh_from_db()
    assert record.notes == "学习第一章"
    other = book.records.exclude(member=cast.member_a1).first()
    assert c.get(url("record_detail", other.pk)).status_code == 404
    assert c.get(url("book_detail", book.pk)).status_code == 404
    assert (
        c.post(url("record_check", record.pk), {"result": "pass", "checked_on": "2026-05-10"}).status_code
        == 404
    )


def test_a_branch_sees_a_book_issued_above_through_its_members(cast, book, record):
    c = cast.client(cast.secretary)
    assert "党章学习" in c.get(url("books")).content.decode()
    page = c.get(url("book_detail", book.pk)).content.decode()
    assert (
        "李建国" in page and "随机抽查" not in page
    )  # reads its members' records; the checks are the issuer's
    assert (
        c.post(url("record_check", record.pk), {"result": "pass", "checked_on": "2026-05-10"}).status_code
        == 403
    )


def test_an_empty_list_for_a_member_without_books(cast):
    c = cast.client(cast.member_user)
    assert "还没有发给您的学习资料" in c.get(url("books")).content.decode()
