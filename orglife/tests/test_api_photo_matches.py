"""/api/v1/orglife/photo-matches/: the pairs the caller sees, a pair with both records, the explanation and
the review — four ways (allowed, read-only, outsider 404, anonymous 401)."""

from __future__ import annotations

import pytest

from orglife.models import MeetingRecord, PhotoMatch
from orglife.tests.records_fixtures import branch_admin, draft
from orgs.tests.api_client import api

BASE = "/api/v1/orglife/photo-matches/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pair(cast):
    """The same photo in two branches of 党委 A: branch_a1 (earlier) and branch_a2 (later)."""
    first = draft(cast.secretary, cast.branch_a1, seed=8)
    later = draft(branch_admin(cast.branch_a2), cast.branch_a2, seed=8)
    match = PhotoMatch.objects.get()
    assert (match.other_record_id, match.record_id, match.kind) == (first.pk, later.pk, "reuse")
    return match


def test_the_secretary_lists_the_pair_explains_it_and_the_patrol_accepts(cast, pair):
    listed = api(cast.secretary).get(BASE)
    assert listed.status_code == 200 and [p["id"] for p in listed.json()["results"]] == [pair.pk]
    body = api(cast.secretary).get(f"{BASE}{pair.pk}/").json()
    assert (body["kind"], body["kind_display"], body["flags"]) == ("reuse", "复用", True)
    assert body["score"] == pair.score and body["can_explain"] and not body["can_review"]
    assert body["earlier"]["record"] == pair.other_record_id and body["earlier"]["visible"]
    assert body["earlier"]["topic"] and body["later"]["org_name"] == cast.branch_a2.display_name
    assert body["later"]["visible"] is False and body["later"]["topic"] is None  # branch_a2 is not hers
    blank = api(cast.secretary).post(f"{BASE}{pair.pk}/explain/", {"explanation": " "}, format="json")
    assert blank.status_code == 400 and blank.json()["explanation"] == ["请填写情况说明"]
    explained = api(cast.secretary).post(
        f"{BASE}{pair.pk}/explain/", {"explanation": "同一活动多次记录"}, format="json"
    )
    assert explained.status_code == 200 and explained.json()["review"] == "explained"
    assert api(cast.secretary).post(f"{BASE}{pair.pk}/review/", {"decision": "accept"}).status_code == 403
    patrol = api(cast.committee_admin)
    assert patrol.get(f"{BASE}{pair.pk}/").json()["can_review"] is True
    reviewed = patrol.post(f"{BASE}{pair.pk}/review/", {"decision": "accept"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["review_display"] == "说明已认可"
    assert reviewed.json()["flags"] is False
    assert not MeetingRecord.objects.filter(photo_reused=True).exists()  # the same service as the page
    assert api(cast.secretary).get(BASE).json()["results"] == []  # no longer waiting for the patrol
    assert [p["id"] for p in api(cast.secretary).get(BASE, {"show": "all"}).json()["results"]] == [pair.pk]


def test_both_photos_of_the_pair_are_served_to_whoever_sees_it(cast, pair):
    for side in ("photo", "other"):
        response = api(cast.viewer).get(f"{BASE}{pair.pk}/image/{side}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert api(cast.viewer).get(f"{BASE}{pair.pk}/image/photo/", {"thumb": 1}).status_code == 200
    assert api(cast.outsider).get(f"{BASE}{pair.pk}/image/photo/").status_code == 404
    assert api(None).get(f"{BASE}{pair.pk}/image/photo/").status_code == 401


def test_a_read_only_viewer_reads_but_neither_explains_nor_reviews(cast, pair):
    client = api(cast.viewer)
    assert [p["id"] for p in client.get(BASE).json()["results"]] == [pair.pk]
    body = client.get(f"{BASE}{pair.pk}/").json()
    assert body["earlier"]["visible"] and body["later"]["visible"]  # the committee's reader sees both
    assert not body["can_explain"] and not body["can_review"]
    assert client.post(f"{BASE}{pair.pk}/explain/", {"explanation": "同一活动"}).status_code == 403
    assert client.post(f"{BASE}{pair.pk}/review/", {"decision": "reject"}).status_code == 403
    assert PhotoMatch.objects.get().review == PhotoMatch.Review.OPEN


def test_an_outsider_gets_404_and_an_empty_list(cast, pair):
    client = api(cast.outsider)
    assert client.get(BASE).json()["results"] == []
    assert client.get(f"{BASE}{pair.pk}/").status_code == 404
    assert client.post(f"{BASE}{pair.pk}/explain/", {"explanation": "同一活动"}).status_code == 404
    assert client.post(f"{BASE}{pair.pk}/review/", {"decision": "accept"}).status_code == 404


def test_anonymous_callers_get_401(cast, pair):
    client = api(None)
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}{pair.pk}/").status_code == 401
    assert client.post(f"{BASE}{pair.pk}/explain/", {"explanation": "x"}).status_code == 401
    assert client.post(f"{BASE}{pair.pk}/review/", {"decision": "accept"}).status_code == 401


def test_a_pair_across_committees_shows_the_other_side_without_its_topic(cast):
    draft(cast.secretary, cast.branch_a1, seed=8)
    theirs = draft(cast.outsider, cast.branch_b1, seed=8)
    match = PhotoMatch.objects.get()
    body = api(cast.outsider).get(f"{BASE}{match.pk}/").json()
    assert body["later"]["record"] == theirs.pk and body["later"]["topic"]
    assert body["earlier"] == {**body["earlier"], "visible": False, "topic": None}
    assert body["earlier"]["org_name"] == cast.branch_a1.display_name  # as the side-by-side page shows it


def test_the_list_filters_like_the_page_in_a_fixed_number_of_queries(
    cast, pair, django_assert_max_num_queries
):
    client = api(cast.dept_admin)
    client.get(BASE)
    with django_assert_max_num_queries(8):
        assert len(client.get(BASE, {"show": "all"}).json()["results"]) == 1
    assert client.get(BASE, {"show": "similar"}).json()["results"] == []
    assert client.get(BASE, {"show": "nonsense"}).status_code == 400
