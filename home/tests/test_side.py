"""The home's side panel (home:side): each signed-in user's own unread messages and points, nobody else's;
anonymous callers are sent to the login page."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_member
from notifications.models import Message
from observers.tests.fixtures_obs import NOW

_keys = itertools.count()


def message(user, body):
    return Message.objects.create(
        channel=Message.Channel.SITE,
        dedupe_key=f"side{next(_keys)}",
        recipient=user,
        title="组织生活提醒",
        body=body,
        next_attempt_at=NOW,
        created_at=NOW,
    )


@pytest.fixture
def messages(cast):
    """One unread message for each caller, its text naming its recipient."""
    return {
        who: message(getattr(cast, who), f"{who}的未读提醒") for who in ("secretary", "viewer", "outsider")
    }


def panel(client):
    response = client.get(reverse("home:side"), headers={"HX-Request": "true"})
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("who", ["secretary", "viewer", "outsider"])
def test_each_caller_sees_only_their_own_messages(cast, messages, who):
    status, page = panel(cast.client(getattr(cast, who)))
    assert status == 200
    assert f"{who}的未读提醒" in page
    others = [w for w in messages if w != who]
    assert all(f"{w}的未读提醒" not in page for w in others)


def test_the_secretary_with_a_member_sees_their_points_the_read_only_viewer_without_one_none(cast, messages):
    from points.tests.conftest import make_catalogue

    make_catalogue(cast.county)
    cast.secretary.member = make_member(cast.branch_a1, "书记")
    cast.secretary.save()
    _, page = panel(cast.client(cast.secretary))
    assert "我的学习积分" in page and reverse("points:member_file", args=[cast.secretary.member.pk]) in page
    _, page = panel(cast.client(cast.viewer))
    assert "我的学习积分" not in page and "viewer的未读提醒" in page


def test_anonymous_is_sent_to_the_login_page(cast, messages):
    response = Client().get(reverse("home:side"), headers={"HX-Request": "true"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = Client().get(reverse("home:side"))
    assert response.status_code == 302
