"""Reused photos: the detector on the committed photographs (each transformation, each hard negative, recall
and false alarms with thresholds), and what the records show (both marked, repeats inside one record,
similar shots of one meeting, the secretary's explanation and the patrol's review, the backfill)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import random
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from orglife import photomatch as pm
from orglife.models import MeetingRecord, PhotoHash, PhotoMatch, RecordAttachment
from orglife.services import photos as photo_svc
from orglife.services import records as svc
from orglife.tests.records_fixtures import branch_admin, data, run_photo_checks

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("photo_reuse_eval", ROOT / "bench" / "photo_reuse_eval.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
SUBSET = ["coffee", "astronaut", "camera", "text"]  # a photo, a portrait, grey, a photographed page


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def original(name: str) -> Image.Image:
    return Image.open(bench.PHOTOS / f"{name}.jpg").convert("RGB")


def jpeg_upload(img: Image.Image, name: str = "会议.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def record(actor: Any, org: Any, photos: list[Image.Image], day: dt.date = dt.date(2026, 10, 15)) -> Any:
    """A record with these photos, their check task run as the worker runs it after the request."""
    rec = svc.create_record(
        actor=actor, org=org, data=data(org, day=day), photos=[jpeg_upload(p) for p in photos]
    )
    run_photo_checks()
    rec.refresh_from_db()
    return rec


# ------------------------------------------------------------------------------------- the detector


@pytest.mark.parametrize("how", bench.TRANSFORMS)
def test_each_transformation_of_a_photo_is_caught(how):
    img = original("coffee")
    copy = pm.grey(bench.transform(img, how, random.Random(1)))
    assert pm.verify(copy, pm.grey(img)).kind == "copy"
    wanted = pm.query_hashes(copy)
    assert pm.rank_candidates(wanted, [(1, v) for v in pm.hashes(pm.grey(img)).values()]) == [1]


def test_recall_and_false_alarms_on_the_committed_subset():
    """The bench's protocol on four photographs: 28 copies, the distinct pairs among the originals and the
    hard negatives. The bench reports the exact figures on the whole set (bench/RESULTS.md)."""
    store = bench.Store()
    greys = {n: pm.grey(original(n)) for n in SUBSET}
    for name, g in greys.items():
        store.add(name, g)
    rng = random.Random(3)
    caught = 0
    for name in SUBSET:
        for how in bench.TRANSFORMS:
            found = store.check(pm.grey(bench.transform(original(name), how, rng)), exclude=set())
            copies = {n for n, v in found if v.kind == "copy"}
            caught += copies == {name}
    assert caught >= 26  # of 28: >= 92%
    flagged = [(a, n) for a in SUBSET for n, v in store.check(greys[a], exclude={a}) if v.kind == "copy"]
    assert flagged == []


def test_recall_and_false_alarms_on_the_whole_committed_set():
    """The issue's thresholds on the whole committed set (every photograph, every transformation, every
    distinct pair including the hard negatives): >= 95% of the reused copies caught, < 1% false alarms, no
    copy attributed to the wrong original. Slow (about a minute and a half): it is the bench's own run."""
    figures = bench.evaluate()
    assert figures["total"] == 7 * len(figures["originals"]) >= 105
    assert figures["hit"] / figures["total"] >= 0.95, figures["misses"]
    assert len(figures["flagged"]) / len(figures["pairs"]) < 0.01, figures["flagged"]
    assert figures["flagged"] == set() and figures["wrong"] == 0
    for how, (caught, made) in figures["recall"].items():
        assert caught / made >= 0.85, (how, figures["misses"])  # the weakest kinds (rot3, crop) catch 13/15
    assert all(row[1] == 0 for row in figures["hard_rows"].values()), figures["hard_rows"]
    assert figures["later"]["copy"] + figures["later"]["similar"] == len(figures["originals"])


@pytest.mark.parametrize(
    "kind", ["two cameras", "two positions", "parts of one image", "textures", "documents"]
)
def test_each_hard_negative_is_not_reuse(kind):
    distinct, _, hard = bench.build()
    pairs = [(a, b) for a, b, k in hard if k == kind]
    assert pairs
    for a, b in pairs:
        assert pm.verify(pm.grey(distinct[a]), pm.grey(distinct[b])).kind != "copy", (a, b)


