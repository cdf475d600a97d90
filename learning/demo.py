"""The demo county's 学习教育: a 微党课 at most 主题党日 of the year (the speaker from the branch, the audience
from the record's attendance), the county party school's training of branch secretaries, a few offline study
sessions and L-07 exemptions — all through the services' bulk paths, so the demo meets the same rules."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import av
import numpy as np
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from learning.defaults import rules
from learning.models import Lesson, StudyCheck, StudyRecord
from learning.services import LessonData, TrainingData, add_exemptions, add_lessons, add_trainings, books
from learning.services.uploads import attach_file
from learning.services.videos import AssignmentData, VideoData, add_assignments, add_videos, audience
from learning.services.watching import add_watching
from orglife.models import MeetingRecord, MeetingType
from orgs.models import Member, Organization, Position

TOPICS = [
    "学习贯彻党的二十届三中全会精神",
    "《中国共产党章程》第一章 党员",
    "弘扬伟大建党精神",
    "新时代“枫桥经验”在身边",
    "《中国共产党纪律处分条例》学习体会",
    "乡村振兴中的党员先锋作用",
    "学习身边的优秀共产党员",
    "铸牢中华民族共同体意识",
    "坚持以人民为中心的发展思想",
    "从党史中汲取奋进力量",
]
SHARE = {"tiny": 1.0, "county": 0.35}


@dataclass
class LearningDemoStats:
    lessons: int = 0
    trainings: int = 0
    exemptions: int = 0
    videos: int = 0
    book_records: int = 0
    book_checks: int = 0
    seconds: float = 0.0


def generate_learning_demo(seed: int, scale: str, *, today: dt.date | None = None) -> LearningDemoStats:
    stats = LearningDemoStats()
    if Lesson.objects.exists():
        return stats
    started = time.perf_counter()
    rng = random.Random(seed * 104729 + 17)
    today = today or timezone.localdate()
    records = list(
        MeetingRecord.objects.filter(
            meeting_type=MeetingType.THEME_DAY,
            status=MeetingRecord.Status.APPROVED,
            started_at__year=today.year,
        )
        .select_related("org")
        .order_by("pk")
    )
    share = SHARE.get(scale, 0.2)
    chosen = [r for r in records if rng.random() < share]
    speakers: dict[int, list[Member]] = {}
    for m in Member.objects.filter(
        org_id__in={r.org_id for r in chosen}, status=Member.Status.NORMAL
    ).select_related("org"):
        speakers.setdefault(m.org_id, []).append(m)
    items = []
    for r in chosen:
        pool = speakers.get(r.org_id)
        if not pool:
            continue
        items.append(
            LessonData(
                org=r.org,
                speaker=rng.choice(pool),
                topic=rng.choice(TOPICS),
                given_on=timezone.localtime(r.started_at).date(),
                minutes=rng.choice([10, 15, 15, 20, 30]),
                outline="一、学习原文\n二、联系实际\n三、今后打算",
                record=r,
            )
        )
    with transaction.atomic():
        stats.lessons = len(add_lessons(items=items, today=today))
        stats.trainings = _trainings(rng, today)
        stats.exemptions = _exemptions(rng, today.year)
        stats.videos = _videos(today, rng)
        stats.book_records, stats.book_checks = _study_book(rng, today)
        record_event(
            actor=None,
            actor_name="generate_demo",
            action=AuditEvent.Action.IMPORT,
            target_repr="演示学习教育数据",
            summary={
                "lessons": stats.lessons,
                "trainings": stats.trainings,
                "exemptions": stats.exemptions,
                "videos": stats.videos,
                "book_records": stats.book_records,
                "book_checks": stats.book_checks,
            },
        )
    stats.seconds = time.perf_counter() - started
    return stats


def _trainings(rng: random.Random, today: dt.date) -> int:
    """The county party school trains every branch secretary (3 days, 24 学时) in spring."""
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return 0
    secretaries = list(
        Position.objects.current()
        .filter(title=Position.Title.SECRETARY, member__status=Member.Status.NORMAL)
        .values_list("member_id", flat=True)
        .distinct()
    )
    start = dt.date(today.year, 4, 14)
    if not secretaries or start > today:
        return 0
    committee_heads = list(
        Position.objects.current()
        .filter(
            title__in=[Position.Title.ORGANIZATION, Position.Title.PROPAGANDA],
            member__status=Member.Status.NORMAL,
        )
        .values_list("member_id", flat=True)
        .distinct()
    )
    items = [
        TrainingData(
            root,
            "基层党组织书记轮训班",
            "县委党校",
            start,
            start + dt.timedelta(days=2),
            Decimal("24"),
            secretaries,
        ),
        TrainingData(
            root,
            "党务工作者业务培训",
            "县委组织部",
            dt.date(today.year, 6, 10),
            dt.date(today.year, 6, 10),
            Decimal("8"),
            [pk for pk in committee_heads if rng.random() < 0.7],
        ),
    ]
    items = [t for t in items if t.member_ids and t.starts_on <= today]
    return len(add_trainings(items=items, today=today))


def _exemptions(rng: random.Random, year: int) -> int:
    """L-07: the members the roster marks exempt from organizational life get no 学时 requirement either."""
    exempt = list(Member.objects.filter(is_exempt=True).order_by("pk")[:200])
    return len(add_exemptions(items=[(m, year, "年老体弱，免于学时要求") for m in exempt]))


# Short films the demo generates (encoded by PyAV, like an upload): title, category, seconds, source, colour.
VIDEOS = [
    ("《榜样9》专题节目（节选）", "先进典型", 40, "中共中央组织部", (178, 34, 34)),
    (
        "学习贯彻党的二十届三中全会精神专题辅导（节选）",
        "党的创新理论",
        30,
        "全国党员教育培训教材",
        (200, 120, 20),
    ),
    ("《中国共产党纪律处分条例》解读（节选）", "党章党规", 25, "共产党员网", (30, 90, 160)),
    ("乡村振兴一线党支部书记访谈（节选）", "乡村振兴", 20, "安徽先锋网", (40, 130, 60)),
]
COMPLETION = 0.72  # share of the 必看 audience who have watched it through; some others stopped part-way


def make_clip(path: Path, seconds: int, colour: tuple[int, int, int], *, fps: int = 12) -> None:
    """A film stand-in as a phone would send it: MPEG-4 in a QuickTime .mov, a bar sweeping across a coloured
    field (so seeking shows where you are) and a soft tone."""
    width, height = 480, 270
    out = av.open(str(path), "w", format="mov")
    vs = out.add_stream("mpeg4", rate=fps)
    vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
    aus = out.add_stream("aac", rate=22050)
    aus.layout = "mono"
    frames = seconds * fps
    base = np.empty((height, width, 3), dtype=np.uint8)
    base[:] = colour
    for i in range(frames):
        img = base.copy()
        img[height // 2 - 12 : height // 2 + 12, : int(width * (i + 1) / frames)] = (255, 215, 0)
        img[:, (i * 7) % width] = 255
        out.mux(vs.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
    out.mux(vs.encode(None))
    t, step = 0, 1024
    while t < seconds * 22050:
        wave = 0.05 * np.sin(2 * np.pi * 220 * (np.arange(step) + t) / 22050)
        frame = av.AudioFrame.from_ndarray(
            wave.astype(np.float32).reshape(1, -1), format="fltp", layout="mono"
        )
        frame.sample_rate, frame.pts = 22050, t
        out.mux(aus.encode(frame))
        t += step
    out.mux(aus.encode(None))
    out.close()


def _videos(today: dt.date, rng: random.Random) -> int:
    """The library: short generated films transcoded by the upload path's code (no media is committed), a
    必看 for every member of the county due at the end of next month with most of them done, and a 选看."""
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return 0
    items = [
        VideoData(root, title, category, seconds, source=source)
        for title, category, seconds, source, _ in VIDEOS
    ]
    videos = add_videos(items=items)
    with tempfile.TemporaryDirectory() as folder:
        for video, (*_, seconds, _source, colour) in zip(videos, VIDEOS, strict=True):
            clip = Path(folder) / "clip.mov"
            make_clip(clip, seconds, colour)
            attach_file(video=video, path=clip)
            video.refresh_from_db()
    due = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 28)
    required, _optional = add_assignments(
        items=[
            AssignmentData(videos[0], root, "required", due),
            AssignmentData(videos[1], root, "optional", due),
        ]
    )
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    watched = []
    for member_id in audience(required).values_list("pk", flat=True).order_by("pk"):
        roll = rng.random()
        if roll < COMPLETION:
            watched.append(
                (member_id, float(videos[0].duration), noon - dt.timedelta(days=rng.randint(0, 20)))
            )
        elif roll < COMPLETION + 0.1:
            watched.append((member_id, float(rng.randint(3, videos[0].duration // 2)), noon))
    add_watching(video=videos[0], items=watched)
    return len(videos)


BOOK = "《习近平新时代中国特色社会主义思想学习纲要》"
CHECKED = 0.6  # share of the records the department has spot-checked so far


def _study_book(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """一人一册 (seed 001): the county issues a study book to every cadre (the secretaries and committee members
    of the branches, L-02's posts) early in the year, and has spot-checked most records since, mostly 合格."""
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return 0, 0
    issued_on = min(dt.date(today.year, 1, 15), today)
    titles = list(rules().leader_titles)
    if not books.group_of(root, titles, issued_on).exists():
        return 0, 0
    book = books.issue_book(
        actor=None,
        data=books.BookData(
            root,
            BOOK,
            issued_on,
            description="逐章学习并撰写学习笔记，每季度由县委组织部抽查。",
            titles=titles,
        ),
        today=today,
    )
    records = list(StudyRecord.objects.filter(book=book).select_related("book", "member__org").order_by("pk"))
    checks = 0
    span = (today - issued_on).days
    for record in records:
        if rng.random() >= CHECKED:
            continue
        roll = rng.random()
        result = StudyCheck.Result.EXCELLENT if roll < 0.25 else StudyCheck.Result.PASS
        remark = ""
        if roll > 0.9:
            result, remark = StudyCheck.Result.FAIL, "学习笔记不完整，请补充后复查"
        books.check_record(
            actor=None,
            record=record,
            result=result,
            checked_on=issued_on + dt.timedelta(days=rng.randint(0, span)),
            remark=remark,
            today=today,
        )
        checks += 1
    return len(records), checks
