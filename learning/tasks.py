"""Background work of 学习教育 (django_tasks, run by `manage.py db_worker`): scheduled jobs and uploads."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from learning.services.reminders import send_watch_reminders
from learning.services.uploads import transcode_video


@task()
def send_watch_reminders_task(day: str) -> str:
    """必看 reminders for the day (YYYY-MM-DD): each branch's digest once per video."""
    return str(send_watch_reminders(day=dt.date.fromisoformat(day)))


@task()
def transcode_video_task(video_id: int) -> str:
    """An uploaded video to H.264/AAC MP4 with a poster; safe to run twice (the service claims the video)."""
    return transcode_video(video_id)
