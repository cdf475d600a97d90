"""Watching verified on the server. The player starts a stream (one active stream per member and video: a new
start ends the old one), then sends a heartbeat every few seconds with its position, signed with the stream's
key. For each accepted heartbeat the server credits the video time between the last position and the new
one, but at most what the allowed speed could cover in the wall-clock time since the last accepted heartbeat
(server time: a device clock counts for nothing) and at most a fixed cap; nothing while the page is hidden,
nothing for a seek backwards. Credit is kept as merged intervals of video time, so watching a part twice
counts once, and a seek to the end earns only the seconds a real viewer could have watched meanwhile. A
heartbeat lost on a bad network is made up by the next one, which carries the position (up to the cap).
Forged, replayed or stale heartbeats earn nothing and are listed as anomalies for the admin.

The issue's wording, "the smallest of the wall-clock time, the video time advanced divided by the allowed
speed, and a fixed cap", is read in video time: min(advanced, wall × speed, cap) — an honest viewer at 1×
then earns exactly what they watch, and no script earns more than a viewer at the allowed speed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from learning.models import Video, WatchAnomaly, WatchProgress
from learning.services.common import aware
from learning.services.videos import REACH_COLUMNS, reach_sql, reaches

MAX_RATE = 2.0  # the fastest playback speed that still counts (2×)
CAP_SECONDS = 15.0  # no single heartbeat credits more than this
REQUIRED_SHARE = 0.9  # the share of the video a required viewing needs (a setting: LEARNING_WATCH_SHARE)


def required_share() -> float:
    return float(getattr(settings, "LEARNING_WATCH_SHARE", REQUIRED_SHARE))


def stream_key(member_id: int, video_id: int, stream: str) -> str:
    material = f"learning-watch:{member_id}:{video_id}:{stream}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).hexdigest()


def sign(key: str, stream: str, seq: int, position: float, hidden: bool) -> str:
    message = f"{stream}:{seq}:{position:.1f}:{int(hidden)}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Started:
    stream: str
    key: str
    position: float


@transaction.atomic
def start_stream(*, member_id: int, video: Video, now: dt.datetime | None = None) -> Started:
    """A new stream for this member and video; any other stream of theirs stops earning."""
    progress, _ = WatchProgress.objects.select_for_update().get_or_create(member_id=member_id, video=video)
    progress.stream = secrets.token_hex(16)
    progress.seq = 0
    progress.last_beat_at = now or timezone.now()
    progress.save(update_fields=["stream", "seq", "last_beat_at", "updated_at"])
    return Started(progress.stream, stream_key(member_id, video.pk, progress.stream), progress.position)


def _merge(intervals: list[list[float]], start: float, end: float) -> list[list[float]]:
    out: list[list[float]] = []
    for a, b in sorted([*intervals, [start, end]]):
        if out and a <= out[-1][1] + 0.01:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


@dataclass
class BeatResult:
    accepted: bool
    credited: float  # this heartbeat's new credit
    total: float
    completed: bool
    reason: str = ""


def _anomaly(member_id: int, video_id: int, reason: str, **detail: Any) -> None:
    WatchAnomaly.objects.create(member_id=member_id, video_id=video_id, reason=reason, detail=detail)


# The heartbeat's own row is read and written through the cursor: it is the hot path of the library (every
# viewer, every few seconds), and the ORM's compilation of these two statements cost more than the rest of
# the request. The columns are converted here as the ORM would convert them.
_BEAT_COLUMNS = "id, intervals, credited, position, stream, seq, last_beat_at, completed_at"


@dataclass
class _Progress:
    """The columns of a WatchProgress row the heartbeat reads and writes."""

    pk: int
    intervals: list[list[float]]
    credited: float
    position: float
    stream: str
    seq: int
    last_beat_at: dt.datetime | None
    completed_at: dt.datetime | None


def _progress_of(row: tuple[Any, ...] | list[Any]) -> _Progress:
    pk, intervals, credited, position, stream, seq, last_beat_at, completed_at = row
    return _Progress(
        pk=pk,
        intervals=json.loads(intervals) if isinstance(intervals, str) else intervals,
        credited=credited,
        position=position,
        stream=stream,
        seq=seq,
        last_beat_at=aware(last_beat_at),
        completed_at=aware(completed_at),
    )


def _locked_progress(member_id: int, video_id: int) -> _Progress | None:
    sql = f"SELECT {_BEAT_COLUMNS} FROM {WatchProgress._meta.db_table} WHERE member_id = %s AND video_id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, video_id])
        row = cursor.fetchone()
    return None if row is None else _progress_of(row)


def _store(progress: _Progress) -> None:
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {WatchProgress._meta.db_table} SET intervals = %s, credited = %s, position = %s, seq = %s,"
            " last_beat_at = %s, completed_at = %s, updated_at = %s WHERE id = %s",
            [
                ops.adapt_json_value(progress.intervals, None),
                progress.credited,
                progress.position,
                progress.seq,
                ops.adapt_datetimefield_value(progress.last_beat_at),
                ops.adapt_datetimefield_value(progress.completed_at),
                ops.adapt_datetimefield_value(timezone.now()),
                progress.pk,
            ],
        )


def _relaxed_commit() -> None:
    """PostgreSQL: this transaction's commit does not wait for the WAL flush (synchronous_commit off, for this
    transaction only). A heartbeat commits a write every 3 s per viewer, and waiting for the disk on each was
    most of its time on a loaded server. A crash can lose the last fraction of a second of heartbeats, never
    corrupt anything: a lost update leaves less credit (the next heartbeat carries the position and earns at
    most the cap), and a replay of a lost heartbeat earns at most what that heartbeat did, so the anti-cheat
    rules hold. SQLite (WAL, synchronous=NORMAL) does not flush at commit anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@transaction.atomic
