"""On PostgreSQL the roster import writes its new members with COPY FROM STDIN (orgs.bulkinsert): they must be
the same encrypted, searchable members the one-at-a-time service (create_member: the model's save) stores."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

import personal
from audit.models import AuditEvent
from orgs.models import Member
from orgs.services import roster
from orgs.services.members import MemberData, create_member
from orgs.tests.api_client import api
from orgs.tests.roster_files import person, xlsx

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY is PostgreSQL's; on SQLite the import takes the multi-row INSERT path (test_roster_import)",
)

LIST = "/api/v1/members/"


def rows():
    return [
        person(11),
        person(12, 联系电话="", 所在党小组="第一党小组"),
        person(13, 党籍状态="出党"),
        person(14, 民族="回族", 学历="硕士", 是否免参组织生活="是", 免参原因="年老体弱", 工作岗位=" 退休 "),
        person(15, 人员类别="预备党员", 转正日期=None, 姓名=" 陈晓15 ", 联系电话="0551-6288123"),
    ]


def same_members_by_the_service(cast):
    """The rows above as MemberData, for create_member."""
    out = []
    for row in rows():
        full = row["人员类别"] == "正式党员"
        out.append(
            MemberData(
                name=row["姓名"],
                id_number=row["公民身份号码"],
                category="full" if full else "probationary",
                joined_on=dt.date(2015, 7, 1),
                full_member_on=dt.date(2016, 7, 1) if full else None,
                org=cast.branch_a1,
                party_group=cast.group_a1 if row.get("所在党小组") else None,
                ethnicity=row["民族"],
                education="postgraduate" if row["学历"] == "硕士" else "bachelor",
                phone=row["联系电话"].replace("-", ""),
                occupation=row["工作岗位"].strip(),
                status="left" if row["党籍状态"] == "出党" else "normal",
                is_exempt=row["是否免参组织生活"] == "是",
                exempt_reason=row.get("免参原因", ""),
            )
        )
    return out


def stored():
    """The imported members as stored, ciphertexts decrypted, keyed by the ID number's keyed hash."""
    out = {}
    for values in Member.objects.filter(name__startswith="陈晓").values():
        assert values["id_number_enc"].startswith("1") and values["id_number_enc"][1:] != ""
        for column in ("id", "created_at", "updated_at"):
            values.pop(column)
        values["id_number_enc"] = personal.decrypt(values["id_number_enc"])
        values["phone_enc"] = personal.decrypt(values["phone_enc"])
        out[values["id_number_hash"]] = values
    return out


def test_a_copied_import_stores_the_members_the_service_stores(cast):
    with transaction.atomic():
        for data in same_members_by_the_service(cast):
            create_member(actor=cast.committee_admin, data=data)
        by_service = stored()
        transaction.set_rollback(True)
    assert len(by_service) == 5 and not stored()

    result = roster.import_members(actor=cast.committee_admin, file=xlsx(rows()), file_name="名册.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    by_copy = stored()
    assert by_copy == by_service
    left = next(v for v in by_copy.values() if v["status"] == "left")
    assert left["left_on"] == timezone.localdate()
    assert {v["phone_masked"] for v in by_copy.values()} >= {"", "139******11"}
    # The ciphertexts are real ciphertexts: no ID number or phone in the clear anywhere in the row.
    raw = Member.objects.filter(name__startswith="陈晓").values_list("id_number_enc", "phone_enc")
    plain = {v["id_number_enc"] for v in by_copy.values()} | {v["phone_enc"] for v in by_copy.values()}
    assert not any(p and p in cell for row in raw for cell in row for p in plain)

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.summary["created"] == 5 and event.org_id == cast.branch_a1.pk


def test_copied_members_are_found_by_number_and_name_and_a_second_import_changes_nothing(cast):
    result = roster.import_members(actor=cast.committee_admin, file=xlsx(rows()), file_name="名册.xlsx")
    assert result.ok, result.errors
    client = api(cast.dept_admin)
    first = rows()[0]
    for term in (first["公民身份号码"], first["联系电话"], "陈晓11"):
        assert [r["name"] for r in client.get(LIST, {"q": term}).json()["results"]] == ["陈晓11"], term
    again = roster.import_members(actor=cast.committee_admin, file=xlsx(rows()), file_name="名册.xlsx")
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 5)
