"""Reused-photo detection: candidate retrieval by several robust hashes, then geometric verification.

A single global hash cannot tell a reused photo (cropped, captioned, mirrored, rotated, re-compressed) from
a different one, nor a photographed page from another. The detector works in two steps:

1. **Retrieval** (cheap, sub-linear at province scale): every stored photo keeps a 64-bit DCT perceptual
   hash of the whole picture, of its central 70%, and of five 90% windows (centre, corners). An upload
   hashes its own views (whole, centre windows, without a caption bar above or below) and those of its
   mirror image and asks for stored hashes sharing one of the four 16-bit bands with any of them (multi-index hashing: two hashes
   within 3 bits always share a band, and copies further apart usually still do in some variant). The
   closest few photos by Hamming distance are the candidates.
2. **Verification** (only on candidates): ORB keypoints matched both ways, a similarity transform fitted
   with RANSAC (reuse is scaling, cropping, rotating, mirroring: never a change of viewpoint), then the
   upload is warped onto the candidate and compared pixel by pixel (normalised correlation on the part
   they share). A copy needs many inliers, a small residual, a large shared area on both sides and a
   high correlation. Two cameras at one meeting, two parts of one large picture, two patches of brick or
   two typed pages fail one of these; a scene photographed again seconds later shares the geometry but
   not the pixels (people moved) and is reported as "similar", never as reuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

WORK_SIDE = 512  # pictures are compared at this long side: enough keypoints, a few ms each
BANDS = 4
BAND_BITS = 16
CANDIDATE_DISTANCE = 22  # Hamming distance (of 64) still worth verifying
MAX_CANDIDATES = 6


class Kind:
    """Which view of a photo a stored hash describes (PhotoHash.kind)."""

    FULL = 0
    CENTER70 = 1
    CENTER90 = 2
    TOP_LEFT90 = 3
    TOP_RIGHT90 = 4
    BOTTOM_LEFT90 = 5
    BOTTOM_RIGHT90 = 6


# Verification thresholds, chosen on bench/photos (bench/photo_reuse_eval.py reports the effect).
MIN_INLIERS = 18
MIN_INLIER_RATIO = 0.25
MIN_COVERAGE = 0.7  # share of each picture inside the other: a copy shows (almost) all of the original
COPY_CORRELATION = 0.8
SIMILAR_INLIERS = 12
FEW_KEYPOINTS = 40  # below this a picture is compared whole (_plain)
PLAIN_CORRELATION = 0.97


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing two photos: `copy`, `similar` or `None`, with a score in 0..100."""

    kind: str | None
    score: int
    inliers: int = 0
    coverage: float = 0.0
    correlation: float = 0.0
    mirrored: bool = False


# ------------------------------------------------------------------------------------------ pictures


def grey(image: Image.Image) -> np.ndarray:
    """The picture as 8-bit grey at most WORK_SIDE on its long side."""
    img = image.convert("L")
    if max(img.size) > WORK_SIDE:
        img = img.copy()
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


def open_grey(data: Any) -> np.ndarray:
    """Decode a stored JPEG (a file object or bytes) straight at a reduced size (JPEG draft mode)."""
    import io

    image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    image.draft("L", (WORK_SIDE, WORK_SIDE))
    return grey(image)


def _window(a: np.ndarray, share: float, fx: float = 0.5, fy: float = 0.5) -> np.ndarray:
    """A window of `share` of each side, placed at fractions fx, fy of the free margin (0.5 = centred)."""
    h, w = a.shape
    wh, ww = int(h * share), int(w * share)
    y, x = int((h - wh) * fy), int((w - ww) * fx)
    return a[y : y + wh, x : x + ww]


def phash(a: np.ndarray) -> int:
    """64-bit DCT perceptual hash as a signed integer (the database's bigint)."""
    small = cv2.resize(a, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].flatten()
    bits = low > np.median(low[1:])
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value - (1 << 64) if value >= 1 << 63 else value


