"""月积分 and 约谈 pages, four ways: allowed (dept_admin), read-only (viewer), outsider, anonymous."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orglife.models import Interview, MonthlyScore, RuleSet
from orglife.services.scores import close_month
from orglife.tests.test_scores_month_close import month_where

JUL = dt.date(2026, 7, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def closed(cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    RuleSet.objects.update(lag_bottom_n=0)
    month_where(cast, JUL, a_lags=True)
    close_month(month=JUL)
    return Interview.objects.get(org=cast.committee_a, month=JUL)


def record(client, interview, **extra):
    data = {
        "held_on": "2026-08-05",
        "interviewee_name": "钱组织",
        "outcome": "指出问题，提出整改要求",
        **extra,
    }
    return client.post(reverse("orglife:interview_detail", args=[interview.pk]), data)


READ_PAGES = ["orglife:score_list", "orglife:interview_list"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_the_department_admin_sees_every_committee(cast, closed, name):
    page = (
        cast.client(cast.dept_admin)
        .get(reverse(name), {"month": "2026-07", "status": "all"})
        .content.decode()
    )
    assert "中共示范县直属机关工作委员会" in page or cast.committee_a.display_name in page


def test_the_scores_page_shows_ranking_formula_and_chart(cast, closed):
    page = (
        cast.client(cast.dept_admin).get(reverse("orglife:score_list"), {"month": "2026-07"}).content.decode()
    )
    assert "总分 =（完成率×60 + 质量分×25 + 整改分×15）÷ 100" in page
    assert 'id="score-chart"' in page and "score-data" in page
    assert "落后" in page
    assert "结算该月" in page


@pytest.mark.parametrize("name", READ_PAGES)
def test_the_viewer_reads_the_pages(cast, closed, name):
    response = cast.client(cast.viewer).get(reverse(name), {"month": "2026-07"})
    assert response.status_code == 200
    assert "结算该月" not in response.content.decode()


@pytest.mark.parametrize("name", READ_PAGES)
def test_an_outsider_sees_nothing_of_another_committee(cast, closed, name):
    response = cast.client(cast.outsider).get(reverse(name), {"month": "2026-07", "status": "all"})
    assert response.status_code == 200
    assert cast.committee_a.display_name not in response.content.decode()


@pytest.mark.parametrize("name", READ_PAGES)
def test_a_plain_member_has_no_such_pages(cast, closed, name):
    assert cast.client(cast.member_user).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", [*READ_PAGES, "orglife:score_close"])
def test_anonymous_users_are_sent_to_login(client, closed, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_only_the_department_admin_closes_a_month(cast, closed):
    url = reverse("orglife:score_close")
    for user in (cast.viewer, cast.committee_admin, cast.outsider):
        assert cast.client(user).post(url, {"month": "2026-08"}).status_code == 403
    assert not MonthlyScore.objects.filter(month=dt.date(2026, 8, 1)).exists()
    response = cast.client(cast.dept_admin).post(url, {"month": "2026-08"})
    assert response.status_code == 302
    assert MonthlyScore.objects.filter(month=dt.date(2026, 8, 1)).count() == 2


def test_the_department_admin_records_the_outcome_with_an_attachment_and_marks_it_done(cast, closed):
    client = cast.client(cast.dept_admin)
    upload = SimpleUploadedFile("约谈记录.pdf", PDF, content_type="application/pdf")
    assert record(client, closed, attachment=upload).status_code == 302
    closed.refresh_from_db()
    assert closed.outcome and closed.attachment and "约谈记录" not in closed.attachment.name
    download = client.get(reverse("orglife:interview_attachment", args=[closed.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.post(reverse("orglife:interview_done", args=[closed.pk])).status_code == 302
    closed.refresh_from_db()
    assert closed.status == "done" and closed.completed_by == cast.dept_admin


def test_an_attachment_of_an_unsupported_type_is_refused(cast, closed):
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = record(cast.client(cast.dept_admin), closed, attachment=upload)
    assert response.status_code == 200
    assert "不是支持的附件类型" in response.content.decode()


def test_a_finished_interview_cannot_be_recorded_again(cast, closed):
    client = cast.client(cast.dept_admin)
    record(client, closed)
    client.post(reverse("orglife:interview_done", args=[closed.pk]))
    response = record(client, closed, outcome="事后改写")
    assert "约谈已办结" in client.get(response["Location"]).content.decode()
    closed.refresh_from_db()
    assert closed.outcome == "指出问题，提出整改要求"


def test_an_interview_cannot_be_marked_done_before_it_is_recorded(cast, closed):
    cast.client(cast.dept_admin).post(reverse("orglife:interview_done", args=[closed.pk]))
    closed.refresh_from_db()
    assert closed.status == "pending"


def test_the_viewer_reads_an_interview_but_cannot_record_it(cast, closed):
    client = cast.client(cast.viewer)
    assert client.get(reverse("orglife:interview_detail", args=[closed.pk])).status_code == 200
    assert record(client, closed).status_code == 403
    assert client.post(reverse("orglife:interview_done", args=[closed.pk])).status_code == 403


def test_the_interviewed_committee_cannot_record_its_own_interview(cast, closed):
    client = cast.client(cast.committee_admin)
    assert client.get(reverse("orglife:interview_detail", args=[closed.pk])).status_code == 200
    assert record(client, closed).status_code == 403


def test_an_outsider_gets_404_on_the_interview_and_its_attachment(cast, closed):
    record(cast.client(cast.dept_admin), closed, attachment=SimpleUploadedFile("a.pdf", PDF))
    client = cast.client(cast.outsider)
    for name in ("orglife:interview_detail", "orglife:interview_attachment"):
        assert client.get(reverse(name, args=[closed.pk])).status_code == 404
    assert record(client, closed).status_code == 404
    assert client.post(reverse("orglife:interview_done", args=[closed.pk])).status_code == 404


def test_anonymous_users_cannot_open_an_interview_or_its_attachment(client, closed):
    for name in ("orglife:interview_detail", "orglife:interview_attachment", "orglife:interview_done"):
        response = client.get(reverse(name, args=[closed.pk]))
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
