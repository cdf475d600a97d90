import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import personal
from audit.models import AuditEvent
from orgs import services
from orgs.models import Member
from personal import idcard


def data_for(org, **overrides):
    values = {
        "name": "陈明",
        "id_number": idcard.make("340826", dt.date(1990, 3, 4), 31),
        "category": Member.Category.FULL,
        "joined_on": dt.date(2015, 6, 1),
        "full_member_on": dt.date(2016, 6, 1),
        "org": org,
        "phone": "13600001234",
    }
    values.update(overrides)
    return services.MemberData(**values)


def test_creating_a_member_encrypts_masks_and_audits_once(cast):
    before = AuditEvent.objects.count()
    member = services.create_member(actor=cast.secretary, data=data_for(cast.branch_a1))
    assert member.gender == "男" and member.birth_date == dt.date(1990, 3, 4)
    assert member.phone_masked == "136******34"
    assert personal.decrypt(member.phone_enc) == "13600001234"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event.action == "create" and event.org_id == cast.branch_a1.pk
    assert "13600001234" not in str(event.summary)


def test_dates_out_of_order_are_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.create_member(
            actor=cast.secretary,
            data=data_for(cast.branch_a1, joined_on=dt.date(2015, 6, 1), full_member_on=dt.date(2014, 1, 1)),
        )
    assert "转正日期不能早于入党日期" in exc.value.message_dict["full_member_on"]


def test_a_duplicate_id_number_is_refused(cast):
    services.create_member(actor=cast.secretary, data=data_for(cast.branch_a1))
    with pytest.raises(ValidationError) as exc:
        services.create_member(actor=cast.secretary, data=data_for(cast.branch_a1, name="陈明二"))
    assert "已登记" in exc.value.message_dict["id_number"][0]


def test_writing_outside_scope_is_refused(cast):
    with pytest.raises(PermissionDenied):
        services.create_member(actor=cast.secretary, data=data_for(cast.branch_b1))
    with pytest.raises(PermissionDenied):
        services.create_member(actor=cast.viewer, data=data_for(cast.branch_a1))


def test_unmasking_needs_permission_and_reason_and_is_audited(cast):
    with pytest.raises(PermissionDenied):
        services.reveal_member_personal_data(actor=cast.committee_admin, member=cast.member_a1, reason="核对")
    with pytest.raises(ValidationError):
        services.reveal_member_personal_data(actor=cast.dept_admin, member=cast.member_a1, reason=" ")
    shown = services.reveal_member_personal_data(
        actor=cast.dept_admin, member=cast.member_a1, reason="核对党籍"
    )
    assert shown["phone"] == "13955551234"
    event = AuditEvent.objects.get(action="unmask")
    assert event.summary == {"reason": "核对党籍"} and event.actor_id == cast.dept_admin.pk


def test_a_new_organization_gets_a_child_path(cast):
    org = services.create_organization(
        actor=cast.committee_admin,
        parent=cast.committee_a,
        name="县审计局机关党支部",
        code="B9001",
        kind="branch",
        unit_category="organ",
        contact_phone="05561234567",
    )
    assert org.path.startswith(cast.committee_a.path) and org.depth == cast.committee_a.depth + 1
    assert org.contact_phone_masked == "055******67"
    sibling = services.create_organization(
        actor=cast.committee_admin,
        parent=cast.committee_a,
        name="另一支部",
        code="B9002",
        kind="branch",
        unit_category="organ",
    )
    assert sibling.path != org.path


def test_a_secretary_position_updates_the_organization(cast):
    services.add_position(
        actor=cast.secretary,
        member=cast.member_a1,
        org=cast.branch_a1,
        title="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    cast.branch_a1.refresh_from_db()
    assert cast.branch_a1.secretary_name == "李建国"
