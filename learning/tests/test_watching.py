"""Watching verified on the server, against the ways bots beat other platforms: each attack earns at most 5%
over what real watching earns, and an honest viewer on a network losing 30% of requests keeps ≥ 98%."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from learning.models import Video, WatchAnomaly, WatchProgress
from learning.services.watching import heartbeat, sign, start_stream

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
BEAT = 5.0
PAGE_BEAT = 3.0  # the watch page's heartbeat interval (learning/static/learning/watch.js)


@pytest.fixture
def video(cast):
    return Video.objects.create(org=cast.county, title="党章学习", category="党章党规", duration=600)


class Player:
    """A player as the page's script runs it: start, then a signed heartbeat every few seconds."""

    def __init__(self, member, video, at=T0):
        self.member, self.video, self.now = member, video, at
        started = start_stream(member_id=member.pk, video=video, now=at)
        self.stream, self.key, self.position, self.seq = started.stream, started.key, started.position, 0

    def beat(self, *, advance=BEAT, wall=BEAT, hidden=False, lost=False, seq=None, sig=None):
        self.now += dt.timedelta(seconds=wall)
        self.position = min(self.position + advance, self.video.duration)
        self.seq += 1
        if lost:
            return None
        s = self.seq if seq is None else seq
        signature = sig if sig is not None else sign(self.key, self.stream, s, self.position, hidden)
        return heartbeat(
            member_id=self.member.pk,
            video=self.video,
            stream=self.stream,
            seq=s,
            position=self.position,
            hidden=hidden,
            signature=signature,
            now=self.now,
        )


def credited(member, video):
    return WatchProgress.objects.get(member=member, video=video).credited


def test_an_honest_viewer_earns_what_they_watch_and_completes(cast, video):
    p = Player(cast.member_a1, video)
    while p.position < video.duration:
        p.beat()
    progress = WatchProgress.objects.get(member=cast.member_a1, video=video)
    assert progress.credited == pytest.approx(600, abs=1) and progress.completed_at is not None


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_viewer_losing_30_percent_of_heartbeats_keeps_98_percent(cast, video, seed):
    """The page beats every PAGE_BEAT seconds, so the cap covers five lost beats in a row."""
    rng = random.Random(seed)
    p = Player(cast.member_a1, video)
    while p.position < video.duration:
        p.beat(
            advance=PAGE_BEAT,
            wall=PAGE_BEAT,
            lost=rng.random() < 0.3 and p.position + PAGE_BEAT < video.duration,
        )
    assert credited(cast.member_a1, video) >= 0.98 * 600


def test_a_seek_to_the_end_earns_only_the_wall_clock_seconds(cast, video):
    p = Player(cast.member_a1, video)
    p.beat()
    p.beat(advance=590)
    assert credited(cast.member_a1, video) <= 5 + 5 * 2
    assert WatchAnomaly.objects.filter(reason="快进或倍速过快").exists()


def test_playing_at_16x_earns_no_more_than_the_allowed_2x(cast, video):
    p = Player(cast.member_a1, video)
    for _ in range(7):
        p.beat(advance=16 * BEAT)
    wall = 7 * BEAT
    assert credited(cast.member_a1, video) <= 2 * wall * 1.05


def test_a_hidden_page_earns_nothing_and_watching_a_part_twice_counts_once(cast, video):
    p = Player(cast.member_a1, video)
    for _ in range(10):
        p.beat(hidden=True)
    assert credited(cast.member_a1, video) == 0
    p = Player(cast.member_a1, video)  # resumes at 50 s
    assert p.position == 50
    for _ in range(4):
        p.beat()
    p.beat(advance=-20)  # back to 50 s: the same part watched again
    for _ in range(4):
        p.beat()
    assert credited(cast.member_a1, video) == pytest.approx(20, abs=0.2)


def test_forged_and_replayed_heartbeats_earn_nothing_and_are_listed(cast, video):
    p = Player(cast.member_a1, video)
    assert p.beat(sig="0" * 64).accepted is False
    first = p.beat()
    assert first.accepted and first.credited == pytest.approx(
        10, abs=0.2
    )  # the refused beat's seconds are made up
    replay = p.beat(seq=p.seq - 1)
    assert replay.accepted is False and replay.reason == "replay"
    assert set(WatchAnomaly.objects.values_list("reason", flat=True)) == {"签名错误", "重复的心跳"}


def test_two_tabs_earn_as_one_the_older_stream_stops(cast, video):
    a = Player(cast.member_a1, video)
    a.beat()
    b = Player(cast.member_a1, video, at=a.now)
    results_a, results_b = [], []
    for _ in range(10):
        results_a.append(a.beat())
        b.now = a.now - dt.timedelta(seconds=BEAT)
        results_b.append(b.beat())
    assert not any(r.accepted for r in results_a)
    assert all(r.accepted for r in results_b)
    assert credited(cast.member_a1, video) <= 5 + 10 * BEAT * 1.05


def test_a_script_posting_without_waiting_earns_nothing_more(cast, video):
    p = Player(cast.member_a1, video)
    for _ in range(100):  # a loop calling the endpoint as fast as it can: no wall-clock time passes
        p.beat(advance=BEAT, wall=0.05)
    assert credited(cast.member_a1, video) <= 100 * 0.05 * 2 + 0.5
