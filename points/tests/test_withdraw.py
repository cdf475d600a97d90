"""A member withdraws their own declaration while it waits for the scorekeeper: service, page and API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from orgs.tests.api_client import api
from points import services
from points.models import Declaration

S = Declaration.Status


@pytest.fixture
def declaration(cast, catalogue):
    return services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=dt.date(2026, 8, 12),
        description="集中学习",
    )


def url(d):
    return reverse("points:withdraw", args=[d.pk])


def test_a_member_withdraws_a_declaration_still_waiting(cast, declaration):
    services.withdraw_declaration(actor=cast.member_user, declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.status == S.WITHDRAWN
    assert [e.action for e in declaration.events.all()] == ["declared", "withdrawn"]


def test_a_recorded_declaration_can_no_longer_be_withdrawn(cast, declaration, scorekeeper):
    services.verify_declaration(actor=scorekeeper, declaration=declaration)
    with pytest.raises(ValidationError, match="不能撤回"):
        services.withdraw_declaration(actor=cast.member_user, declaration=declaration)


def test_nobody_withdraws_someone_elses_declaration(cast, declaration, scorekeeper):
    with pytest.raises(PermissionDenied):
        services.withdraw_declaration(actor=scorekeeper, declaration=declaration)


def test_a_withdrawn_claim_no_longer_blocks_the_cap(cast, declaration):
    services.withdraw_declaration(actor=cast.member_user, declaration=declaration)
    again = services.declare(
        actor=cast.member_user,
        member=cast.member_a1,
        item_code="theory_study",
        occurred_on=dt.date(2026, 8, 13),
        description="集中学习",
    )  # weekly cap 2
    assert again.status == S.DECLARED


def test_the_member_withdraws_from_the_page(cast, declaration):
    client = cast.client(cast.member_user)
    assert (
        url(declaration).encode()
        in client.get(reverse("points:declaration_detail", args=[declaration.pk])).content
    )
    assert client.post(url(declaration)).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == S.WITHDRAWN


def test_a_reader_gets_403_an_outsider_404_and_anonymous_the_login(cast, declaration):
    assert cast.client(cast.viewer).post(url(declaration)).status_code == 403
    assert cast.client(cast.outsider).post(url(declaration)).status_code == 404
    response = cast.client(None).post(url(declaration))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    declaration.refresh_from_db()
    assert declaration.status == S.DECLARED


def test_the_api_withdraws_four_ways(cast, declaration):
    path = f"/api/v1/points/declarations/{declaration.pk}/withdraw/"
    assert api(cast.viewer).post(path).status_code == 403
    assert api(cast.outsider).post(path).status_code == 404
    assert api(None).post(path).status_code == 401
    response = api(cast.member_user).post(path)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
