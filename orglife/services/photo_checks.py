"""Reused photos, the detector's side: index each stored photo's hashes, find and verify its matches, mark both records.

`check_stored` is what every stored photo goes through once (the upload's check task, the history bulk path,
the backfill command): it indexes the photo's hashes and retrieves candidates by hash bands under a deployment-wide
lock (so two photos checked at once never miss each other), verifies the few candidates (orglife.photomatch)
outside any transaction, then claims the photo, records one PhotoMatch row per pair found and flags both
records for reuse in one transaction, so a crash mid-way leaves the photo unchecked for the next run and a
second run finds it already checked. How a verified copy is classed:

- two records of different branches, or of one branch on different days: 复用 (reuse), both records flagged;
- inside one record, or two records of one branch on one day: a near-identical picture (correlation after
  alignment >= REPEAT_CORRELATION) is a repeat and flags the record(s); anything less is 相似 — two shots of
  one meeting seconds apart — shown with lower priority, flagging nothing;
- a scene match that is not a copy (verification says "similar"): 相似.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from orglife import photomatch as pm
from orglife.models import MeetingRecord, PhotoHash, PhotoMatch, RecordAttachment

REPEAT_CORRELATION = 0.98

log = logging.getLogger(__name__)


def image_of(attachment: RecordAttachment) -> np.ndarray:
    with attachment.file.open("rb") as f:
        return pm.open_grey(f.read())


def index_photo(attachment: RecordAttachment, grey: np.ndarray) -> None:
    PhotoHash.objects.filter(attachment=attachment).delete()
    rows = []
    for kind, value in pm.hashes(grey).items():
        b = pm.bands(value)
        rows.append(
            PhotoHash(attachment=attachment, kind=kind, value=value, b0=b[0], b1=b[1], b2=b[2], b3=b[3])
        )
    PhotoHash.objects.bulk_create(rows)


def candidate_rows(wanted: set[int], *, exclude: int | None = None) -> list[tuple[int, int]]:
    """(photo id, stored hash) of every stored hash sharing a band with one of `wanted`: one index-only scan
    per band column (PostgreSQL; the covering indexes carry the hash and the photo), never the table.
    Plain SQL: at 10 million hashes this returns thousands of rows, and building model tuples for them
    would cost more than the scans."""
    per_band: list[list[int]] = [sorted({pm.bands(v)[i] for v in wanted}) for i in range(pm.BANDS)]
    table = connection.ops.quote_name(PhotoHash._meta.db_table)
    parts, params = [], []
    for i, values in enumerate(per_band):
        marks = ", ".join(["%s"] * len(values))
        parts.append(f"SELECT attachment_id, value FROM {table} WHERE b{i} IN ({marks})")
        params += values
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        rows = cur.fetchall()
    return [(pk, value) for pk, value in rows if pk != exclude]


def _same_day_branch(a: MeetingRecord, b: MeetingRecord) -> bool:
    return a.pk == b.pk or (
        a.org_id == b.org_id and timezone.localdate(a.started_at) == timezone.localdate(b.started_at)
    )


def classify(verdict: pm.Verdict, record: MeetingRecord, other: MeetingRecord) -> str | None:
    if verdict.kind == "copy":
        if _same_day_branch(record, other) and verdict.correlation < REPEAT_CORRELATION:
            return PhotoMatch.Kind.SIMILAR
        return PhotoMatch.Kind.REUSE
    if verdict.kind == "similar":
        return PhotoMatch.Kind.SIMILAR
    return None


# The advisory lock of the candidate search (PostgreSQL): "XFPH".
SEARCH_LOCK = 0x58465048


def lock_search() -> None:
    """Serialize "index my hashes + search the candidates" across the deployment until the end of the current
    transaction. PostgreSQL runs READ COMMITTED: the next holder's search, a new statement after the lock is
    granted, sees the hashes the previous holder committed. SQLite needs nothing: its transactions begin
    IMMEDIATE, one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [SEARCH_LOCK])


def search_candidates(attachment: RecordAttachment, grey: np.ndarray) -> list[int]:
    """Index the photo's hashes (unless stored already) and find its candidates, in one short transaction
    under the search lock, committed before the slow verification. Of any two photos checked at once, the
    one whose search comes second sees the first one's hashes, so every pair is found by one of the two
    (the lock is held for the index scans only, not for ORB: checks still verify in parallel)."""
    with transaction.atomic():
        lock_search()
        if not PhotoHash.objects.filter(attachment=attachment).exists():
            index_photo(attachment, grey)
        if not pm.informative(grey):
            return []
        wanted = pm.query_hashes(grey)
        return pm.rank_candidates(wanted, candidate_rows(wanted, exclude=attachment.pk))


def verify_candidates(grey: np.ndarray, ranked: list[int]) -> list[tuple[RecordAttachment, pm.Verdict]]:
    """Geometric verification of the candidates (no transaction held: ORB and RANSAC take the time)."""
    others = RecordAttachment.objects.select_related("record").in_bulk(ranked)
    verdicts = []
    for pk in ranked:
        other = others.get(pk)
        if other is None:
            continue
        try:
            verdicts.append((other, pm.verify(grey, image_of(other))))
        except OSError:  # the other file is gone from storage: nothing to compare
            continue
    return verdicts


