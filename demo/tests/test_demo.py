"""The demo-data generator: deterministic, valid, with deliberate structure problems; demo logins."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

import personal
from accounts.models import User
from demo.management.commands.demo_logins import DEMO_LOGINS, DEMO_PASSWORD
from orgs import demo
from orgs.models import Member, Organization, Position, RoleGrant
from orgs.roles import Role
from orgs.services import MemberData, validate_member
from orgs.structure import problem_list
from personal import idcard

TODAY = dt.date(2026, 11, 24)


def plan_snapshot(seed: int) -> tuple[list[str], list[str], list[str]]:
    codes, names, numbers = [], [], []
    for chunk in demo.iter_chunks("tiny", seed, today=TODAY):
        codes += [o.code for o in chunk.orgs]
        for m in chunk.members():
            names.append(m.name)
            numbers.append(m.id_number)
    return codes, names, numbers


def generate(seed: int = 7) -> str:
    out = StringIO()
    call_command("generate_demo", scale="tiny", seed=seed, no_history=True, stdout=out)
    return out.getvalue()


def db_snapshot() -> tuple[list[str], list[str]]:
    codes = list(Organization.objects.order_by("path").values_list("code", flat=True))
    names = list(Member.objects.order_by("org__path", "id").values_list("name", flat=True))
    return codes, names


class Rollback(Exception):
    pass


def test_the_same_seed_plans_the_same_codes_names_and_id_numbers() -> None:
    assert plan_snapshot(3) == plan_snapshot(3)


def test_another_seed_plans_other_people() -> None:
    assert plan_snapshot(3)[1] != plan_snapshot(4)[1]


@pytest.mark.django_db
def test_two_runs_with_the_same_seed_in_fresh_databases_write_the_same_data() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        generate(seed=5)
        first = db_snapshot()
        raise Rollback
    assert not Organization.objects.exists()
    generate(seed=5)
    assert db_snapshot() == first
    assert len(first[1]) > 300


@pytest.mark.django_db
def test_tiny_scale_has_a_county_three_committees_twenty_branches_and_some_groups() -> None:
    generate()
    root = Organization.objects.get(parent__isnull=True)
    assert root.code == demo.DEMO_COUNTY_CODE
    assert root.children.filter(kind__in=Organization.COMMITTEE_KINDS).count() == 3
    assert Organization.objects.branches().count() == 20
    assert Organization.objects.filter(kind=Organization.Kind.GROUP).exists()
    assert 300 < Member.objects.count() < 600


@pytest.mark.django_db
def test_paths_depths_and_child_counts_are_consistent() -> None:
    generate()
    for org in Organization.objects.select_related("parent"):
        assert org.depth == len(org.path) // 4
        if org.parent is not None:
            assert org.path.startswith(org.parent.path) and org.depth == org.parent.depth + 1
        assert org.child_seq == org.children.count()


@pytest.mark.django_db
def test_every_id_number_is_valid_unique_and_matches_birth_date_and_gender() -> None:
    generate()
    seen = set()
    for m in Member.objects.all():
        number, birth, gender = idcard.parse(personal.decrypt(m.id_number_enc))
        assert (birth, gender) == (m.birth_date, m.gender)
        assert number[:2] == "34"  # Anhui
        assert m.id_number_masked == personal.mask_id_number(number)
        seen.add(number)
    assert len(seen) == Member.objects.count()


@pytest.mark.django_db
def test_dates_are_in_order_and_members_joined_as_adults() -> None:
    generate()
    for m in Member.objects.all():
        assert m.birth_date < m.joined_on <= timezone.localdate()
        assert m.joined_on >= m.birth_date.replace(year=m.birth_date.year + 18) - dt.timedelta(days=1)
        if m.category == Member.Category.FULL:
            assert m.joined_on <= m.full_member_on <= demo.REF_DATE
        else:
            assert m.full_member_on is None


@pytest.mark.django_db
def test_generated_members_pass_the_same_validation_as_hand_entered_ones() -> None:
    generate()
    for m in Member.objects.select_related("org", "party_group"):  # every one of them
        data = MemberData(
            name=m.name,
            id_number=personal.decrypt(m.id_number_enc),
            category=m.category,
            joined_on=m.joined_on,
            org=m.org,
            gender=m.gender,
            birth_date=m.birth_date,
            ethnicity=m.ethnicity,
            education=m.education,
            full_member_on=m.full_member_on,
            party_group=m.party_group,
            phone=personal.decrypt(m.phone_enc),
            occupation=m.occupation,
            status=m.status,
            is_exempt=m.is_exempt,
            exempt_reason=m.exempt_reason,
        )
        assert validate_member(data, existing=m) == {}
        assert data.phone[0] == "1" and data.phone[1] in "3456789" and len(data.phone) == 11


@pytest.mark.django_db
def test_every_branch_has_a_secretary_who_is_one_of_its_members() -> None:
    generate()
    for branch in Organization.objects.branches():
        post = Position.objects.get(org=branch, title=Position.Title.SECRETARY, ended_on__isnull=True)
        assert post.member.org_id == branch.pk
        assert branch.secretary_name == post.member.name
        assert post.member.category == Member.Category.FULL
        assert post.started_on >= post.member.joined_on


@pytest.mark.django_db
def test_branches_with_a_committee_have_an_organization_member_and_a_contact() -> None:
    generate()
    for branch in Organization.objects.branches().filter(has_committee=True):
        titles = set(branch.positions.values_list("title", flat=True))
        assert {Position.Title.ORGANIZATION, Position.Title.CONTACT} <= titles
        assert branch.contact_name and branch.contact_phone_masked


@pytest.mark.django_db
def test_group_members_belong_to_the_groups_branch_and_each_group_has_a_leader() -> None:
    generate()
    groups = Organization.objects.filter(kind=Organization.Kind.GROUP)
    assert groups
    for group in groups:
        members = Member.objects.filter(party_group=group)
        assert members and all(m.org_id == group.parent_id for m in members)
        assert group.positions.filter(title=Position.Title.GROUP_LEADER).count() == 1


@pytest.mark.django_db
def test_the_problem_list_shows_each_deliberate_problem() -> None:
    generate()
    found = problem_list(Organization.objects.all(), timezone.localdate())
    codes = {w.code for _, warnings in found for w in warnings}
    assert codes == set(demo.PROBLEMS)
    assert len(found) <= 8  # a handful, not the whole county


@pytest.mark.django_db
def test_the_expiring_term_stays_expiring_relative_to_the_real_today() -> None:
    generate()
    found = problem_list(Organization.objects.all(), timezone.localdate())
    expiring = [o for o, ws in found if any(w.code == "term_expiring" for w in ws)]
    assert expiring and all(timezone.localdate() < o.term_ends_on for o in expiring)


@pytest.mark.django_db
def test_if_empty_does_nothing_the_second_time() -> None:
    generate()
    before = (Organization.objects.count(), Member.objects.count())
    out = StringIO()
    call_command("generate_demo", scale="tiny", seed=7, if_empty=True, stdout=out)
    assert "跳过" in out.getvalue()
    assert (Organization.objects.count(), Member.objects.count()) == before


@pytest.mark.django_db
def test_generating_the_same_demo_twice_without_if_empty_is_refused() -> None:
    generate()
    with pytest.raises(CommandError, match="已存在"):
        generate()


@pytest.mark.django_db
def test_writing_stops_at_the_member_limit() -> None:
    stats = demo.write(demo.iter_chunks("tiny", 1, today=TODAY), batch_size=50, limit_members=100)
    assert stats.members == Member.objects.count() == 100


def test_the_province_plan_is_a_stream_of_counties_under_their_city() -> None:
    chunks = demo.iter_chunks("province", 1, today=TODAY)
    first = next(chunks)
    assert [o.name for o in first.orgs[:3]] == ["中共安徽省委员会", "中共合肥市委员会", "中共瑶海区委员会"]
    assert first.orgs[0].child_seq == len(demo.ANHUI)
    assert 1000 < len(first.orgs) < 3000
    second = next(chunks)
    assert second.orgs[0].name == "中共庐阳区委员会" and second.orgs[0].depth == 3


@pytest.mark.django_db
def test_demo_logins_prints_every_role_and_each_user_can_log_in() -> None:
    generate()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "must_change_password=False" in text
    for label in Role.labels:
        assert f"{label} |" in text
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert not user.must_change_password
        assert Client().login(username=login.username, password=DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_superuser
    dept = User.objects.get(username="admin_dept")
    assert dept.has_perm("orgs.unmask_member") and dept.has_perm("audit.view_auditevent")
    member = User.objects.get(username="member")
    assert member.member is not None and member.grants.get().org_id == member.member.org_id


@pytest.mark.django_db
def test_demo_logins_can_run_again_without_changing_anything() -> None:
    generate()
    call_command("demo_logins", stdout=StringIO())
    before = (User.objects.count(), RoleGrant.objects.count())
    call_command("demo_logins", stdout=StringIO())
    assert (User.objects.count(), RoleGrant.objects.count()) == before
