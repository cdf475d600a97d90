import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from orgs.access import get_for_user, scope_paths
from orgs.models import Member, Organization


def test_a_committee_admin_sees_its_subtree_only(cast):
    visible = set(Organization.objects.visible_to(cast.committee_admin).values_list("code", flat=True))
    assert visible == {"C0002", "B0001", "B0002", "G0001"}
    assert not Member.objects.visible_to(cast.committee_admin).filter(org=cast.branch_b1).exists()


def test_a_member_role_has_no_tree_scope(cast):
    assert scope_paths(cast.member_user) == []
    assert not Organization.objects.visible_to(cast.member_user).exists()


def test_a_viewer_reads_but_cannot_write(cast):
    assert get_for_user(Member.objects.all(), cast.viewer, cast.member_a1.pk) == cast.member_a1
    with pytest.raises(PermissionDenied):
        get_for_user(Member.objects.all(), cast.viewer, cast.member_a1.pk, write=True)


def test_an_outsider_gets_404(cast):
    with pytest.raises(Http404):
        get_for_user(Member.objects.all(), cast.outsider, cast.member_a1.pk)


def test_nested_grants_collapse_to_the_ancestor(cast):
    from orgs.models import RoleGrant

    RoleGrant.objects.create(user=cast.committee_admin, org=cast.branch_a1, role="branch_admin")
    cast.committee_admin.refresh_from_db()
    assert scope_paths(cast.committee_admin) == [cast.committee_a.path]