def informative(a: np.ndarray) -> bool:
    """A blank wall or a black frame has nothing to compare (every such picture would match)."""
    return float(a.std()) >= 6.0


def hashes(a: np.ndarray) -> dict[int, int]:
    """The stored hashes of one photo, by Kind: the whole picture, its central 70%, and five 90% windows
    (centre and corners), so a copy cropped by up to ~10% anywhere is near one of them."""
    return {
        Kind.FULL: phash(a),
        Kind.CENTER70: phash(_window(a, 0.7)),
        Kind.CENTER90: phash(_window(a, 0.9)),
        Kind.TOP_LEFT90: phash(_window(a, 0.9, 0, 0)),
        Kind.TOP_RIGHT90: phash(_window(a, 0.9, 1, 0)),
        Kind.BOTTOM_LEFT90: phash(_window(a, 0.9, 0, 1)),
        Kind.BOTTOM_RIGHT90: phash(_window(a, 0.9, 1, 1)),
    }


def _views(a: np.ndarray) -> list[np.ndarray]:
    """An upload as it may hide its original: whole, its central 90% (a rotated copy's dark corners cut
    off), and without a caption bar of 10% or 15% below or 15% above. (Crops need no view of their own:
    the stored 90% windows and central 70% meet them.)"""
    h = a.shape[0]
    return [a, _window(a, 0.9), a[: h - int(h * 0.1)], a[: h - int(h * 0.15)], a[int(h * 0.15) :]]


def query_hashes(a: np.ndarray) -> set[int]:
    """What an upload looks for: the hashes of its views and of its mirror image's views."""
    mirror = np.ascontiguousarray(a[:, ::-1])
    return {phash(v) for v in [*_views(a), *_views(mirror)]}


def bands(value: int) -> list[int]:
    """The four 16-bit bands of a hash (band i is bits 16i..16i+15 of the unsigned value)."""
    u = value & 0xFFFFFFFFFFFFFFFF
    return [(u >> (BAND_BITS * i)) & 0xFFFF for i in range(BANDS)]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()


def rank_candidates(wanted: set[int], rows: list[tuple[int, int]], limit: int = MAX_CANDIDATES) -> list[int]:
    """Photo ids from (photo_id, stored hash) rows, closest first, within CANDIDATE_DISTANCE."""
    if not rows or not wanted:
        return []
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    targets = np.array(sorted(wanted), dtype=np.int64)
    near = np.bitwise_count(values[:, None] ^ targets[None, :]).min(axis=1)
    keep = near <= CANDIDATE_DISTANCE
    best: dict[int, int] = {}
    for photo_id, d in zip(ids[keep].tolist(), near[keep].tolist(), strict=True):
        if d < best.get(photo_id, 65):
            best[photo_id] = d
    return sorted(best, key=lambda pk: (best[pk], pk))[:limit]


# -------------------------------------------------------------------------------------- verification

_orb: Any = None


def features(a: np.ndarray) -> tuple[Any, Any]:
    global _orb
    if _orb is None:
        _orb = cv2.ORB_create(nfeatures=1500, fastThreshold=10)  # type: ignore[attr-defined]
    return _orb.detectAndCompute(a, None)


def _correlation(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    if mask.sum() < 100:
        return 0.0
    x, y = a[mask].astype(np.float64), b[mask].astype(np.float64)
    x, y = x - x.mean(), y - y.mean()
    denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / denom) if denom > 0 else 0.0


