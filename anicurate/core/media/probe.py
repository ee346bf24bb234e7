"""Probe a media file: what it is (MediaInfo) and its frame index, or a typed MediaError why not.

Probing demuxes the whole video stream (cheap, no decoding) and decodes the first frame, which both
proves the file decodes and carries the rotation; a file whose end looks cut short also has its
last GOP decoded, so the frame count is what a decoder really yields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.container
import av.error
import av.stream
import av.video.stream
import numpy as np

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media.decode import AvCursor, Cursor, DecodedFrame
from anicurate.core.media.failures import check_file, guarded, unreadable
from anicurate.core.media.formats import MediaKind
from anicurate.core.media.index import (
    COMPOSITING_CODECS,
    FrameIndex,
    decode_index,
    demux_index,
)
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS, check_pixels, declared_size
from anicurate.core.media.sniff import looks_truncated, read_head, sniff
from anicurate.core.media.webp import PillowCursor, frame_delays, webp_index


@dataclass(frozen=True, slots=True)
class Inspected:
    """Everything a reader needs to open a source: its info, index and how to decode it."""

    path: Path
    info: MediaInfo
    index: FrameIndex
    backend: Literal["av", "pillow"]
    stream_index: int = 0
    cursor: Cursor | None = None  # the cursor probing decoded with, when kept open
    #: Frame 0 as probing decoded it, when the kept cursor's next frame is frame 1: a pass over
    #: the whole source goes on from there instead of decoding the start again.
    first: DecodedFrame | None = None


def probe(path: str | Path, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> MediaInfo:
    """Probe ``path``; raises MediaError with the kind of problem when it cannot be used.

    A frame of more than ``max_pixels`` pixels (None: no limit) is refused as TOO_LARGE.
    """
    return inspect_source(path, max_pixels=max_pixels).info


def inspect_source(
    path: str | Path,
    *,
    threads: int = 0,
    keep_open: bool = False,
    skip_nonref_deblock: bool = False,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> Inspected:
    """Probe ``path`` and keep its frame index (what ``open_media`` builds its reader on).

    With ``keep_open`` the decoder that checked the first frame comes along, file still open
    (``skip_nonref_deblock``: see :class:`AvCursor`; only for a pass that shows no frame).
    Only regular files are opened; a picture over ``max_pixels`` (None: no limit) is refused
    from its header, a video from its stream's coded size, before a frame is decoded.
    """
    p = Path(path)
    check_file(p)
    with guarded(p):
        family = sniff(read_head(p))
        with p.open("rb") as f:
            size = declared_size(f, family)
        if size is not None:
            check_pixels(p, *size, max_pixels)
        cursor: Cursor | None = None
        try:
            if family == "webp":
                inspected, cursor = _inspect_webp(p)
            else:
                inspected, cursor = _inspect_av(p, family, threads, skip_nonref_deblock, max_pixels)
        except BaseException:
            if cursor is not None:
                cursor.close()
            raise
        if not keep_open:
            cursor.close()
            return replace(inspected, first=None)
        cursor.index, cursor.rotation = inspected.index, inspected.info.rotation
        return replace(inspected, cursor=cursor)


def _video_stream(
    path: Path, container: av.container.InputContainer, family: str | None
) -> av.video.stream.VideoStream:
    """The first video stream that is not cover art; MediaError when there is none."""
    streams = list(container.streams.video)
    playable = [s for s in streams if not s.disposition & av.stream.Disposition.attached_pic]
    if playable or streams:
        return (playable or streams)[0]
    if container.streams.audio:
        raise MediaError(path, MediaErrorKind.NO_FRAMES, "audio only, no video stream")
    if family is not None and not len(container.streams):
        raise MediaError(path, MediaErrorKind.NO_FRAMES, "the file holds no frames")
    raise MediaError(path, MediaErrorKind.NOT_MEDIA, "no video or image stream in the file")


def _inspect_av(
    path: Path,
    family: str | None,
    threads: int,
    skip_nonref_deblock: bool,
    max_pixels: int | None,
) -> tuple[Inspected, Cursor]:
    try:
        container = av.open(str(path), metadata_errors="replace")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise unreadable(path, exc) from exc
    try:
        stream = _video_stream(path, container, family)
        codec = stream.codec_context
        if codec is None:
            raise MediaError(
                path, MediaErrorKind.UNSUPPORTED_CODEC, "no decoder for its video codec"
            )
        check_pixels(path, codec.width, codec.height, max_pixels)
        codec_name = codec.codec.canonical_name
        demuxed = demux_index(container, stream)
        stream_index = stream.index
        rate = stream.average_rate or stream.guessed_rate
        sample_aspect = stream.sample_aspect_ratio
        has_audio = bool(container.streams.audio)
        container_name = container.format.name
        cut_short = demuxed.stopped_early or looks_truncated(path, family)
        index = demuxed.index
        if index is None:
            index = decode_index(str(path), stream_index)
        if not len(index):
            if cut_short:
                raise MediaError(
                    path, MediaErrorKind.TRUNCATED, "the file ends before its first frame"
                )
            if demuxed.packets:
                raise unreadable(path, what="no frame of the video decodes")
            raise MediaError(path, MediaErrorKind.NO_FRAMES, "the video stream has no frames")
    except BaseException:
        container.close()
        raise
    # The cursor takes the container over (and closes it, whatever happens).
    cursor = AvCursor(
        path, stream_index, index, threads=threads, container=container,
        skip_nonref_deblock=skip_nonref_deblock,
    )  # fmt: skip
    try:
        index, first = _check_decodes(path, cursor, index, verify_tail=cut_short)
    except BaseException:
        cursor.close()
        raise
    info = _info(path, index, first, container_name, codec_name, rate, sample_aspect, has_audio)
    resume = first if first.index == 0 and not cut_short else None
    return Inspected(path, info, index, "av", stream_index, first=resume), cursor


def _inspect_webp(path: Path) -> tuple[Inspected, Cursor]:
    delays = frame_delays(path)
    index = webp_index(delays, truncated=looks_truncated(path, "webp"))
    cursor = PillowCursor(path, index)
    try:
        cursor.restart()
        cursor.rotation = cursor.orientation()
        index, first = _check_decodes(path, cursor, index, verify_tail=index.truncated)
    except BaseException:
        cursor.close()
        raise
    info = _info(path, index, first, "webp", "webp", None, None, False)
    return Inspected(path, info, index, "pillow"), cursor


def _check_decodes(
    path: Path, cursor: Cursor, index: FrameIndex, *, verify_tail: bool
) -> tuple[FrameIndex, DecodedFrame]:
    """Decode the first frame (and, for a file cut short, the last GOP) and fit the index to
    the frames that really come out."""
    cursor.seek(0)
    first = cursor.next()
    if first is None or first.index > 0:
        cursor.restart()  # make sure: nothing but a fresh start may decide frames are missing
        first = cursor.next()
    if first is None:
        if verify_tail or index.truncated:
            raise MediaError(path, MediaErrorKind.TRUNCATED, "the file ends before a frame decodes")
        raise unreadable(path, what="no frame of the video decodes")
    if verify_tail:
        index = index.head(_last_decodable(cursor, index) + 1, truncated=True)
    index = index.tail(first.index)
    if len(index) == 1:  # a still shows for no particular time (image demuxers say 1/25 s)
        index = FrameIndex(
            index.pts, index.keyframe, index.time_base, duration_ticks=np.zeros(1, np.int64),
            truncated=index.truncated, from_decode=index.from_decode,
        )  # fmt: skip
    return index, first


def _last_decodable(cursor: Cursor, index: FrameIndex) -> int:
    """Index of the last frame that decodes, by decoding from the last keyframe to the end."""
    key = int(index.keyframes[-1])
    cursor.seek(key)
    last = -1
    while (frame := cursor.next()) is not None:
        last = frame.index
    if last < key:  # the seek did not start at that keyframe: decode everything instead
        cursor.restart()
        while (frame := cursor.next()) is not None:
            last = frame.index
    return last


def _info(
    path: Path,
    index: FrameIndex,
    first: DecodedFrame,
    container: str,
    codec: str,
    rate: Fraction | None,
    sample_aspect: Fraction | None,
    has_audio: bool,
) -> MediaInfo:
    n = len(index)
    width, height = first.width, first.height
    if first.rotation in (90, 270):
        width, height = height, width
    if n == 1:
        kind, fps, duration, vfr = MediaKind.STILL, Fraction(0), 0.0, False
    else:
        kind = MediaKind.ANIMATION if codec in COMPOSITING_CODECS else MediaKind.VIDEO
        duration, vfr = index.duration, index.vfr
        fps = _fps(index, rate)
    return MediaInfo(
        path=str(path),
        kind=kind,
        container=container,
        codec=codec,
        width=width,
        height=height,
        rotation=first.rotation,
        sample_aspect=sample_aspect if sample_aspect else Fraction(1),
        frame_count=n,
        fps=fps,
        duration=duration,
        vfr=vfr,
        has_audio=has_audio,
        truncated=index.truncated,
    )


def _fps(index: FrameIndex, rate: Fraction | None) -> Fraction:
    """Frames per second: frames / duration for VFR; the stream's rate when the timestamps agree
    with it (within 0.5%), else the rate the mean frame step gives."""
    if index.vfr:
        total = int(index.duration_ticks.sum())
        return Fraction(len(index)) / (total * index.time_base) if total else Fraction(0)
    span = int(index.duration_ticks[:-1].sum())
    if span <= 0:
        return Fraction(rate) if rate else Fraction(0)
    step = Fraction(span, len(index) - 1) * index.time_base
    if rate and abs(1 / Fraction(rate) - step) <= step / 200:
        return Fraction(rate)
    return (1 / step).limit_denominator(1001)
