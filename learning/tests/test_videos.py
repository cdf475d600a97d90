"""The library as its users meet it: publishing checks the file by content, a 必看 reaches the audience as it
is today, the watch endpoints credit only the member watching, and the file is served with ranges."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_member, make_user
from learning.models import Video, WatchProgress
from learning.services import videos as svc
from learning.services.uploads import transcode_video
from learning.services.watching import checked_heartbeat, sign, start_stream
from learning.tests.samples import make_video
from orgs.models import Member, Position
from orgs.roles import Role

MP4 = make_video("libx264", "mp4", seconds=1, audio=False)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def publish(cast, upload=None):
    data = svc.VideoData(cast.committee_a, "党章", "党章党规", 120, upload=upload)
    video = svc.publish_video(actor=cast.committee_admin, data=data)
    if upload is not None:
        transcode_video(video.pk)  # the task, run here
        video.refresh_from_db()
    return video


def test_a_file_that_is_not_a_video_is_refused_by_its_content(cast):
    fake = SimpleUploadedFile("片子.mp4", b"<html>not a video</html>", content_type="video/mp4")
    with pytest.raises(Exception, match="无法识别的文件"):
        publish(cast, fake)
    assert not Video.objects.exists()
    assert publish(cast, SimpleUploadedFile("a.mp4", MP4)).content_type == "video/mp4"


def test_the_audience_follows_members_who_move_and_narrows_to_posts(cast):
    video = publish(cast)
    everyone = svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1)),
    )
    assert cast.member_a1 in svc.audience(everyone) and cast.member_b1 not in svc.audience(everyone)
    Member.objects.filter(pk=cast.member_b1.pk).update(org=cast.branch_a2)  # moved into the committee
    assert svc.audience(everyone).filter(pk=cast.member_b1.pk).exists()
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    secretaries = svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(
            video, cast.committee_a, "required", dt.date(2099, 1, 1), titles=["secretary"]
        ),
    )
    assert list(svc.audience(secretaries)) == [cast.member_a1]
    done = svc.completion(everyone)
    assert (done.due, done.done) == (svc.audience(everyone).count(), 0)


def test_a_member_watches_through_the_endpoints_and_the_file_serves_ranges(client, cast):
    video = publish(cast, SimpleUploadedFile("a.mp4", MP4))
    svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1)),
    )
    client.force_login(cast.member_user)
    assert client.get(reverse("learning:videos")).status_code == 200
    assert client.get(reverse("learning:video_detail", args=[video.pk])).status_code == 200
    started = client.post(reverse("learning:video_start", args=[video.pk])).json()
    body = {"stream": started["stream"], "seq": 1, "position": 0.0, "hidden": False}
    body["sig"] = sign(started["key"], started["stream"], 1, 0.0, False)
    beat = client.post(
        reverse("learning:video_beat", args=[video.pk]), json.dumps(body), content_type="application/json"
    )
    assert beat.status_code == 200 and beat.json()["accepted"] is True
    body["seq"] = 1
    assert (
        client.post(
            reverse("learning:video_beat", args=[video.pk]), json.dumps(body), content_type="application/json"
        ).status_code
        == 409
    )
    size = video.file.size
    part = client.get(reverse("learning:video_file", args=[video.pk]), HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 0-99/{size}"
    assert len(b"".join(part.streaming_content)) == 100
    assert (
        client.get(
            reverse("learning:video_file", args=[video.pk]), HTTP_RANGE=f"bytes={size + 5}-"
        ).status_code
        == 416
    )
    assert WatchProgress.objects.filter(member=cast.member_a1, video=video).exists()


def test_a_member_outside_the_audience_cannot_reach_the_video(client, cast):
    video = publish(cast, SimpleUploadedFile("a.mp4", MP4))
    client.force_login(cast.member_user)  # no assignment reaches them yet
    assert client.get(reverse("learning:video_detail", args=[video.pk])).status_code == 404
    assert client.post(reverse("learning:video_start", args=[video.pk])).status_code == 404
    assert client.get(reverse("learning:video_file", args=[video.pk])).status_code == 404


def test_the_watch_check_for_one_member_agrees_with_the_audience(cast):
    """The heartbeat's access check tests one member; it must reach exactly the members the completion pages
    count, for every kind of audience."""
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    Member.objects.filter(name="王1华").update(status=Member.Status.DECEASED)
    kinds = [
        {},
        {"titles": ["secretary"]},
        {"member_ids": [cast.member_a1.pk]},
        {"candidates": True},
    ]
    for org in (cast.county, cast.committee_a, cast.branch_a1):
        for kind in kinds:
            video = svc.publish_video(
                actor=cast.dept_admin, data=svc.VideoData(cast.county, "准则", "党章党规", 60)
            )
            a = svc.assign_video(
                actor=cast.dept_admin,
                data=svc.AssignmentData(video, org, "required", dt.date(2099, 1, 1), **kind),
            )
            due = set(svc.audience(a).values_list("pk", flat=True))
            for m in Member.objects.all():
                assert (svc.watchable(m.pk, video.pk) is not None) == (m.pk in due), (org, kind, m)
                assert (a in svc.assignments_for(m)) == (m.pk in due)
                # The heartbeat's own check, folded into its progress read, admits the same members.
                started = start_stream(member_id=m.pk, video=video)
                beat = checked_heartbeat(
                    member_id=m.pk,
                    video_id=video.pk,
                    stream=started.stream,
                    seq=1,
                    position=0.0,
                    hidden=False,
                    signature=sign(started.key, started.stream, 1, 0.0, False),
                )
                assert (beat is not None and beat.accepted) == (m.pk in due), (org, kind, m)


def test_in_production_nginx_serves_the_file_after_the_same_access_check(client, cast, settings):
    settings.LEARNING_MEDIA_ACCEL_PREFIX = "/protected-media/"
    video = publish(cast, SimpleUploadedFile("a.mp4", MP4))
    client.force_login(cast.member_user)  # not in the audience yet: refused before any hand-over
    response = client.get(reverse("learning:video_file", args=[video.pk]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    svc.assign_video(
        actor=cast.committee_admin,
        data=svc.AssignmentData(video, cast.committee_a, "required", dt.date(2099, 1, 1)),
    )
    response = client.get(reverse("learning:video_file", args=[video.pk]), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + video.file.name
    assert response["Content-Type"] == video.content_type and "private" in response["Cache-Control"]


def test_the_beat_endpoint_refuses_outside_the_audience_and_lets_staff_in_scope_watch(client, cast):
    """The heartbeat's folded check: a member outside every assignment gets 404 (before a 400 for a bad body);
    a secretary who is also a member may watch a video of their scope that is not assigned to them (the page's
    check, `video_for_user`, decides when the folded one finds no assignment)."""
    video = publish(cast)
    Video.objects.filter(pk=video.pk).update(
        file="learning/videos/x.mp4", content_type="video/mp4"
    )  # playable
    url = reverse("learning:video_beat", args=[video.pk])
    client.force_login(cast.member_user)
    assert client.post(url, "{}", content_type="application/json").status_code == 404
    assert client.post(url, "not json", content_type="application/json").status_code == 404
    assert client.post(reverse("learning:video_start", args=[video.pk])).status_code == 404

    staff_member = make_member(cast.branch_a1, "周书记", phone="13900002222")
    client.force_login(make_user("branch_staff", Role.COMMITTEE_ADMIN, cast.committee_a, member=staff_member))
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    started = client.post(reverse("learning:video_start", args=[video.pk])).json()
    body = {"stream": started["stream"], "seq": 1, "position": 0.0, "hidden": False}
    body["sig"] = sign(started["key"], started["stream"], 1, 0.0, False)
    beat = client.post(url, json.dumps(body), content_type="application/json")
    assert beat.status_code == 200 and beat.json()["accepted"] is True
    assert client.post(url, json.dumps(body), content_type="application/json").json()["reason"] == "replay"
