"""Video and audio files by their content, through PyAV (FFmpeg bundled in its wheels): what a file really is,
and its conversion to what every phone plays — H.264/AAC in an MP4 with the index first, a poster frame and the
measured duration. No Django here: the services decide where files live and what a failure means."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.logging
from av.filter import Graph

# The demuxer for each family of magic bytes: a file is opened only with the demuxer its first bytes name, so
# FFmpeg never guesses (no playlists, no concat lists, no images passed off as video).
MAGIC: list[tuple[int, bytes, str]] = [
    (4, b"ftyp", "mov"),  # MP4, MOV (iPhone), M4A, 3GP
    (4, b"moov", "mov"),
    (4, b"wide", "mov"),
    (4, b"mdat", "mov"),
    (0, b"\x1a\x45\xdf\xa3", "matroska"),  # MKV, WebM
    (0, b"FLV\x01", "flv"),
    (0, b"OggS", "ogg"),
    (0, b"fLaC", "flac"),
    (0, b"ID3", "mp3"),
    (0, b"\x00\x00\x01\xba", "mpeg"),  # MPEG program stream (VOB)
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "asf"),  # WMV, WMA
]
RIFF = {b"AVI ": "avi", b"WAVE": "wav"}
MAX_PIXELS = 4096 * 2304
MAX_SECONDS = 6 * 3600
OUT_HEIGHT = 720  # the long side of a phone screen's worth; the output keeps the aspect ratio

av.logging.set_level(av.logging.ERROR)


class MediaError(Exception):
    """The file is not a playable video or audio file; the message is for the uploader (Chinese)."""


@dataclass
class Probe:
    demuxer: str
    has_video: bool
    has_audio: bool
    duration: float
    width: int = 0
    height: int = 0


def demuxer_for(head: bytes) -> str | None:
    """The demuxer a file's first bytes name, or None (MPEG-TS is told by its sync byte every 188 bytes)."""
    for offset, magic, name in MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    if head[:4] == b"RIFF" and head[8:12] in RIFF:
        return RIFF[head[8:12]]
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return "mpegts"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mp3" if head[1] & 0x06 else "aac"
    return None


def _open(path: Path | str) -> Any:
    with open(path, "rb") as f:
        head = f.read(512)
    demuxer = demuxer_for(head)
    if demuxer is None:
        raise MediaError("无法识别的文件：只能上传视频或音频文件")
    try:
        return av.open(str(path), format=demuxer, options={"protocol_whitelist": "file"})
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError("文件已损坏或格式不受支持，无法读取") from exc


def probe(path: Path | str) -> Probe:
    """What the file really is: it must open with the demuxer its bytes name and decode at least one frame of
    a video (or, for a sound recording, an audio) stream within sane size and length."""
    container = _open(path)
    try:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        stream = video or audio
        if stream is None:
            raise MediaError("文件中没有视频或音频内容")
        if video is not None and video.codec_context.width * video.codec_context.height > MAX_PIXELS:
            raise MediaError("视频分辨率过大（最大 4K）")
        duration = _duration(container, stream)
        if duration > MAX_SECONDS:
            raise MediaError("视频时长不能超过 6 小时")
        try:
            frame = next(container.decode(stream), None)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError("文件已损坏，无法解码") from exc
        if frame is None:
            raise MediaError("文件已损坏，无法解码")
        return Probe(
            demuxer=container.format.name,
            has_video=video is not None,
            has_audio=audio is not None,
            duration=duration,
            width=video.codec_context.width if video is not None else 0,
            height=video.codec_context.height if video is not None else 0,
        )
    finally:
        container.close()


