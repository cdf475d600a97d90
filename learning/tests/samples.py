"""Small real videos made by PyAV inside the tests (nothing binary is committed): an iPhone-like HEVC .mov, an
MPEG-4 Part 2 .mov, an H.264 .mp4, a sound recording, and a corrupt file cut from a good one."""

from __future__ import annotations

import io

import av
import numpy as np


def make_video(
    codec: str = "hevc",
    fmt: str = "mov",
    *,
    seconds: float = 2,
    width: int = 320,
    height: int = 240,
    fps: int = 15,
    audio: bool = True,
    video: bool = True,
) -> bytes:
    buffer = io.BytesIO()
    out = av.open(buffer, "w", format=fmt)
    vs = out.add_stream(codec, rate=fps) if video else None
    if vs is not None:
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        if codec == "hevc":
            vs.options = {"x265-params": "log-level=error"}
    aus = out.add_stream("aac", rate=44100) if audio else None
    if aus is not None:
        aus.layout = "mono"
    if vs is not None:
        frames = int(seconds * fps)
        for i in range(frames):
            img = np.full((height, width, 3), 40, dtype=np.uint8)
            img[:, : max(1, int(width * (i + 1) / frames))] = (200, 30, 30)  # a bar sweeping across
            out.mux(vs.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(vs.encode(None))
    if aus is not None:
        step, t = 1024, 0
        while t < seconds * 44100:
            wave = 0.2 * np.sin(2 * np.pi * 440 * (np.arange(step) + t) / 44100)
            frame = av.AudioFrame.from_ndarray(
                wave.astype(np.float32).reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 44100, t
            out.mux(aus.encode(frame))
            t += step
        out.mux(aus.encode(None))
    out.close()
    return buffer.getvalue()


def corrupt(data: bytes) -> bytes:
    """The header of a real file and garbage after it (a transfer cut short and padded)."""
    return data[:64] + bytes(range(256)) * 40
