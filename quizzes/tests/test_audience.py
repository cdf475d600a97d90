"""A campaign's audience, as in the learning assignments: a subtree, narrowed to posts or to named members,
resolved when read (a post taken up or laid down today moves the member in or out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import make_member, make_user
from orgs.models import Member, Position
from orgs.roles import Role
from quizzes import selectors, services
from quizzes.models import Campaign
from quizzes.tests.conftest import Bank

pytestmark = pytest.mark.django_db


def _campaign(cast: Any, bank: Bank, **audience: Any) -> Campaign:
    now = timezone.now()
    return services.create_campaign(
        actor=cast.dept_admin,
        org=cast.committee_a,
        title="支部书记应知应会测试",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        quotas=[{"category": bank.report.pk, "difficulty": None, "count": 2}],
        time_limit_minutes=10,
        **audience,
    )


def _post(member: Member, title: str, *, ended: bool = False) -> Position:
    today = timezone.localdate()
    return Position.objects.create(
        member=member,
        org=member.org,
        title=title,
        started_on=today - dt.timedelta(days=30),
        ended_on=today - dt.timedelta(days=1) if ended else None,
    )


def test_posts_narrow_the_audience_to_their_current_holders(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank, titles=["secretary"])
    assert list(selectors.audience(campaign)) == []
    assert campaign not in Campaign.objects.for_member(cast.member_a1)
    with pytest.raises(PermissionDenied):
        services.start_attempt(actor=cast.member_user, campaign=campaign)

    _post(cast.member_a1, "organization", ended=False)
    _post(cast.member_a1, "secretary", ended=True)  # laid down yesterday: still out
    assert campaign not in Campaign.objects.for_member(cast.member_a1)

    _post(cast.member_a1, "secretary")
    assert list(selectors.audience(campaign)) == [cast.member_a1]
    assert campaign in Campaign.objects.for_member(cast.member_a1)
    assert services.start_attempt(actor=cast.member_user, campaign=campaign).items.count() == 2


def test_named_members_are_the_whole_audience(cast: Any, bank: Bank) -> None:
    other = make_member(cast.branch_a2, "周敏")
    campaign = _campaign(cast, bank, member_ids=[other.pk], titles=["secretary"])
    _post(cast.member_a1, "secretary")  # a post does not add anyone once members are named
    assert list(selectors.audience(campaign)) == [other]
    assert campaign not in Campaign.objects.for_member(cast.member_a1)
    assert campaign in Campaign.objects.for_member(other)
    with pytest.raises(PermissionDenied):
        services.start_attempt(actor=cast.member_user, campaign=campaign)
    user = make_user("zhoumin", Role.MEMBER, cast.branch_a2, member=other)
    assert services.start_attempt(actor=user, campaign=campaign).member_id == other.pk


def test_named_members_outside_the_subtree_and_unknown_posts_are_refused(cast: Any, bank: Bank) -> None:
    with pytest.raises(ValidationError) as exc:
        _campaign(cast, bank, member_ids=[cast.member_b1.pk], titles=["king"])
    assert exc.value.message_dict == {"titles": ["职务无效"], "member_ids": ["指定党员须在参加范围内"]}
    assert not Campaign.objects.exists()


def test_participation_counts_the_audience_only(cast: Any, bank: Bank) -> None:
    campaign = _campaign(cast, bank, titles=["secretary"])
    _post(cast.member_a1, "secretary")
    rows = {r.org.pk: r.members for r in selectors.participation(campaign, cast.committee_a)}
    assert rows == {cast.branch_a1.pk: 1, cast.branch_a2.pk: 0}


def test_names_typed_on_the_form_resolve_within_the_subtree(cast: Any) -> None:
    make_member(cast.branch_a2, "李建国")  # the same name in another branch
    ids, errors = selectors.members_by_names(cast.committee_a, ["李建国", "赵红梅", "王1华"])
    assert errors == [
        "“李建国”有重名（县教育局机关党支部、县财政局机关党支部），请写作“姓名@支部简称”",
        "范围内没有党员“赵红梅”",
    ]
    ids, errors = selectors.members_by_names(cast.committee_a, ["李建国@县财政局机关党支部"])
    assert (ids, errors) == ([cast.member_a1.pk], [])


def test_the_form_publishes_a_campaign_for_posts_and_names(client: Any, cast: Any, bank: Bank) -> None:
    client.force_login(cast.dept_admin)
    now = timezone.localtime()
    data = {
        "org": cast.committee_a.pk,
        "title": "书记专项测试",
        "purpose": "exam",
        "starts_at": f"{now:%Y-%m-%dT%H:%M}",
        "ends_at": f"{now + dt.timedelta(days=2):%Y-%m-%dT%H:%M}",
        "titles": ["secretary", "deputy_secretary"],
        "member_names": "李建国，王2华",
        "time_limit_minutes": 10,
        "attempts_allowed": 1,
        "pass_mark": 60,
        "quota_category_1": bank.report.pk,
        "quota_count_1": 2,
    }
    response = client.post(reverse("quizzes:campaign_create"), {**data, "member_names": "无此人"})
    assert response.status_code == 200
    assert "范围内没有党员“无此人”" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(reverse("quizzes:campaign_create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.titles == ["deputy_secretary", "secretary"]
    assert set(campaign.members.values_list("name", flat=True)) == {"李建国", "王2华"}


def test_the_api_publishes_for_posts(cast: Any, bank: Bank) -> None:
    client = APIClient()
    client.force_authenticate(cast.dept_admin)
    now = timezone.now()
    response = client.post(
        "/api/v1/quizzes/campaigns/",
        {
            "org": cast.committee_a.pk,
            "title": "书记专项测试",
            "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(days=1)).isoformat(),
            "quotas": [{"category": bank.report.pk, "count": 2}],
            "time_limit_minutes": 10,
            "titles": ["secretary"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["titles"] == ["secretary"]


def _detail(client: Any, cast: Any, campaign: Campaign) -> str:
    client.force_login(cast.dept_admin)
    response = client.get(reverse("quizzes:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_campaign_page_names_a_whole_subtree_audience(client: Any, cast: Any, bank: Bank) -> None:
    page = _detail(client, cast, _campaign(cast, bank))
    assert f"参加范围：{cast.committee_a.name}及下级党组织全体党员" in page


def test_the_campaign_page_names_the_posts_in_chinese(client: Any, cast: Any, bank: Bank) -> None:
    page = _detail(client, cast, _campaign(cast, bank, titles=["secretary", "organization"]))
    assert f"参加范围：{cast.committee_a.name}及下级党组织中现任书记、组织委员的党员" in page
    assert "secretary" not in page


def test_the_campaign_page_lists_the_named_members(client: Any, cast: Any, bank: Bank) -> None:
    other = make_member(cast.branch_a2, "周敏")
    campaign = _campaign(cast, bank, member_ids=[cast.member_a1.pk, other.pk], titles=["secretary"])
    page = _detail(client, cast, campaign)
    a1 = cast.branch_a1.short_name or cast.branch_a1.name
    a2 = cast.branch_a2.short_name or cast.branch_a2.name
    assert f"中的指定党员：李建国（{a1}）、周敏（{a2}）共 2 人" in page


def test_the_open_campaigns_of_a_member_are_those_for_them_in_their_window(
    cast: Any, bank: Bank, django_assert_num_queries: Any
) -> None:
    """open_to_member (the member's home) answers as for_member narrowed to open campaigns, in one read
    (and one more for the member's posts only when a campaign asks for posts)."""
    other = make_member(cast.branch_a2, "周敏")
    everyone = _campaign(cast, bank)
    posts = _campaign(cast, bank, titles=["secretary"])
    named = _campaign(cast, bank, member_ids=[other.pk])
    ended = _campaign(cast, bank)
    Campaign.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    now = timezone.now()
    member_a1 = Member.objects.select_related("org").get(pk=cast.member_a1.pk)
    with django_assert_num_queries(2):  # the campaigns; the posts, asked for by one
        got = Campaign.objects.open_to_member(member_a1, now)
    assert got == [everyone] and posts not in got and named not in got
    _post(cast.member_a1, "secretary")
    got = Campaign.objects.open_to_member(member_a1, now)
    expected = Campaign.objects.for_member(member_a1).filter(
        status=Campaign.Status.PUBLISHED, starts_at__lte=now, ends_at__gt=now
    )
    assert got == list(expected) and set(got) == {everyone, posts}
    other = Member.objects.select_related("org").get(pk=other.pk)
    assert set(Campaign.objects.open_to_member(other, now)) == {everyone, named}
    Campaign.objects.filter(pk=posts.pk).update(titles=[])
    with django_assert_num_queries(1):  # no campaign asks for posts: they are not read
        Campaign.objects.open_to_member(other, now)