def heartbeat(
    *,
    member_id: int,
    video: Video,
    stream: str,
    seq: int,
    position: float,
    hidden: bool,
    signature: str,
    now: dt.datetime | None = None,
) -> BeatResult:
    """One heartbeat of a member whose access to the video the caller has checked."""
    _relaxed_commit()
    progress = _locked_progress(member_id, video.pk)
    return _judge(
        member_id, video.pk, video.duration, progress, stream, seq, position, hidden, signature, now
    )


_CHECKED_COLUMNS = "v.duration, " + ", ".join(f"p.{c.strip()}" for c in _BEAT_COLUMNS.split(","))


@functools.cache
def _checked_sql(lock: bool) -> str:
    join = f" JOIN {WatchProgress._meta.db_table} p ON p.member_id = m.id AND p.video_id = v.id"
    return reach_sql(_CHECKED_COLUMNS, join) + (" FOR UPDATE OF p" if lock else "")


@transaction.atomic
def checked_heartbeat(
    *,
    member_id: int,
    video_id: int,
    stream: str,
    seq: int,
    position: float,
    hidden: bool,
    signature: str,
    now: dt.datetime | None = None,
) -> BeatResult | None:
    """The watch endpoint's heartbeat: the access check (an assignment of the video reaches the member, as
    `videos.watchable` decides) folded into the read of the member's progress row, so a heartbeat costs one
    locked read and one update. None when no assignment reaches the member or they have no progress row yet:
    the caller then decides by `videos.video_for_user` (which also admits staff in the video's scope) and
    `heartbeat`, whose refusals are the same as here."""
    _relaxed_commit()
    with connection.cursor() as cursor:
        cursor.execute(_checked_sql(connection.features.has_select_for_update), [member_id, video_id])
        rows = cursor.fetchall()
    row = next((r for r in rows if reaches(member_id, r)), None)
    if row is None:
        return None
    duration, *progress = row[REACH_COLUMNS:]
    return _judge(
        member_id, video_id, duration, _progress_of(progress), stream, seq, position, hidden, signature, now
    )


def _judge(
    member_id: int,
    video_id: int,
    duration: int,
    progress: _Progress | None,
    stream: str,
    seq: int,
    position: float,
    hidden: bool,
    signature: str,
    now: dt.datetime | None,
) -> BeatResult:
    """The anti-cheat rules for one heartbeat against the member's locked progress row (or none)."""
    now = now or timezone.now()
    if progress is None or not progress.stream or stream != progress.stream:
        _anomaly(member_id, video_id, "过期的播放会话", stream=stream[:40], seq=seq)
        total = progress.credited if progress else 0.0
        return BeatResult(False, 0.0, total, bool(progress and progress.completed_at), "stale")
    expected = sign(stream_key(member_id, video_id, stream), stream, seq, position, hidden)
    if not hmac.compare_digest(expected, signature or ""):
        _anomaly(member_id, video_id, "签名错误", seq=seq, position=position)
        return BeatResult(False, 0.0, progress.credited, bool(progress.completed_at), "signature")
    if seq <= progress.seq:
        _anomaly(member_id, video_id, "重复的心跳", seq=seq, last=progress.seq)
        return BeatResult(False, 0.0, progress.credited, bool(progress.completed_at), "replay")
    if not 0 <= position <= duration + 1:
        _anomaly(member_id, video_id, "播放位置超出片长", seq=seq, position=position)
        return BeatResult(False, 0.0, progress.credited, bool(progress.completed_at), "position")
    last_at = progress.last_beat_at or now
    wall = max(0.0, (now - last_at).total_seconds())
    advanced = position - progress.position
    credit = 0.0
    reason = ""
    if hidden:
        reason = "hidden"
    elif advanced <= 0:
        reason = "seek_back" if advanced < 0 else "paused"
    else:
        credit = min(advanced, wall * MAX_RATE, CAP_SECONDS)
        if advanced > wall * MAX_RATE + CAP_SECONDS:
            _anomaly(
                member_id,
                video_id,
                "快进或倍速过快",
                seq=seq,
                advanced=round(advanced, 1),
                wall=round(wall, 1),
            )
    if credit > 0:
        progress.intervals = _merge(progress.intervals, position - credit, position)
        before = progress.credited
        progress.credited = round(sum(b - a for a, b in progress.intervals), 1)
        credit = round(progress.credited - before, 1)
    progress.position = min(position, float(duration))
    progress.seq = seq
    progress.last_beat_at = now
    if progress.completed_at is None and progress.credited >= required_share() * duration:
        progress.completed_at = now
    _store(progress)

    return BeatResult(True, credit, progress.credited, progress.completed_at is not None, reason)


@transaction.atomic
def add_watching(*, video: Video, items: list[tuple[int, float, dt.datetime]]) -> int:
    """The bulk path (history imports, the demo): (member id, seconds watched from the start, when) as if
    credited by heartbeats — one merged interval, complete at the required share."""
    share = required_share() * video.duration
    rows = [
        WatchProgress(
            member_id=member_id,
            video=video,
            intervals=[[0.0, min(seconds, float(video.duration))]],
            credited=min(seconds, float(video.duration)),
            position=min(seconds, float(video.duration)),
            last_beat_at=at,
            completed_at=at if min(seconds, video.duration) >= share else None,
        )
        for member_id, seconds, at in items
        if seconds > 0
    ]
    WatchProgress.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