def _duration(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


@dataclass
class Transcoded:
    duration: float
    width: int
    height: int
    poster: bool


def _rotation(stream: Any) -> int:
    """The display rotation a phone recorded (iPhones store portrait video sideways with a display matrix)."""
    try:
        value = stream.metadata.get("rotate") or 0
        return int(float(value)) % 360
    except (TypeError, ValueError):
        return 0


def _size(width: int, height: int, rotation: int) -> tuple[int, int]:
    if rotation in (90, 270):
        width, height = height, width
    if min(width, height) > OUT_HEIGHT:
        scale = OUT_HEIGHT / min(width, height)
        width, height = round(width * scale), round(height * scale)
    return max(2, width // 2 * 2), max(2, height // 2 * 2)


def transcode(
    src: Path | str,
    dst: Path | str,
    poster: Path | str,
    *,
    progress: Callable[[int], None] | None = None,
) -> Transcoded:
    """`src` as H.264 (yuv420p, CRF 23) / AAC 128 kb/s in an MP4 with the index first (`+faststart`, so a
    phone starts playing before the download ends), and a JPEG poster from the first second. Raises MediaError
    when the input cannot be decoded; the caller removes `dst` and `poster` then."""
    container = _open(src)
    out = av.open(str(dst), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        return _transcode(container, out, Path(poster), progress)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError("文件已损坏，转码失败") from exc
    finally:
        out.close()
        container.close()


def _transcode(container: Any, out: Any, poster: Path, progress: Callable[[int], None] | None) -> Transcoded:
    vin = container.streams.video[0] if container.streams.video else None
    ain = container.streams.audio[0] if container.streams.audio else None
    if vin is None and ain is None:
        raise MediaError("文件中没有视频或音频内容")
    total = _duration(container, vin or ain) or 1.0
    width = height = 0
    rate = Fraction(25)
    vout = aout = graph = resampler = None
    if vin is not None:
        vin.thread_type = "AUTO"
        rotation = _rotation(vin)
        width, height = _size(vin.codec_context.width, vin.codec_context.height, rotation)
        rate = vin.average_rate if vin.average_rate and 1 <= vin.average_rate <= 60 else Fraction(25)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"crf": "23", "preset": "veryfast", "profile": "high"}
        graph = _video_graph(vin, rotation, width, height)
    if ain is not None:
        aout = out.add_stream("aac", rate=48000)
        aout.layout = "stereo"
        aout.bit_rate = 128_000
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
    streams = [s for s in (vin, ain) if s is not None]
    next_pts = 0
    last = 0.0
    reported = -1
    poster_done = poster_final = False
    for packet in container.demux(*streams):
        for frame in packet.decode():
            if frame.time is not None:
                last = max(last, float(frame.time))
            if packet.stream is vin and graph is not None and vout is not None:
                graph.push(frame)
                for scaled in _pull(graph):
                    # The first picture at once (short clips), replaced by the one at the first second.
                    if not poster_final and (not poster_done or (scaled.time or 0) >= min(1.0, total / 2)):
                        scaled.to_image().save(poster, "JPEG", quality=80)
                        poster_final, poster_done = poster_done, True
                    next_pts = _stamp(scaled, rate, next_pts)
                    out.mux(vout.encode(scaled))
            elif resampler is not None and aout is not None:
                for resampled in resampler.resample(frame):
                    resampled.pts = None
                    out.mux(aout.encode(resampled))
        if progress is not None and int(last * 100 / total) // 5 != reported:
            reported = int(last * 100 / total) // 5
            progress(min(99, reported * 5))
    if graph is not None and vout is not None:
        graph.push(None)
        for scaled in _pull(graph):
            next_pts = _stamp(scaled, rate, next_pts)
            out.mux(vout.encode(scaled))
        out.mux(vout.encode(None))
    if resampler is not None and aout is not None:
        for resampled in resampler.resample(None):
            resampled.pts = None
            out.mux(aout.encode(resampled))
        out.mux(aout.encode(None))
    if vin is not None and not poster_done:
        raise MediaError("文件已损坏：没有可解码的画面")
    return Transcoded(duration=last, width=width, height=height, poster=poster_done)


def _stamp(frame: Any, rate: Fraction, next_pts: int) -> int:
    """Output timestamps in frames of the output rate, strictly increasing (containers such as MKV round times
    to milliseconds, which would otherwise give two frames the same stamp)."""
    pts = max(next_pts, round((frame.time or 0) * rate))
    frame.pts, frame.time_base = pts, 1 / rate
    return pts + 1


def _video_graph(vin: Any, rotation: int, width: int, height: int) -> Any:
    graph = Graph()
    chain = [graph.add_buffer(template=vin)]
    if rotation == 90:
        chain.append(graph.add("transpose", "clock"))
    elif rotation == 270:
        chain.append(graph.add("transpose", "cclock"))
    elif rotation == 180:
        chain += [graph.add("hflip"), graph.add("vflip")]
    chain.append(graph.add("scale", f"{width}:{height}"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain).configure()
    return graph


def _pull(graph: Any) -> list[Any]:
    frames = []
    while True:
        try:
            frames.append(graph.pull())
        except (av.error.BlockingIOError, av.error.EOFError):
            return frames


def remove_quietly(*paths: Path | str) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
