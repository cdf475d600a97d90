"""Ending a post revokes the role it implied (RoleGrant.position); a manual grant of the same role stays."""

import datetime as dt

from audit.models import AuditEvent
from orgs.models import Position, RoleGrant
from orgs.roles import Role
from orgs.services import end_position


def _post(cast, title):
    return Position.objects.create(
        member=cast.member_user.member, org=cast.branch_a1, title=title, started_on=dt.date(2024, 1, 1)
    )


def test_ending_a_post_revokes_the_role_it_implied(cast):
    post = _post(cast, Position.Title.SECRETARY)
    user = cast.member_user
    RoleGrant.objects.create(user=user, org=cast.branch_a1, role=Role.BRANCH_SECRETARY, position=post)
    end_position(actor=cast.committee_admin, position=post, ended_on=dt.date(2026, 1, 1))
    assert not RoleGrant.objects.filter(user=user, position__isnull=False).exists()
    assert not user.grants.filter(role=Role.BRANCH_SECRETARY).exists()
    assert AuditEvent.objects.filter(action="delete", summary__via="post_ended").count() == 1


def test_a_role_still_implied_by_another_post_moves_to_it(cast):
    organization = _post(cast, Position.Title.ORGANIZATION)
    contact = _post(cast, Position.Title.CONTACT)
    user = cast.member_user
    RoleGrant.objects.create(user=user, org=cast.branch_a1, role=Role.BRANCH_CONTACT, position=organization)
    end_position(actor=cast.committee_admin, position=organization, ended_on=dt.date(2026, 1, 1))
    assert RoleGrant.objects.get(user=user, role=Role.BRANCH_CONTACT).position == contact


def test_a_grant_not_made_from_the_post_stays(cast):
    post = _post(cast, Position.Title.SECRETARY)
    user = cast.member_user
    RoleGrant.objects.create(user=user, org=cast.branch_a1, role=Role.BRANCH_SECRETARY)
    end_position(actor=cast.committee_admin, position=post, ended_on=dt.date(2026, 1, 1))
    assert user.grants.filter(role=Role.BRANCH_SECRETARY).exists()


def test_a_post_ended_by_the_posts_file_revokes_its_role_too(cast):
    from orgs.tests.test_positions_import import post, run

    member = cast.member_user.member
    assert run(cast.committee_admin, [post(member, "B0001")]).ok
    secretary = Position.objects.get(member=member, title=Position.Title.SECRETARY)
    RoleGrant.objects.create(
        user=cast.member_user, org=cast.branch_a1, role=Role.BRANCH_SECRETARY, position=secretary
    )
    assert run(cast.committee_admin, [post(member, "B0001", 离任日期="2026-03-01")]).updated == 1
    assert not cast.member_user.grants.filter(role=Role.BRANCH_SECRETARY).exists()