def test_a_blank_picture_is_not_compared():
    assert not pm.informative(pm.grey(Image.new("RGB", (300, 200), (240, 240, 240))))


# --------------------------------------------------------------------------------------- the records


def test_both_records_are_marked_once_the_check_task_has_run(cast):
    first = record(cast.secretary, cast.branch_a1, [original("coffee")])
    copy = bench.transform(original("coffee"), "caption", random.Random(1))
    again = svc.create_record(
        actor=cast.outsider, org=cast.branch_b1, data=data(cast.branch_b1), photos=[jpeg_upload(copy)]
    )
    # As returned by create_record: the check is pending, not a false "not reused".
    assert (again.photos_pending, again.photo_check) == (True, "pending")
    assert not PhotoMatch.objects.exists()
    run_photo_checks()
    again.refresh_from_db()
    first.refresh_from_db()
    assert (again.photo_check, first.photo_check) == ("reused", "reused")  # the patrol sees both sides
    match = PhotoMatch.objects.get()
    assert (match.kind, match.record, match.other_record) == (PhotoMatch.Kind.REUSE, again, first)
    assert match.score > 50 and again.attachments.get().reused_from == first.attachments.get()
    event = again.events.get(action="photos_checked")
    assert event.payload["reused"] == ["会议.jpg"] and event.actor is None


def test_a_photo_repeated_inside_one_record_is_flagged(cast):
    mirrored = bench.transform(original("astronaut"), "mirror", random.Random(1))
    rec = record(cast.secretary, cast.branch_a1, [original("astronaut"), original("camera"), mirrored])
    assert rec.photo_reused
    match = PhotoMatch.objects.get()
    assert match.same_record and match.kind == PhotoMatch.Kind.REUSE


def test_two_shots_of_one_meeting_seconds_apart_are_similar_not_reuse(cast):
    img = original("coffee")
    later = bench.seconds_later(img, random.Random(4))
    rec = record(cast.secretary, cast.branch_a1, [img, later])
    assert not rec.photo_reused
    match = PhotoMatch.objects.get()
    assert match.kind == PhotoMatch.Kind.SIMILAR and match.same_record


def test_distinct_photos_are_not_paired(cast):
    record(cast.secretary, cast.branch_a1, [original("coffee"), original("camera")])
    rec = record(cast.outsider, cast.branch_b1, [original("astronaut"), original("text")])
    assert not rec.photo_reused and not PhotoMatch.objects.filter(kind=PhotoMatch.Kind.REUSE).exists()
    assert PhotoHash.objects.count() == 4 * len(pm.hashes(pm.grey(original("coffee"))))


def test_removing_the_reused_photo_clears_both_flags(cast):
    first = record(cast.secretary, cast.branch_a1, [original("coffee")])
    again = record(cast.outsider, cast.branch_b1, [original("coffee")])
    svc.remove_attachment(actor=cast.outsider, attachment=again.attachments.get())
    first.refresh_from_db()
    again.refresh_from_db()
    assert not first.photo_reused and not again.photo_reused and not PhotoMatch.objects.exists()


def test_an_accepted_explanation_clears_the_flags_and_a_rejected_one_keeps_them(cast):
    first = record(cast.secretary, cast.branch_a1, [original("coffee")])
    again = record(cast.secretary, cast.branch_a1, [original("coffee")], day=dt.date(2026, 10, 16))
    match = PhotoMatch.objects.get()
    with pytest.raises(PermissionDenied):
        photo_svc.explain_match(actor=cast.outsider, match=match, explanation="同一活动多次记录")
    photo_svc.explain_match(actor=cast.secretary, match=match, explanation="同一活动多次记录")
    with pytest.raises(PermissionDenied):
        photo_svc.review_match(actor=cast.secretary, match=match, accept=True)
    photo_svc.review_match(actor=cast.committee_admin, match=match, accept=False)
    assert MeetingRecord.objects.get(pk=again.pk).photo_reused
    photo_svc.explain_match(actor=cast.secretary, match=match, explanation="同一活动多次记录，补充说明")
    photo_svc.review_match(actor=cast.committee_admin, match=match, accept=True)
    assert not MeetingRecord.objects.filter(pk__in=[first.pk, again.pk], photo_reused=True).exists()


