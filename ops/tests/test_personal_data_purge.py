"""Personal data of members who left or died is purged after its retention period, out of the file too."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils.timezone import now

import personal
from audit.models import AuditEvent
from conftest import make_member, make_org, make_user
from ops.retention import compact_database, eligible_members, purge_member_personal_data
from ops.testing import file_bytes, sqlite_file_default
from orgs.models import Member
from orgs.roles import Role
from orgs.services import MemberData, update_member

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2015, 3, 1)


def _gone(cast, **extra):
    return make_member(
        cast.branch_a1,
        "欧阳清泉",
        phone="13912345678",
        status=Member.Status.DECEASED,
        left_on=LONG_AGO,
        occupation="县第三中学退休教师",
        is_exempt=True,
        exempt_reason="长期卧床脑梗后遗症",
        **extra,
    )


def test_purging_removes_the_personal_data_from_the_sqlite_file(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("scans the SQLite file; this pass runs on PostgreSQL")
    settings.MEMBER_PURGE_NAME = True
    path = tmp_path / "purge.sqlite3"
    with sqlite_file_default(path) as conn:
        county = make_org(None, "中共示范县委员会", "committee", "C0001")
        admin = make_user("dept", Role.DEPT_ADMIN, county)
        member = make_member(
            county,
            "欧阳清泉",
            phone="13912345678",
            status=Member.Status.DECEASED,
            left_on=LONG_AGO,
            occupation="县第三中学退休教师",
            exempt_reason="长期卧床脑梗后遗症",
            birth_date=dt.date(1941, 8, 23),
        )
        markers = [
            member.id_number_enc,
            member.id_number_hash,
            member.id_number_masked,
            member.phone_enc,
            member.phone_hash,
            member.phone_masked,
            "欧阳清泉",
            "县第三中学退休教师",
            "长期卧床脑梗后遗症",
            "1941-08-23",
        ]
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = file_bytes(path)
        assert [m for m in markers if m.encode() not in before] == []  # the control finds every marker

        purge_member_personal_data(actor=admin, member=member, reason="保存期限届满")
        compact_database()

        after = file_bytes(path)
        assert [m for m in markers if m.encode() in after] == []
        member.refresh_from_db()
        assert member.name == f"已清除党员#{member.pk}"
        assert member.birth_date == dt.date(1941, 1, 1)
        assert member.personal_data_purged_at is not None


def test_the_purge_is_audited_without_the_data(cast):
    member = _gone(cast)
    secrets = [member.id_number_enc, member.phone_enc, member.id_number_masked, member.phone_masked]
    purge_member_personal_data(actor=cast.dept_admin, member=member, reason="保存期限届满")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, target_id=str(member.pk))
    assert event.summary["reason"] == "保存期限届满"
    assert "phone_enc" in event.summary["purged"]
    assert "name" not in event.summary["purged"]  # MEMBER_PURGE_NAME is off by default
    stored = str(event.summary) + event.target_repr
    assert [s for s in secrets if s in stored] == []
    member.refresh_from_db()
    assert (member.id_number_enc, member.phone_enc, member.phone_hash, member.occupation) == ("", "", "", "")
    assert member.id_number_hash == f"purged:{member.pk}"
    assert member.name == "欧阳清泉"


def test_the_purge_clears_the_number_from_the_sms_outbox(cast):
    from notifications.models import Message

    member = _gone(cast)
    other = Message.objects.create(
        channel="sms",
        dedupe_key="a",
        phone_enc=personal.encrypt("13912349999"),
        phone_masked="139******99",
        next_attempt_at=now(),
        created_at=now(),
    )
    sent = Message.objects.create(
        channel="sms",
        dedupe_key="b",
        phone_enc=member.phone_enc,
        phone_masked=member.phone_masked,
        next_attempt_at=now(),
        created_at=now(),
    )
    purge_member_personal_data(actor=cast.dept_admin, member=member, reason="保存期限届满")
    sent.refresh_from_db()
    other.refresh_from_db()
    assert (sent.phone_enc, sent.phone_masked) == ("", "")
    assert other.phone_enc != ""


def test_data_inside_the_retention_period_cannot_be_purged(cast, settings):
    settings.MEMBER_DATA_RETENTION_YEARS = 5
    recent = make_member(
        cast.branch_a1, "近期", status=Member.Status.LEFT, left_on=dt.date.today() - dt.timedelta(days=30)
    )
    active = cast.member_a1
    for member in (recent, active):
        with pytest.raises(ValidationError):
            purge_member_personal_data(actor=cast.dept_admin, member=member, reason="保存期限届满")
    assert list(eligible_members()) == []


def test_only_a_writer_over_the_member_may_purge(cast):
    member = _gone(cast)
    for user in (cast.outsider, cast.viewer):
        with pytest.raises(PermissionDenied):
            purge_member_personal_data(actor=user, member=member, reason="保存期限届满")
    with pytest.raises(ValidationError):
        purge_member_personal_data(actor=cast.dept_admin, member=member, reason="")


def test_the_command_lists_eligible_members_and_purges_with_apply(cast):
    member = _gone(cast)
    make_member(cast.branch_a1, "未记日期", status=Member.Status.LEFT)
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert f"#{member.pk}" in out.getvalue()
    assert "1 名已出党或去世的党员未记录日期" in out.getvalue()
    member.refresh_from_db()
    assert member.personal_data_purged_at is None

    call_command("purge_personal_data", "--apply", stdout=StringIO())
    member.refresh_from_db()
    assert member.personal_data_purged_at is not None
    assert AuditEvent.objects.filter(actor_name="system:purge_personal_data").count() == 1


def test_recording_a_death_starts_the_retention_clock(cast):
    member = cast.member_a1
    data = MemberData(
        name=member.name,
        id_number=personal.decrypt(member.id_number_enc),
        category=member.category,
        joined_on=member.joined_on,
        org=member.org,
        gender=member.gender,
        birth_date=member.birth_date,
        full_member_on=member.full_member_on,
        education=member.education,
        status=Member.Status.DECEASED,
    )
    update_member(actor=cast.dept_admin, member=member, data=data)
    member.refresh_from_db()
    assert member.left_on == dt.date.today()