def _compare(q: np.ndarray, c: np.ndarray, fq: tuple[Any, Any], fc: tuple[Any, Any]) -> Verdict:
    kq, dq = fq
    kc, dc = fc
    if dq is None or dc is None or len(kq) < 8 or len(kc) < 8:
        return Verdict(None, 0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = []
    for pair in matcher.knnMatch(dq, dc, k=2):
        if len(pair) == 2 and pair[0].distance < 0.8 * pair[1].distance:
            good.append(pair[0])
    if len(good) < SIMILAR_INLIERS:
        return Verdict(None, 0)
    src = np.array([kq[m.queryIdx].pt for m in good], dtype=np.float32)
    dst = np.array([kc[m.trainIdx].pt for m in good], dtype=np.float32)
    matrix, inl = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=4.0, maxIters=2000, confidence=0.995
    )
    if matrix is None or inl is None:
        return Verdict(None, 0)
    inliers = int(inl.sum())
    ratio = inliers / len(good)
    ch, cw = c.shape
    qh, qw = q.shape
    warped = cv2.warpAffine(q, matrix, (cw, ch), flags=cv2.INTER_LINEAR)
    inside = cv2.warpAffine(np.full(q.shape, 255, np.uint8), matrix, (cw, ch), flags=cv2.INTER_NEAREST) > 0
    shared = float(inside.sum())
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2])))) or 1.0
    coverage = min(shared / (cw * ch), shared / (qw * qh * scale * scale))
    # Compare a softened version: JPEG blocks and resampling should not count, moved people should.
    blur_w = cv2.GaussianBlur(warped, (0, 0), 2.0)
    blur_c = cv2.GaussianBlur(c, (0, 0), 2.0)
    mask = cv2.erode(inside.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    corr = _correlation(blur_w, blur_c, mask)
    score = int(round(100 * max(0.0, corr) * min(1.0, coverage / MIN_COVERAGE) * min(1.0, inliers / 40)))
    is_copy = (
        inliers >= MIN_INLIERS
        and ratio >= MIN_INLIER_RATIO
        and coverage >= MIN_COVERAGE
        and corr >= COPY_CORRELATION
    )
    if is_copy:
        return Verdict("copy", score, inliers, coverage, corr)
    if inliers >= SIMILAR_INLIERS and ratio >= MIN_INLIER_RATIO and coverage >= 0.3:
        return Verdict("similar", score, inliers, coverage, corr)
    return Verdict(None, score, inliers, coverage, corr)


def _plain(q: np.ndarray, c: np.ndarray) -> Verdict:
    """For pictures too smooth to hold keypoints (a blurred shot, a gradient): the same frame shape and
    nearly the same pixels at 64×64 is a copy; nothing weaker is judged."""
    (qh, qw), (ch, cw) = q.shape, c.shape
    if abs(qw / qh - cw / ch) > 0.03 * (cw / ch):
        return Verdict(None, 0)
    a = cv2.resize(q, (64, 64), interpolation=cv2.INTER_AREA)
    b = cv2.resize(c, (64, 64), interpolation=cv2.INTER_AREA)
    corr = _correlation(a, b, np.ones(a.shape, bool))
    if corr >= PLAIN_CORRELATION:
        return Verdict("copy", int(round(100 * corr)), 0, 1.0, corr)
    return Verdict(None, int(round(100 * max(0.0, corr))), 0, 1.0, corr)


def verify(q: np.ndarray, c: np.ndarray, fc: tuple[Any, Any] | None = None) -> Verdict:
    """Compare an upload with a candidate, as it is and mirrored; the stronger outcome wins."""
    fc = fc or features(c)
    if fc[1] is None or len(fc[0]) < FEW_KEYPOINTS:
        plain = [_plain(q, c), _plain(np.ascontiguousarray(q[:, ::-1]), c)]
        best_plain = max(plain, key=lambda v: v.correlation)
        return Verdict(
            best_plain.kind, best_plain.score, 0, 1.0, best_plain.correlation, best_plain is plain[1]
        )
    best = Verdict(None, 0)
    order = {"copy": 2, "similar": 1, None: 0}
    for mirrored in (False, True):
        view = np.ascontiguousarray(q[:, ::-1]) if mirrored else q
        v = _compare(view, c, features(view), fc)
        if (order[v.kind], v.score) > (order[best.kind], best.score):
            best = Verdict(v.kind, v.score, v.inliers, v.coverage, v.correlation, mirrored)
        if best.kind == "copy":
            break
    return best