def test_the_side_by_side_page_shows_both_photos_and_the_score(cast):
    first = record(cast.secretary, cast.branch_a1, [original("coffee")])
    again = record(
        cast.outsider, cast.branch_b1, [bench.transform(original("coffee"), "crop", random.Random(2))]
    )
    match = PhotoMatch.objects.get()
    for user, rec in ((cast.outsider, again), (cast.secretary, first), (cast.dept_admin, again)):
        html = cast.client(user).get(reverse("orglife:record_photos", args=[rec.pk])).content.decode()
        assert f"相似度 {match.score}/100" in html and "复用" in html
        for side in ("photo", "other"):
            url = reverse("orglife:photo_match_image", args=[match.pk, side])
            assert url in html
            assert cast.client(user).get(url).status_code == 200
    listed = cast.client(cast.dept_admin).get(reverse("orglife:photo_match_list")).content.decode()
    assert reverse("orglife:record_photos", args=[again.pk]) in listed
    response = cast.client(cast.outsider).post(
        reverse("orglife:record_photos_explain", args=[again.pk]), {"match": match.pk, "explanation": ""}
    )
    assert response.status_code == 302 and PhotoMatch.objects.get().review == PhotoMatch.Review.OPEN


def test_the_backfill_checks_unchecked_photos_in_batches_and_resumes(cast, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = record(cast.secretary, cast.branch_a1, [original("coffee"), original("camera")])
    again = record(cast.outsider, cast.branch_b1, [original("camera"), original("text")])
    PhotoHash.objects.all().delete()  # as if stored before the detector
    RecordAttachment.objects.update(checked_at=None)
    PhotoMatch.objects.all().delete()
    MeetingRecord.objects.update(photo_reused=False)
    out = io.StringIO()
    call_command("orglife_recheck_photos", batch_size=1, max_batches=2, stdout=out)
    assert "已检查 2/4 张" in out.getvalue()
    assert RecordAttachment.objects.filter(hashes__isnull=False).distinct().count() == 2
    call_command("orglife_recheck_photos", batch_size=1, stdout=out)  # continues with the other two
    assert RecordAttachment.objects.filter(hashes__isnull=True).count() == 0
    assert PhotoMatch.objects.filter(kind=PhotoMatch.Kind.REUSE).count() == 1
    assert MeetingRecord.objects.filter(pk__in=[first.pk, again.pk], photo_reused=True).count() == 2
    call_command("orglife_recheck_photos", "--all", batch_size=3, max_batches=1, stdout=out)
    assert (tmp_path / "orglife_recheck_photos.last").exists()
    call_command("orglife_recheck_photos", "--all", batch_size=3, stdout=out)
    assert not (tmp_path / "orglife_recheck_photos.last").exists()
    assert PhotoMatch.objects.count() == 1  # re-checking never doubles a pair


def test_the_committee_list_shows_reuse_first_in_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries
):
    record(cast.secretary, cast.branch_a1, [original("coffee"), original("camera")])
    record(cast.outsider, cast.branch_b1, [original("coffee")])
    record(branch_admin(cast.branch_a2), cast.branch_a2, [original("camera")])
    client = cast.client(cast.dept_admin)
    client.get(reverse("orglife:photo_match_list"))  # warm the session and the user's grants
    with django_assert_max_num_queries(12):
        html = client.get(reverse("orglife:photo_match_list")).content.decode()
    assert html.count("list-group-item px-1") == 2
    outsider = cast.client(cast.outsider).get(reverse("orglife:photo_match_list")).content.decode()
    assert outsider.count("list-group-item px-1") == 1  # only the pair touching the outsider's branch
    similar = client.get(reverse("orglife:photo_match_list") + "?show=similar").content.decode()
    assert "没有需要核查的照片" in similar
