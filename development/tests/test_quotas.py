"""发展党员名额: the 组织部 allocates the annual plan per node; the overview shows plan against actual; an
approval beyond the plan warns (or is refused when the department makes the plan binding)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from development.models import Person, Quota, Stage
from development.services import pipeline as svc
from development.services import quotas
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW, WHY

YEAR = f.APPROVED.year


def _approve(cast, person):
    return svc.approve_admission(
        actor=cast.committee_admin,
        person=person,
        talk_on=f.APPROVED - dt.timedelta(days=5),
        approved_on=f.APPROVED,
        backdate_reason=WHY,
    )


@time_machine.travel(NOW)
def test_only_the_department_allocates_and_children_stay_within_the_parent(cast):
    with pytest.raises(PermissionDenied):
        quotas.set_quota(actor=cast.committee_admin, org=cast.committee_a, year=YEAR, planned=3)
    quotas.set_quota(actor=cast.dept_admin, org=cast.committee_a, year=YEAR, planned=3)
    quotas.set_quota(actor=cast.dept_admin, org=cast.branch_a1, year=YEAR, planned=2)
    with pytest.raises(ValidationError, match="超过上级"):
        quotas.set_quota(actor=cast.dept_admin, org=cast.branch_a2, year=YEAR, planned=2)
    with pytest.raises(ValidationError, match="不能少于"):
        quotas.set_quota(actor=cast.dept_admin, org=cast.committee_a, year=YEAR, planned=1)
    with pytest.raises(ValidationError, match="负数"):
        quotas.set_quota(actor=cast.dept_admin, org=cast.branch_a2, year=YEAR, planned=-1)
    assert list(Quota.objects.order_by("org__path").values_list("planned", flat=True)) == [3, 2]


@time_machine.travel(NOW)
def test_an_approval_beyond_the_plan_warns_by_default(cast):
    quotas.set_quota(actor=cast.dept_admin, org=cast.branch_a1, year=YEAR, planned=0)
    person = f.voted(cast, f.applicant(cast))
    _, warnings = _approve(cast, person)
    assert warnings and "超出计划" in warnings[0]
    assert Person.objects.get(pk=person.pk).stage == Stage.PROBATIONARY
    assert "超出计划" in person.steps.order_by("-id").first().note


@time_machine.travel(NOW)
def test_an_approval_within_the_plan_says_nothing(cast):
    quotas.set_quota(actor=cast.dept_admin, org=cast.committee_a, year=YEAR, planned=1)
    person = f.voted(cast, f.applicant(cast))
    assert _approve(cast, person)[1] == []
    assert quotas.admitted(cast.committee_a, YEAR) == 1


@time_machine.travel(NOW)
def test_a_binding_plan_refuses_and_saves_nothing(cast, settings):
    settings.DEVELOPMENT_QUOTA_HARD = True
    quotas.set_quota(actor=cast.dept_admin, org=cast.county, year=YEAR, planned=0)
    person = f.voted(cast, f.applicant(cast))
    with pytest.raises(ValidationError, match="超出计划"):
        _approve(cast, person)
    person.refresh_from_db()
    assert person.stage == Stage.CANDIDATE and person.member is None


@time_machine.travel(NOW)
def test_the_quota_page_four_ways_and_the_overview_shows_plan_against_actual(cast):
    url = reverse("development:quota_set", args=[cast.branch_a1.pk])
    data = {"year": NOW.year, "planned": "4"}
    assert cast.client(None).post(url, data).status_code == 302
    assert not Quota.objects.exists()
    assert cast.client(cast.outsider).post(url, data).status_code == 404
    assert cast.client(cast.viewer).post(url, data).status_code == 403
    assert cast.client(cast.committee_admin).post(url, data).status_code == 403
    assert not Quota.objects.exists()
    response = cast.client(cast.dept_admin).post(url, {"year": NOW.year, "planned": "四"}, follow=True)
    assert "计划名额应为整数" in response.content.decode() and not Quota.objects.exists()
    assert cast.client(cast.dept_admin).post(url, data).status_code == 302
    assert Quota.objects.get().planned == 4
    html = (
        cast.client(cast.dept_admin)
        .get(reverse("development:overview"), {"org": cast.committee_a.pk})
        .content.decode()
    )
    assert f"{NOW.year}年名额" in html and "未分配" in html and 'value="4"' in html
    viewer_html = (
        cast.client(cast.viewer)
        .get(reverse("development:overview"), {"org": cast.committee_a.pk})
        .content.decode()
    )
    assert "分配名额" not in viewer_html
