import datetime as dt

from django.urls import reverse

import personal
from audit.models import AuditEvent
from orgs.models import Member
from personal import idcard

NEW_ID = idcard.make("340826", dt.date(1990, 3, 4), 31)


def form_data(org, **overrides):
    data = {
        "name": "陈明",
        "id_number": NEW_ID,
        "ethnicity": "汉族",
        "category": "full",
        "joined_on": "2015-06-01",
        "full_member_on": "2016-06-01",
        "org": org.pk,
        "phone": "13600001234",
        "status": "normal",
    }
    data.update(overrides)
    return data


def test_creating_a_member_through_the_form_saves_and_audits_once(cast):
    before = AuditEvent.objects.count()
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:member_create"), form_data(cast.branch_a2)
    )
    member = Member.objects.get(name="陈明")
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:member_detail", args=[member.pk]
    )
    assert member.org == cast.branch_a2 and member.gender == "男" and member.birth_date == dt.date(1990, 3, 4)
    assert personal.decrypt(member.id_number_enc) == NEW_ID
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().action == "create"


def test_a_bad_id_number_shows_the_chinese_error_and_saves_nothing(cast):
    before = (Member.objects.count(), AuditEvent.objects.count())
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:member_create"), form_data(cast.branch_a2, id_number=bad)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "公民身份号码校验位错误" in html and "is-invalid" in html
    assert (Member.objects.count(), AuditEvent.objects.count()) == before


def test_service_rules_show_next_to_their_fields(cast):
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:member_create"), form_data(cast.branch_a2, full_member_on="2014-01-01")
    )
    assert "转正日期不能早于入党日期" in response.content.decode()
    assert not Member.objects.filter(name="陈明").exists()


def test_editing_a_member_through_the_form_audits_once_and_keeps_blank_id_and_phone(cast):
    member = cast.member_a1
    old_id = personal.decrypt(member.id_number_enc)
    before = AuditEvent.objects.count()
    data = form_data(
        cast.branch_a1,
        name="李建国",
        id_number="",
        phone="",
        occupation="科长",
        birth_date=member.birth_date.isoformat(),
        gender=member.gender,
    )
    response = cast.client(cast.committee_admin).post(reverse("orgs:member_edit", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.occupation == "科长"
    assert personal.decrypt(member.id_number_enc) == old_id
    assert personal.decrypt(member.phone_enc) == "13955551234"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().action == "update"


def test_the_edit_form_never_prefills_the_full_id_or_phone(cast):
    html = (
        cast.client(cast.dept_admin)
        .get(reverse("orgs:member_edit", args=[cast.member_a1.pk]))
        .content.decode()
    )
    assert personal.decrypt(cast.member_a1.id_number_enc) not in html
    assert "13955551234" not in html
    assert cast.member_a1.id_number_masked in html


def test_org_choices_are_only_orgs_the_user_may_write(cast):
    form = cast.client(cast.committee_admin).get(reverse("orgs:member_create")).context["form"]
    choices = set(form.fields["org"].queryset)
    assert cast.branch_a1 in choices and cast.committee_a in choices
    assert cast.branch_b1 not in choices and cast.county not in choices and cast.group_a1 not in choices


def test_party_group_choices_are_the_groups_of_the_chosen_org(cast):
    client = cast.client(cast.committee_admin)
    form = client.get(reverse("orgs:member_create"), {"org": cast.branch_a1.pk}).context["form"]
    assert list(form.fields["party_group"].queryset) == [cast.group_a1]
    form = client.get(reverse("orgs:member_create"), {"org": cast.branch_a2.pk}).context["form"]
    assert list(form.fields["party_group"].queryset) == []


def test_a_group_of_another_org_is_refused(cast):
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:member_create"), form_data(cast.branch_a2, party_group=cast.group_a1.pk)
    )
    assert response.status_code == 200
    assert not Member.objects.filter(name="陈明").exists()


def test_a_writer_cannot_create_a_member_outside_their_subtree(cast):
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:member_create"), form_data(cast.branch_b1)
    )
    assert response.status_code == 200  # the organization is not among the choices
    assert not Member.objects.filter(name="陈明").exists()
