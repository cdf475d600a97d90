import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from orgs.models import Position


def test_a_writer_adds_a_position_from_the_member_page(cast):
    member = cast.member_a1
    detail = cast.client(cast.committee_admin).get(reverse("orgs:member_detail", args=[member.pk]))
    assert reverse("orgs:position_create", args=[member.pk]) in detail.content.decode()
    before = AuditEvent.objects.count()
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:position_create", args=[member.pk]),
        {"org": cast.branch_a1.pk, "title": "organization", "started_on": "2024-03-01"},
    )
    assert response.status_code == 302
    position = Position.objects.get(member=member)
    assert position.title == "organization" and position.org == cast.branch_a1
    assert AuditEvent.objects.count() == before + 1


def test_position_orgs_are_the_members_org_its_ancestors_and_its_groups(cast):
    form = (
        cast.client(cast.dept_admin)
        .get(reverse("orgs:position_create", args=[cast.member_a1.pk]))
        .context["form"]
    )
    assert set(form.fields["org"].queryset) == {cast.county, cast.committee_a, cast.branch_a1, cast.group_a1}


def test_a_writer_ends_a_position(cast):
    position = Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2021, 1, 1)
    )
    html = (
        cast.client(cast.committee_admin).get(reverse("orgs:member_detail", args=[cast.member_a1.pk])).content
    )
    assert reverse("orgs:position_end", args=[position.pk]) in html.decode()
    response = cast.client(cast.committee_admin).post(
        reverse("orgs:position_end", args=[position.pk]), {"ended_on": "2024-12-31"}
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.ended_on == dt.date(2024, 12, 31)


def test_ending_before_the_start_is_refused_with_a_message(cast):
    position = Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2021, 1, 1)
    )
    client = cast.client(cast.committee_admin)
    response = client.post(
        reverse("orgs:position_end", args=[position.pk]), {"ended_on": "2020-01-01"}, follow=True
    )
    assert "离任日期不能早于任职日期" in response.content.decode()
    position.refresh_from_db()
    assert position.ended_on is None


def test_readers_see_no_position_buttons(cast):
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2021, 1, 1)
    )
    html = (
        cast.client(cast.viewer).get(reverse("orgs:member_detail", args=[cast.member_a1.pk])).content.decode()
    )
    assert "新增职务" not in html and "登记离任" not in html and "书记" in html
