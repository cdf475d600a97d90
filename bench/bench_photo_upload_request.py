"""Benchmark: the request time of a record submission with 3 photos, with the reuse check in the request
(as before issue 12's last step) and in the upload task (now), against the same submission without photos.

    .venv/bin/python bench/bench_photo_upload_request.py [--db sqlite|postgres] [--runs 11]

A throwaway database with a small tree; the 16 committed photographs (bench/photos/) are stored first as
records of another branch and checked, so a look-up has candidates. Then, as the branch secretary, the
page's form (POST /orglife/records/new/?org=…, “保存并提交”) is sent in the same run, interleaved, median
of N, the record deleted after each request so every request meets the same store:

  baseline: the form without photos (an independent reference: same view, same record, no upload);
  inline:   the form with 3 photos of 1600×1200 (one a re-compressed copy of a stored photograph, so
            verification runs) and the check run in the request (the tasks' ImmediateBackend: the
            check task runs at the commit, inside the request, as the code before this change did);
  task:     the same form with the database backend: the request stores the photos and enqueues the
            check; the check's own time in the worker is measured separately, after the request.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import open_database, table  # noqa: E402

PHOTOS = Path(__file__).resolve().parent / "photos"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with open_database(args.db) as where:
        print(f"{args.db}: {where}")
        run(args)


def jpeg(image: Any, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def phone_photo(name: str, quality: int = 90) -> bytes:
    from PIL import Image

    return jpeg(Image.open(PHOTOS / f"{name}.jpg").resize((1600, 1200), Image.Resampling.BICUBIC), quality)


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from django.urls import reverse

    from conftest import make_member, make_org, make_user
    from orglife import tasks
    from orglife.models import MeetingRecord
    from orglife.services import records as svc
    from orglife.tests.records_fixtures import data
    from orgs.roles import Role

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="xianfeng-bench-media-")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = make_org(None, "中共示范县委员会", "committee", "C0001")
    committee = make_org(county, "中共示范县直属机关工作委员会", "working_committee", "C0002")
    branch = make_org(committee, "县财政局机关党支部", "branch", "B0001")
    other = make_org(committee, "县教育局机关党支部", "branch", "B0002")
    members = [make_member(branch, f"王{i}华") for i in range(6)]
    make_member(other, "赵红梅")
    secretary = make_user("secretary", Role.BRANCH_SECRETARY, branch)
    other_secretary = make_user("other_secretary", Role.BRANCH_SECRETARY, other)

    names = sorted(p.stem for p in PHOTOS.glob("*.jpg"))
    for name in names:
        record = svc.create_record(
            actor=other_secretary,
            org=other,
            data=data(other),
            photos=[SimpleUploadedFile(f"{name}.jpg", phone_photo(name), "image/jpeg")],
        )
        tasks.check_record_photos_task.call(record.pk)
    # One re-compressed copy of a stored photograph (found, verified, flagged) and two pictures that are
    # not stored (two stored ones turned upside down: a turn the detector does not look for).
    from PIL import Image

    uploads = [phone_photo("coffee", quality=60), phone_photo("rocket", 92), phone_photo("clock", 92)]
    uploads[1] = jpeg(Image.open(io.BytesIO(uploads[1])).transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    uploads[2] = jpeg(Image.open(io.BytesIO(uploads[2])).transpose(Image.Transpose.FLIP_TOP_BOTTOM))

    client = Client()
    client.force_login(secretary)
    url = f"{reverse('orglife:record_create')}?org={branch.pk}"
    form = {
        "meeting_type": "theme_day",
        "topic": "主题党日：志愿服务",
        "held_on": "2026-10-18",
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "社区服务中心",
        "host_name": "王0华",
        "recorder_name": "王1华",
        "content": "开展志愿服务活动。",
        "then": "submit",
        **{f"att-{m.pk}": "present" for m in members},
    }
    client.get(url)  # warm the session, the templates and the form
    worker_ms: list[float] = []

    def send(with_photos: bool) -> tuple[float, MeetingRecord]:
        post = dict(form)
        if with_photos:
            post["photos"] = [
                SimpleUploadedFile(f"照片{i}.jpg", body, "image/jpeg") for i, body in enumerate(uploads)
            ]
        started = time.perf_counter()
        response = client.post(url, post)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.content.decode()[:2000]
        return elapsed, MeetingRecord.objects.filter(org=branch).latest("pk")

    def baseline() -> float:
        elapsed, record = send(False)
        record.delete()
        return elapsed

    def inline() -> float:
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        ):
            elapsed, record = send(True)
        assert not record.photos_pending and record.photo_reused  # checked inside the request
        record.delete()
        return elapsed

    def in_task() -> float:
        elapsed, record = send(True)
        assert record.photos_pending and not record.photo_reused  # only enqueued
        started = time.perf_counter()
        tasks.check_record_photos_task.call(record.pk)
        worker_ms.append((time.perf_counter() - started) * 1000)
        record.refresh_from_db()
        assert record.photo_reused and not record.photos_pending
        record.delete()
        return elapsed

    for fn in (baseline, inline, in_task):  # one warm-up each
        fn()
    worker_ms.clear()
    times: dict[str, list[float]] = {"baseline": [], "inline": [], "task": []}
    for _ in range(args.runs):
        times["baseline"].append(baseline())
        times["inline"].append(inline())
        times["task"].append(in_task())
    base = statistics.median(times["baseline"])
    rows = []
    for label, key in (
        ("no photos (baseline)", "baseline"),
        ("3 photos, check in the request (before)", "inline"),
        ("3 photos, check in the task (now)", "task"),
    ):
        med = statistics.median(times[key])
        rows.append([label, f"{med:.0f}", f"{max(times[key]):.0f}", f"{med / base:.2f}"])
    print(table(["request", "median ms", "max ms", "ratio to baseline"], rows))
    print(f"check task in the worker (3 photos): median {statistics.median(worker_ms):.0f} ms")
    print(f"runs: {args.runs}, stored photographs: {len(names)}")


if __name__ == "__main__":
    main()
