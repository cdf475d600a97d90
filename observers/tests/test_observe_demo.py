"""The observers demo on the tiny county: appointed through a review (two vetoed), a confirmed plan for the
half-year, forms with findings, ratings, last year's assessment; the demo login is linked; idempotent."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from observers.demo import generate_observers_demo
from observers.models import AnnualAssessment, AssignmentPlan, Candidate, Observation, Observer
from observers.tests.fixtures_obs import at
from orglife.demo import generate_orglife_demo
from orglife.models import MeetingRecord, Rectification

TODAY = dt.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_the_tiny_demo():
    with at(TODAY):
        call_command("generate_demo", scale="tiny", seed=7, no_history=True, stdout=StringIO())
        generate_orglife_demo(seed=7, scale="tiny", today=TODAY)
        User.objects.create_user(username="observer", password="x")
        result = generate_observers_demo(seed=7, scale="tiny", today=TODAY)
        again = generate_observers_demo(seed=7, scale="tiny", today=TODAY)
    assert not result["skipped"] and again["skipped"]
    assert 8 <= Observer.objects.count() <= 12
    rejected = Candidate.objects.filter(status="rejected")
    assert rejected.count() == 2 and all(c.opinions.filter(opinion="object").exists() for c in rejected)
    assert AssignmentPlan.objects.filter(half_start=dt.date(2026, 7, 1), status="confirmed").exists()
    submitted = Observation.objects.filter(status="submitted")
    assert (
        submitted.exclude(finding="none").exists() and submitted.filter(branch_rating__isnull=False).exists()
    )
    assert Rectification.objects.filter(source="observer").count() == result.get("corrections", 0)
    assert MeetingRecord.objects.filter(counts=False, events__action="observer_rehold").exists()
    assert (
        AnnualAssessment.objects.filter(year=2025).count()
        == Observer.objects.filter(appointed_on__year__lte=2025).count()
    )
    linked = Observer.objects.get(user__username="observer")
    assert Observation.objects.filter(observer=linked, status="signed_up", observed_on__lt=TODAY).exists()


def test_demo_logins_after_the_demo_links_the_observer_login():
    """make run's order: generate_demo (observers included), then demo_logins creates the `observer` user."""
    with at(TODAY):
        call_command("generate_demo", scale="tiny", seed=7, no_history=True, stdout=StringIO())
        generate_orglife_demo(seed=7, scale="tiny", today=TODAY)
        assert generate_observers_demo(seed=7, scale="tiny", today=TODAY)["linked"] is False
        out = StringIO()
        call_command("demo_logins", stdout=out)
    linked = Observer.objects.get(user__username="observer")
    assert f"（本人：观察员 {linked.member.name}）" in out.getvalue()
    assert linked.assignments.exists()
