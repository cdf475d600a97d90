"""党员教育片库: the heartbeat endpoint's requests/s against a bare endpoint behind the same middleware, and the
completion roll-up of a county-wide 必看 against an independent hand-written SQL query, in the same run.

Heartbeats: in-process through django.test.Client (the whole middleware stack, the member's session), a
logged-in member posting signed heartbeats, against a logged-in POST to /bench-hello-user/ (bench/floor_urls.py:
a one-line login_required view behind the same middleware, so it reads the session and the user as the beat
does). Blocks of --beats requests alternated A/B then B/A for --rounds rounds; the median of the per-round
ratios and their spread.

Roll-up: `completion(assignment)` (due, done and the first page of who has not watched) against one SQL
statement per figure written by hand from the schema (the members under the root with an active status, those
with a completed WatchProgress, the first 20 missing ordered by organization path).

Viewers (--viewers N): N members watching at once through the real server (gunicorn, --workers sync workers,
on the same database), each an asyncio client that starts a stream and sends a signed heartbeat every
--interval s (the page's 3 s) with the position of a 1x playback by its own clock, for --watch s. Reports
heartbeats/s, p50/p95 latency, errors, and per viewer: the credit in the database against the last total the
server answered (a lost update would differ) and against the seconds played up to the last accepted heartbeat
(what honest watching earns; more would be over-credit).

Ranges (--ranges MB): a local video file of that size served through the app's protected view
(learning:video_file: login, the access check, the file streamed in 64 KB chunks) against a minimal file-range
view without login or access check (bench/floor_urls.py /bench-file/), both in process through the same
middleware and the same logged-in client: --seeks random 1 MB ranges and --reads full reads each, alternated
A/B for --rounds rounds; requests/s and MB/s, median of rounds, ratio.

Usage: .venv/bin/python bench/bench_learning_video.py [--members 262000] [--beats 300] [--rounds 9] [--db sqlite]
       .venv/bin/python bench/bench_learning_video.py --viewers 1000 --watch 60 [--workers 2] [--db postgres]
       .venv/bin/python bench/bench_learning_video.py --ranges 64 [--seeks 200] [--reads 3] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, open_database, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--beats", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument(
        "--viewers", type=int, default=0, help="N concurrent viewers through gunicorn instead"
    )
    parser.add_argument("--watch", type=float, default=60.0, help="seconds each viewer watches")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between heartbeats")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--ranges", type=int, default=0, help="MB of a video file: range serving instead")
    parser.add_argument("--seeks", type=int, default=200)
    parser.add_argument("--reads", type=int, default=3)
    args = parser.parse_args()
    with open_database(args.db) as where:
        print(where, file=sys.stderr)
        if args.viewers:
            run_viewers(args)
        elif args.ranges:
            run_ranges(args)
        else:
            run(args)


def run(args: argparse.Namespace) -> None:
    import datetime as dt
    import random

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from accounts.models import User
    from learning.models import Video, VideoAssignment
    from learning.services.videos import AssignmentData, VideoData, add_assignments, add_videos, completion
    from learning.services.watching import add_watching, sign
    from orgs import demo
    from orgs.models import Member, Organization

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    stats = demo.write(demo.iter_chunks("city", 7, today=dt.date(2026, 11, 24)), limit_members=args.members)
    print(f"generated {stats.members:,} members in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    video = add_videos(items=[VideoData(root, "榜样", "先进典型", 3600)])[0]
    # Playable as if transcoded (the heartbeat endpoints refuse a video still processing; no file is read).
    Video.objects.filter(pk=video.pk).update(file="learning/videos/bench.mp4", content_type="video/mp4")
    (assignment,) = add_assignments(items=[AssignmentData(video, root, "required", dt.date(2099, 1, 1))])
    rng = random.Random(7)
    now = timezone.now()
    ids = list(Member.objects.values_list("pk", flat=True))
    add_watching(video=video, items=[(pk, 3600.0, now) for pk in ids if rng.random() < 0.7])

    # ---- roll-up
    def ours() -> tuple[int, int, list[int]]:
        done = completion(VideoAssignment.objects.select_related("video", "org").get(pk=assignment.pk))
        return done.due, done.done, [m.pk for m in done.missing[:20]]

    statuses = tuple(Member.ACTIVE_STATUSES)
    marks = ",".join(["%s"] * len(statuses))
    under = "o.path >= %s AND o.path < %s"  # the subtree as an index range on the materialized path
    high = root.path + "\uffff"

    def raw() -> tuple[int, int, list[int]]:
        with connection.cursor() as c:
            c.execute(
                f"SELECT count(*), count(w.id) FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id"
                f" LEFT JOIN learning_watchprogress w ON w.member_id = m.id AND w.video_id = %s"
                f" AND w.completed_at IS NOT NULL WHERE {under} AND m.status IN ({marks})",
                [video.pk, root.path, high, *statuses],
            )
            due, done = c.fetchone()
            c.execute(
                f"SELECT m.id FROM orgs_member m JOIN orgs_organization o ON o.id = m.org_id WHERE {under}"
                f" AND m.status IN ({marks}) AND NOT EXISTS (SELECT 1 FROM learning_watchprogress w"
                f" WHERE w.member_id = m.id AND w.video_id = %s AND w.completed_at IS NOT NULL)"
                f" ORDER BY o.path, m.id LIMIT 20",
                [root.path, high, *statuses, video.pk],
            )
            return due, done, [r[0] for r in c.fetchall()]

    assert ours() == raw(), (ours()[:2], raw()[:2])
    ours_ms = median_ms(ours, args.rounds)
    raw_ms = median_ms(raw, args.rounds)

    # ---- heartbeats
    member = Member.objects.filter(status=Member.Status.NORMAL).order_by("pk").first()
    assert member is not None
    user = User.objects.create_user(
        username="bench_member", password="Xf#Bench2026", member=member, must_change_password=False
    )
    with override_settings(ROOT_URLCONF="floor_urls"):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        started_stream = client.post(f"/learning/videos/{video.pk}/start/").json()
        stream, key = started_stream["stream"], started_stream["key"]
        seq = 0

        def hellos() -> float:
            t0 = time.perf_counter()
            for _ in range(args.beats):
                assert client.post("/bench-hello-user/", {}).status_code == 200
            return args.beats / (time.perf_counter() - t0)

        def beats() -> float:
            nonlocal seq
            t0 = time.perf_counter()
            for _ in range(args.beats):
                seq += 1
                position = seq * 0.001  # advancing (less than wall time x 2): every beat is accepted
                body = {"stream": stream, "seq": seq, "position": position, "hidden": False}
                body["sig"] = sign(key, stream, seq, position, False)
                response = client.post(
                    f"/learning/videos/{video.pk}/beat/", json.dumps(body), content_type="application/json"
                )
                assert response.status_code == 200 and response.json()["accepted"], response.content
            return args.beats / (time.perf_counter() - t0)

        hellos(), beats()  # warm-up (URL resolver, prepared statements, caches)
        hello_rps, beat_rps = [], []
        for i in range(args.rounds):  # alternated A/B, B/A: the machine's load drifts over the run
            if i % 2:
                beat_rps.append(beats())
                hello_rps.append(hellos())
            else:
                hello_rps.append(hellos())
                beat_rps.append(beats())
    ratios = sorted(b / h for b, h in zip(beat_rps, hello_rps, strict=True))
    hello, beat = statistics.median(hello_rps), statistics.median(beat_rps)
    print(
        f"heartbeat/hello per round: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}"
        f" (beat {beat:,.0f} req/s, logged-in hello {hello:,.0f} req/s, {args.beats} requests a block)"
    )
    print(f"members {stats.members:,}, required audience {ours()[0]:,}, done {ours()[1]:,}")
    print(
        table(
            ["measure", "subject", "baseline", "ratio", "target"],
            [
                [
                    "heartbeat POST (req/s)",
                    f"{beat:,.0f}",
                    f"{hello:,.0f} (logged-in hello, same middleware)",
                    f"{statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f})",
                    "≥ 0.7×",
                ],
                [
                    "必看 roll-up (ms)",
                    f"{ours_ms:,.1f}",
                    f"{raw_ms:,.1f} (hand-written SQL)",
                    f"{ours_ms / raw_ms:.2f}×",
                    "≤ 1.5×",
                ],
            ],
        )
    )


def run_viewers(args: argparse.Namespace) -> None:
    import asyncio
    import datetime as dt
    import os
    import random
    import subprocess
    import urllib.request

    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from learning.models import Video, WatchProgress
    from learning.services.videos import AssignmentData, VideoData, add_assignments, add_videos
    from learning.services.watching import sign
    from orgs import demo
    from orgs.models import Member, Organization

    settings.ALLOWED_HOSTS = ["*"]
    demo.write(
        demo.iter_chunks("city", 7, today=dt.date(2026, 11, 24)), limit_members=max(args.viewers, 1000)
    )
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    video = add_videos(items=[VideoData(root, "榜样", "先进典型", 3600)])[0]
    Video.objects.filter(pk=video.pk).update(file="learning/videos/bench.mp4", content_type="video/mp4")
    add_assignments(items=[AssignmentData(video, root, "required", dt.date(2099, 1, 1))])
    members = list(Member.objects.filter(status=Member.Status.NORMAL).order_by("pk")[: args.viewers])
    assert len(members) == args.viewers, f"only {len(members)} members"
    cookies = []
    for i, member in enumerate(members):
        user = User.objects.create_user(username=f"viewer{i}", member=member, must_change_password=False)
        client = Client()
        client.force_login(user)
        cookies.append(
            f"sessionid={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={'c' * 32}"
        )
    connections.close_all()

    env = {**os.environ, "XIANFENG_DEBUG": "0", "XIANFENG_ALLOWED_HOSTS": "127.0.0.1"}
    host = f"127.0.0.1:{args.port}"
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-w", str(args.workers)]
    command += ["-b", host, "--timeout", "120", "--backlog", "4096"]
    server = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://{host}/accounts/login/", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        results = asyncio.run(_watch_all(args, host, video.pk, cookies, random.Random(7), sign))
    finally:
        server.terminate()
        server.wait(30)

    latencies = sorted(ms for r in results for ms in r["latencies"])
    beats = sum(r["accepted"] for r in results)
    errors = sum(r["errors"] for r in results)
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results)
    stored = {p.member_id: p.credited for p in WatchProgress.objects.filter(video=video, member__in=members)}
    lost = [
        r for r, m in zip(results, members, strict=True) if abs(stored.get(m.pk, 0.0) - r["total"]) > 0.05
    ]
    over = [r for r, m in zip(results, members, strict=True) if stored.get(m.pk, 0.0) > r["played"] + 0.15]
    shares = sorted(
        stored.get(m.pk, 0.0) / r["played"] for r, m in zip(results, members, strict=True) if r["played"]
    )
    earned, played = sum(stored.values()), sum(r["played"] for r in results)
    print(
        table(
            [
                "viewers",
                "heartbeats/s",
                "p50 ms",
                "p95 ms",
                "errors",
                "lost updates",
                "over-credit",
                "credit / played",
            ],
            [
                [
                    f"{args.viewers:,} ({args.db}, {args.workers} workers)",
                    f"{beats / wall:,.0f} ({beats:,} accepted in {wall:.0f} s)",
                    f"{latencies[len(latencies) // 2]:,.0f}",
                    f"{latencies[int(len(latencies) * 0.95)]:,.0f}",
                    f"{errors:,}",
                    f"{len(lost)}",
                    f"{len(over)}",
                    f"{earned / played:.4f} (viewer min {shares[0]:.3f}, p50 {shares[len(shares) // 2]:.3f})",
                ]
            ],
        )
    )


def run_ranges(args: argparse.Namespace) -> None:
    import datetime as dt
    import os
    import random

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User
    from learning.models import Video
    from learning.services.videos import AssignmentData, VideoData, add_assignments, add_videos
    from orgs import demo
    from orgs.models import Member, Organization

    settings.ALLOWED_HOSTS = ["*"]
    demo.write(demo.iter_chunks("city", 7, today=dt.date(2026, 11, 24)), limit_members=200)
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    folder = Path(settings.MEDIA_ROOT) / "learning" / "videos"
    folder.mkdir(parents=True, exist_ok=True)
    size = args.ranges * 1048576
    (folder / "bench.mp4").write_bytes(os.urandom(size))
    video = add_videos(items=[VideoData(root, "榜样", "先进典型", 3600)])[0]
    Video.objects.filter(pk=video.pk).update(file="learning/videos/bench.mp4", content_type="video/mp4")
    add_assignments(items=[AssignmentData(video, root, "required", dt.date(2099, 1, 1))])
    member = Member.objects.filter(status=Member.Status.NORMAL).order_by("pk").first()
    user = User.objects.create_user(username="bench_viewer", member=member, must_change_password=False)
    rng = random.Random(7)
    starts = [rng.randrange(0, size - 1048576) for _ in range(args.seeks)]
    urls = {"app": f"/learning/videos/{video.pk}/file", "plain": "/bench-file/bench.mp4"}

    with override_settings(ROOT_URLCONF="floor_urls"):
        client = Client()
        client.force_login(user)

        def seeks(url: str) -> float:
            t0 = time.perf_counter()
            for start in starts:
                response = client.get(url, HTTP_RANGE=f"bytes={start}-{start + 1048575}")
                assert response.status_code == 206
                assert len(response.getvalue()) == 1048576
            return time.perf_counter() - t0

        def reads(url: str) -> float:
            t0 = time.perf_counter()
            for _ in range(args.reads):
                response = client.get(url)
                assert response.status_code == 200
                assert len(response.getvalue()) == size
            return time.perf_counter() - t0

        seeks(urls["app"]), seeks(urls["plain"])  # warm-up: the file in the page cache
        timing: dict[tuple[str, str], list[float]] = {}
        for i in range(args.rounds):
            for who in ("app", "plain") if i % 2 == 0 else ("plain", "app"):
                timing.setdefault((who, "seek"), []).append(seeks(urls[who]))
                timing.setdefault((who, "read"), []).append(reads(urls[who]))
    rows = []
    for kind, count, mb in (("seek", args.seeks, args.seeks), ("read", args.reads, args.reads * args.ranges)):
        app, plain = statistics.median(timing[("app", kind)]), statistics.median(timing[("plain", kind)])
        spread = sorted(p / a for a, p in zip(timing[("app", kind)], timing[("plain", kind)], strict=True))
        label = "random 1 MB ranges (206)" if kind == "seek" else f"full read of {args.ranges} MB (200)"
        rows.append(
            [
                label,
                f"{count / app:,.1f} req/s, {mb / app:,.0f} MB/s",
                f"{count / plain:,.1f} req/s, {mb / plain:,.0f} MB/s",
                f"{plain / app:.2f}× ({spread[0]:.2f}–{spread[-1]:.2f})",
            ]
        )
    print(table(["request", "app's protected view", "minimal file-range view", "app / minimal"], rows))


async def _post(host: str, path: str, cookie: str, body: bytes) -> tuple[int, dict[str, Any]]:
    import asyncio

    hostname, port = host.split(":")
    reader, writer = await asyncio.open_connection(hostname, int(port))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nX-CSRFToken: {'c' * 32}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    payload = raw.split(b"\r\n\r\n", 1)[1]
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, {}


async def _watch_all(
    args: argparse.Namespace, host: str, video_id: int, cookies: list[str], rng: Any, sign: Any
) -> list[dict[str, Any]]:
    import asyncio

    async def viewer(cookie: str, phase: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        out: dict[str, Any] = {"latencies": [], "accepted": 0, "errors": 0, "total": 0.0, "played": 0.0}
        await asyncio.sleep(phase)
        out["began"] = loop.time()
        status, started = await _post(host, f"/learning/videos/{video_id}/start/", cookie, b"")
        if status != 200:
            out["errors"] += 1
            out["ended"] = loop.time()
            return out
        t0 = loop.time()
        stream, key = started["stream"], started["key"]
        seq, due = 0, t0 + args.interval
        while due <= t0 + args.watch:
            await asyncio.sleep(max(0.0, due - loop.time()))
            seq += 1
            position = round(loop.time() - t0, 1)  # a 1x playback by the viewer's own clock
            body = {"stream": stream, "seq": seq, "position": position, "hidden": False}
            body["sig"] = sign(key, stream, seq, position, False)
            sent = loop.time()
            try:
                status, answer = await _post(
                    host, f"/learning/videos/{video_id}/beat/", cookie, json.dumps(body).encode()
                )
            except OSError:
                status, answer = 0, {}
            out["latencies"].append((loop.time() - sent) * 1000)
            if status == 200 and answer.get("accepted"):
                out["accepted"] += 1
                out["total"], out["played"] = answer["total"], position
            else:
                out["errors"] += 1
            due += args.interval
        out["ended"] = loop.time()
        return out

    return await asyncio.gather(*(viewer(c, rng.uniform(0, args.interval)) for c in cookies))


if __name__ == "__main__":
    main()
