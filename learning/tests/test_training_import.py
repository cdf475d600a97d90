"""集中培训: the attendees imported from an .xlsx sheet (姓名, 公民身份号码) through the page, found by the ID
number's blind index under the organizing node; a sheet naming anyone else refuses the whole training."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import Workbook

import personal
from learning.models import StudyEntry, Training
from orgs.models import Member


def sheet(rows: list[tuple[str, str]]) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.append(["序号", "姓名", "公民身份号码"])
    for i, (name, number) in enumerate(rows, 1):
        ws.append([i, name, number])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "参训名单.xlsx"
    return out


def number_of(member: Member) -> str:
    return personal.decrypt(member.id_number_enc)


def post(client, cast, upload):
    return client.post(
        reverse("learning:training_new") + f"?org={cast.committee_a.pk}",
        {
            "name": "县直机关党员轮训",
            "organizer": "县委党校",
            "starts_on": "2026-05-06",
            "ends_on": "2026-05-08",
            "hours": "24",
            "attendees": upload,
        },
    )


def test_attendees_imported_from_xlsx_get_the_training_hours(client, cast):
    a, b = Member.objects.filter(org=cast.branch_a1).order_by("pk")[:2]
    client.force_login(cast.committee_admin)
    response = post(client, cast, sheet([(a.name, number_of(a)), (b.name, number_of(b).lower())]))
    training = Training.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "learning:training_detail", args=[training.pk]
    )
    assert sorted(StudyEntry.objects.filter(training=training).values_list("member_id", "hours")) == sorted(
        [(a.pk, Decimal("24.0")), (b.pk, Decimal("24.0"))]
    )


def test_a_sheet_naming_an_outsider_or_a_wrong_name_or_a_damaged_file_is_refused(client, cast):
    a = Member.objects.filter(org=cast.branch_a1).order_by("pk").first()
    client.force_login(cast.committee_admin)
    page = post(
        client, cast, sheet([(a.name, number_of(a)), (cast.member_b1.name, number_of(cast.member_b1))])
    )
    assert page.status_code == 200 and "第 3 行：赵红梅不是本组织的党员" in page.content.decode()
    page = post(client, cast, sheet([("张冠李戴", number_of(a))]))
    assert "与该身份证号的党员" in page.content.decode()
    broken = io.BytesIO(b"PK\x03\x04 not really a workbook")
    broken.name = "名单.xlsx"
    page = post(client, cast, broken)
    assert page.status_code == 200 and "文件" in page.content.decode()
    assert not Training.objects.exists() and not StudyEntry.objects.exists()