def record_matches(
    attachment: RecordAttachment, verdicts: list[tuple[RecordAttachment, pm.Verdict]]
) -> list[PhotoMatch]:
    """One PhotoMatch per verified pair (kept, not doubled, when found again) and both records flagged on
    reuse. Runs inside the claiming transaction of `check_stored`."""
    found: list[PhotoMatch] = []
    record = attachment.record
    for other, verdict in verdicts:
        kind = classify(verdict, record, other.record)
        if kind is None:
            continue
        earlier, later = (other, attachment) if other.pk < attachment.pk else (attachment, other)
        match, _ = PhotoMatch.objects.get_or_create(
            photo=later,
            other=earlier,
            defaults={
                "record": later.record,
                "other_record": earlier.record,
                "kind": kind,
                "score": max(1, verdict.score),
                "same_record": later.record_id == earlier.record_id,
            },
        )
        found.append(match)
    reuse = [m for m in found if m.flags]
    if reuse:
        first = min(reuse, key=lambda m: m.other_id if m.photo_id == attachment.pk else m.photo_id)
        attachment.reused_from_id = first.other_id if first.photo_id == attachment.pk else None
        if attachment.reused_from_id:
            RecordAttachment.objects.filter(pk=attachment.pk).update(reused_from=attachment.reused_from_id)
        ids = {m.record_id for m in reuse} | {m.other_record_id for m in reuse}
        MeetingRecord.objects.filter(pk__in=ids, photo_reused=False).update(photo_reused=True)
    return found


def check_stored(attachment: RecordAttachment, grey: np.ndarray | None = None) -> list[PhotoMatch] | None:
    """Check one stored photo if no one has, in three steps: index its hashes and search its candidates
    (`search_candidates`, committed under the search lock), verify the candidates (no transaction), then
    claim the photo (a conditional UPDATE of `checked_at`) and record its pairs in one transaction. Two
    workers or a re-run never record a photo twice; a crash before the claim leaves the photo unchecked
    (its hashes already findable by others) for the next run. None when the photo was already checked. A
    photo whose file is gone counts as checked, with nothing compared (its record must not wait for ever)."""
    claimed = RecordAttachment.objects.filter(pk=attachment.pk, checked_at__isnull=True)
    if grey is None:
        try:
            grey = image_of(attachment)
        except OSError:
            log.warning("orglife photo %s: file missing, not compared", attachment.pk)
            with transaction.atomic():
                return [] if claimed.update(checked_at=timezone.now()) else None
    if not claimed.exists():
        return None
    verdicts = verify_candidates(grey, search_candidates(attachment, grey))
    with transaction.atomic():
        phash = f"{pm.phash(grey) & 0xFFFFFFFFFFFFFFFF:016x}"
        if not claimed.update(checked_at=timezone.now(), phash=phash):
            return None
        attachment.phash = phash
        return record_matches(attachment, verdicts)


def settle_pending(record_id: int) -> bool:
    """Clear the record's "照片查重中" once none of its photos waits; True if this call cleared it. The record
    row is locked first (as `add_attachments` locks it to add photos), so a photo added meanwhile keeps the
    record pending for its own task."""
    record = MeetingRecord.objects.select_for_update().filter(pk=record_id, photos_pending=True).first()
    if record is None:
        return False
    waiting = RecordAttachment.objects.filter(
        record_id=record_id, kind=RecordAttachment.Kind.PHOTO, checked_at__isnull=True
    )
    if waiting.exists():
        return False
    MeetingRecord.objects.filter(pk=record_id).update(photos_pending=False)
    return True


def refresh_flags(record_ids: set[int]) -> None:
    """Recompute `photo_reused` of these records from the pairs that still flag them."""
    for pk in record_ids:
        flagged = (
            PhotoMatch.objects.filter(kind=PhotoMatch.Kind.REUSE)
            .exclude(review=PhotoMatch.Review.ACCEPTED)
            .filter(Q(record_id=pk) | Q(other_record_id=pk))
            .exists()
        )
        MeetingRecord.objects.filter(pk=pk).update(photo_reused=flagged)


def recheck_batch(*, after: int, size: int, unchecked_only: bool = True) -> tuple[int, int, int]:
    """Check the next `size` stored photos after id `after` (the backfill): (last id, photos, pairs).

    `unchecked_only` takes only photos never checked (stored before the detector, or whose task was lost):
    the run resumes by itself. Otherwise every photo's hashes are rebuilt and its pairs looked for anew; pairs
    already recorded are kept, never doubled. Each photo is its own transaction."""
    photos_qs = RecordAttachment.objects.filter(kind=RecordAttachment.Kind.PHOTO, pk__gt=after)
    if unchecked_only:
        photos_qs = photos_qs.filter(checked_at__isnull=True)
    last, photos, pairs = after, 0, 0
    records: set[int] = set()
    for attachment in photos_qs.select_related("record").order_by("pk")[:size]:
        last = attachment.pk
        records.add(attachment.record_id)
        try:
            grey = image_of(attachment)
        except OSError:  # the file is gone from storage: nothing to check
            if unchecked_only:
                check_stored(attachment)
            continue
        with transaction.atomic():  # a crash after this leaves the photo unchecked: the next run takes it
            PhotoHash.objects.filter(attachment=attachment).delete()
            RecordAttachment.objects.filter(pk=attachment.pk).update(checked_at=None)
        found = check_stored(attachment, grey)
        pairs += len(found or [])
        photos += 1
    for pk in sorted(records):
        with transaction.atomic():
            settle_pending(pk)
    return last, photos, pairs
