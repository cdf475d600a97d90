"""Without orgs.unmask_member no page, API answer or export shows more than the mask and the birth year.

The old mask (first 4 + last 4 of an ID number) beside the birth date gave most numbers back (issue 11).
"""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

import personal
from conftest import make_user
from orgs.models import Member
from orgs.tests.api_client import api

MASKED = re.compile(r"[0-9Xx]*\*{3,}[0-9Xx]*")


def birth_date_forms(day):
    return {
        day.isoformat(),
        f"{day:%Y%m%d}",
        f"{day:%Y/%m/%d}",
        f"{day:%Y.%m.%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y年%m月%d日}",
    }


def assert_reveals_no_more_than_the_masks(text, where):
    for token in MASKED.findall(text):
        head = len(token) - len(token.lstrip("0123456789Xx"))
        tail = len(token) - len(token.rstrip("0123456789Xx"))
        limits = (1, 1) if len(token) == 18 else (3, 2)
        assert head <= limits[0] and tail <= limits[1], f"{where}: {token}"
    for member in Member.objects.all():
        secrets = {personal.decrypt(member.id_number_enc), personal.decrypt(member.phone_enc)} - {""}
        secrets |= birth_date_forms(member.birth_date)
        shown = sorted(s for s in secrets if s in text)
        assert not shown, f"{where}: {member.name} {shown}"


@pytest.fixture
def contact_phone(cast):
    cast.branch_a1.set_contact_phone("05511234567")
    cast.branch_a1.save()


@pytest.mark.parametrize("user", ["committee_admin", "secretary", "viewer"])
def test_pages_show_only_the_masks_and_the_birth_year(cast, contact_phone, user):
    client = cast.client(getattr(cast, user))
    member = cast.member_a1
    urls = [
        reverse("orgs:member_list"),
        reverse("orgs:member_detail", args=[member.pk]),
        reverse("orgs:org_detail", args=[cast.branch_a1.pk]),
    ]
    if user != "viewer":
        urls.append(reverse("orgs:member_edit", args=[member.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_reveals_no_more_than_the_masks(response.content.decode(), url)
    detail = client.get(reverse("orgs:member_detail", args=[member.pk])).content.decode()
    assert "1980年" in detail and member.id_number_masked in detail and "139******34" in detail


@pytest.mark.parametrize("user", ["committee_admin", "secretary", "viewer"])
def test_api_answers_show_only_the_masks_and_the_birth_year(cast, contact_phone, user):
    client = api(getattr(cast, user))
    urls = [
        "/api/v1/members/",
        f"/api/v1/members/{cast.member_a1.pk}/",
        "/api/v1/organizations/",
        f"/api/v1/organizations/{cast.branch_a1.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_reveals_no_more_than_the_masks(response.content.decode(), url)
    body = client.get(f"/api/v1/members/{cast.member_a1.pk}/").json()
    assert body["birth_year"] == 1980 and "birth_date" not in body


def test_the_roster_export_shows_only_the_masks_and_the_birth_year(cast):
    response = cast.client(cast.committee_admin).get(reverse("orgs:member_export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    text = "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)
    assert_reveals_no_more_than_the_masks(text, "export")
    birth = rows[0].index("出生日期")
    li = next(row for row in rows if row[1] == "李建国")
    assert li[birth] == "1980"


def test_the_admin_shows_staff_without_the_unmask_permission_no_birth_date(cast):
    staff = make_user("staff_viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_member"))
    url = reverse("admin:orgs_member_change", args=[cast.member_a1.pk])
    page = cast.client(staff).get(url)
    assert page.status_code == 200
    assert_reveals_no_more_than_the_masks(page.content.decode(), url)
    assert cast.member_a1.id_number_masked in page.content.decode()


def test_with_the_unmask_permission_the_page_and_export_keep_the_full_birth_date(cast):
    client = cast.client(cast.dept_admin)
    detail = client.get(reverse("orgs:member_detail", args=[cast.member_a1.pk])).content.decode()
    assert "1980-05-17" in detail
    response = client.get(reverse("orgs:member_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    li = next(row for row in rows if row[1] == "李建国")
    assert li[rows[0].index("出生日期")].date().isoformat() == "1980-05-17"
