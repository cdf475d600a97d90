"""The member behind a points page comes through the scoped fetch (selectors.get_member_for_user):
one's own, or one in the tree scope; everyone else gets 404. Four ways each: allowed, read-only,
outsider, anonymous."""

import pytest
from django.http import Http404
from django.urls import reverse

from conftest import make_user
from orgs.models import Member
from orgs.tests.api_client import api
from points.models import Declaration
from points.selectors import get_member_for_user


def file_url(member):
    return reverse("points:member_file", args=[member.pk])


def test_the_fetch_gives_ones_own_member_and_the_scopes_members(cast):
    assert get_member_for_user(cast.member_user, cast.member_a1.pk) == cast.member_a1
    assert get_member_for_user(cast.viewer, cast.member_a1.pk) == cast.member_a1
    assert get_member_for_user(cast.dept_admin, cast.member_b1.pk) == cast.member_b1


@pytest.mark.parametrize("who", ["member_user", "outsider", "viewer"])
def test_the_fetch_refuses_members_outside_with_404(cast, who):
    other = cast.member_a1 if who == "outsider" else cast.member_b1
    with pytest.raises(Http404):
        get_member_for_user(getattr(cast, who), other.pk)
    with pytest.raises(Http404):
        get_member_for_user(getattr(cast, who), "not-a-number")


def test_the_members_file_four_ways(cast, catalogue):
    url = file_url(cast.member_a1)
    assert cast.client(cast.member_user).get(url).status_code == 200  # allowed: their own
    assert cast.client(cast.secretary).get(url).status_code == 200  # allowed: their branch
    assert cast.client(cast.viewer).get(url).status_code == 200  # read-only reads
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert cast.client(cast.member_user).get(file_url(cast.member_b1)).status_code == 404
    assert cast.client(None).get(url).status_code == 302


def test_the_declare_page_four_ways(cast, catalogue):
    url = reverse("points:declare")
    assert cast.client(cast.member_user).get(url).status_code == 200  # allowed: a member, for themself
    assert cast.client(cast.viewer).get(url).status_code == 403  # read-only: no member to declare for
    stranger = make_user("stranger")  # no role, no member
    assert cast.client(stranger).get(url).status_code == 404
    assert cast.client(None).get(url).status_code == 302


def test_the_start_page_four_ways(cast, catalogue):
    url = reverse("points:home")
    response = cast.client(cast.member_user).get(url)
    assert response.status_code == 200 and response.context["file"].member == cast.member_a1
    assert cast.client(cast.viewer).get(url).status_code == 200
    assert cast.client(make_user("stranger")).get(url).status_code == 404
    assert cast.client(None).get(url).status_code == 302


def test_a_member_declares_through_the_api_only_for_themself(cast, catalogue):
    client = api(cast.member_user)
    data = {"item_code": "theory_study", "occurred_on": "2026-08-12", "description": "集中学习"}
    assert client.post("/api/v1/points/declarations/", data, format="json").status_code == 201
    other = {**data, "member": cast.member_b1.pk}
    assert client.post("/api/v1/points/declarations/", other, format="json").status_code == 404


def test_a_member_declares_on_the_page_and_a_scorekeeper_records_for_a_member(cast, catalogue, scorekeeper):
    data = {"rule": "theory_study", "occurred_on": "2026-08-12", "description": "集中学习"}
    response = cast.client(cast.member_user).post(reverse("points:declare"), data)
    assert response.status_code == 302
    own = Declaration.objects.get(member=cast.member_a1)
    assert own.status == Declaration.Status.DECLARED
    other = Member.objects.get(name="王0华")
    data = {**data, "member": other.pk, "occurred_on": "2026-08-19"}
    response = cast.client(scorekeeper).post(reverse("points:record"), data)
    assert response.status_code == 302
    assert Declaration.objects.get(member=other).status == Declaration.Status.RECORDED
