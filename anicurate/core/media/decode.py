"""Decoding cursors: start at a keyframe, hand out frames in display order tagged with their index.

A cursor knows nothing of caching or random access; the reader builds those on top. Frames are
matched to the index by their timestamps, so a seek that lands elsewhere than asked, or frames a
decoder drops, never shift which frame is called *i*.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import av
import av.container
import av.error
import av.packet
import av.video.stream
import cv2
import numpy as np
from av.codec.context import ThreadType
from av.video.frame import PictureType, VideoFrame
from av.video.reformatter import VideoReformatter

from anicurate.core.media import hardware
from anicurate.core.media.failures import unreadable
from anicurate.core.media.index import COMPOSITING_CODECS, FrameIndex

if TYPE_CHECKING:
    from av.codec.hwaccel import HWAccel

_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Turn an RGB frame ``rotation`` degrees clockwise; always returns a C-contiguous array."""
    code = _ROTATE.get(rotation % 360)
    return cv2.rotate(rgb, code) if code is not None else np.ascontiguousarray(rgb)


class DecodedFrame:
    """One decoded frame: its display index, stored size and rotation, and its RGB pixels on demand.

    Conversion to RGB is deferred because the reader skips it for frames it will not keep;
    ``video`` is the decoder's own frame when PyAV made it, so analysis reads its YUV planes;
    ``exact`` is False where a cursor with ``skip_nonref_deblock`` may have left it unfiltered.
    """

    __slots__ = ("_convert", "exact", "height", "index", "nbytes", "rotation", "video", "width")

    def __init__(
        self,
        index: int,
        width: int,
        height: int,
        rotation: int,
        nbytes: int,
        convert: Callable[[], np.ndarray],
        video: VideoFrame | None = None,
        exact: bool = True,
    ) -> None:
        self.index = index
        self.width = width
        self.height = height
        self.rotation = rotation
        self.nbytes = nbytes  # memory the frame holds as decoded
        self._convert = convert
        self.video = video
        self.exact = exact

    def rgb(self) -> np.ndarray:
        """The frame as upright RGB uint8, H x W x 3."""
        return self._convert()


class Cursor(Protocol):
    """A decoding position in one source."""

    decoded: int  # frames the decoder produced so far
    index: FrameIndex  # the frames it hands out, by display index
    rotation: int  # degrees clockwise it turns frames to make them upright

    def seek(self, key: int) -> None:
        """Start over at keyframe ``key`` (display index); the next frame may come from earlier."""

    def restart(self) -> None:
        """Start over at the very beginning of the file."""

    def next(self) -> DecodedFrame | None:
        """The next frame in display order, or None at the end."""

    def close(self) -> None: ...


def clockwise(frame: VideoFrame) -> int:
    """Degrees clockwise that make this frame upright, from its display matrix (0/90/180/270)."""
    # PyAV reports the matrix's counter-clockwise angle; FFmpeg's own players turn the other way.
    return round(-frame.rotation / 90.0) * 90 % 360


class AvCursor:
    """Cursor over one video stream decoded by PyAV, with frame threading on.

    Sources indexed by decoding (``index.from_decode``) are matched by counting from the first
    frame, so they always restart from the beginning; all others are matched by pts. An open
    ``container`` (the one probing demuxed) is adopted, which saves opening the file again.

    ``skip_nonref_deblock`` (for analysis, never for showing frames) skips the in-loop deblocking
    of frames no other frame references: no other frame changes, those come out a little blockier
    and H.264 decodes ~7% cheaper. B-frames are then marked not ``exact`` (most of them are the
    unreferenced ones), so detail measures pick the others.

    ``hwaccel`` decodes on that device (frames come back as NV12/P010 in system memory). Where
    the device does not start, or the stream has no decoder on it, the file opens on the CPU:
    ``decoder`` says which was used ("cuda" or "cpu") and ``fallback`` why not the device.
    """

    def __init__(
        self,
        path: Path,
        stream_index: int,
        index: FrameIndex,
        *,
        rotation: int = 0,
        threads: int = 0,
        container: av.container.InputContainer | None = None,
        skip_nonref_deblock: bool = False,
        hwaccel: HWAccel | None = None,
    ) -> None:
        self._path = path
        self._stream_index = stream_index
        self.index = index
        self.rotation = rotation
        self._threads = threads
        self._reformatter = VideoReformatter()
        self._container: av.container.InputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._packets: Iterator[av.packet.Packet[av.video.stream.VideoStream]] | None = None
        self._pending: deque[DecodedFrame] = deque()
        self._counting = index.from_decode
        self._only_from_start = index.from_decode
        self._anchor: int | None = None
        self._last = -1
        self.decoded = 0
        self._skip_nonref_deblock = skip_nonref_deblock
        self._hwaccel = hwaccel
        self.decoder: Literal["cpu", "cuda"] = "cpu"
        self.fallback: str | None = None
        if container is not None:
            self._adopt(container)

    def _open(self) -> None:
        self.close()
        container = self._open_on_device() if self._hwaccel is not None else None
        if container is None:
            try:
                container = av.open(str(self._path), metadata_errors="replace")
            except (av.error.FFmpegError, OSError) as exc:
                raise unreadable(self._path, exc) from exc
        self._adopt(container)

    def _open_on_device(self) -> av.container.InputContainer | None:
        """The file opened with ``hwaccel``, or None (and ``fallback`` set) where the device
        does not start or cannot decode the stream; the cursor then stays on the CPU."""
        assert self._hwaccel is not None
        try:
            container = hardware.open_on_device(str(self._path), self._hwaccel)
        except hardware.device_errors() as exc:
            self._hwaccel = None
            self.fallback = hardware.start_failed(exc)
            return None
        stream = next((s for s in container.streams.video if s.index == self._stream_index), None)
        if stream is None or stream.codec_context is None or not stream.codec_context.is_hwaccel:
            codec = stream.codec_context.name if stream and stream.codec_context else "this stream"
            container.close()
            self._hwaccel = None
            self.fallback = f"{codec} has no CUDA decoder in this FFmpeg"
            return None
        self.decoder = "cuda"
        return container

    def _adopt(self, container: av.container.InputContainer) -> None:
        stream = next((s for s in container.streams.video if s.index == self._stream_index), None)
        if stream is None or stream.codec_context is None:
            container.close()
            raise unreadable(self._path, what="the video stream changed since it was indexed")
        stream.codec_context.thread_type = ThreadType.AUTO
        stream.codec_context.thread_count = self._threads
        if self._skip_nonref_deblock:
            stream.codec_context.options = {"skip_loop_filter": "noref"}  # read when it opens
        if stream.codec_context.name in COMPOSITING_CODECS:
            self._only_from_start = True  # e.g. APNG: the demuxer's seek leaves the decoder broken
        self._container, self._stream = container, stream

    def _reset_position(self) -> None:
        assert self._container is not None and self._stream is not None
        self._packets = iter(self._container.demux(self._stream))
        self._pending.clear()
        self._anchor = None
        self._last = -1

    def restart(self) -> None:
        self._open()
        self._reset_position()

    def seek(self, key: int) -> None:
        if self._container is None:
            self._open()
        if self._container is None or self._stream is None or self._only_from_start:
            self.restart()
            return
        try:
            self._container.seek(int(self.index.pts[key]), stream=self._stream, backward=True)
        except (av.error.FFmpegError, OSError):
            self.restart()  # not seekable: decode forward from the start instead
            return
        self._reset_position()

    def next(self) -> DecodedFrame | None:
        while not self._pending:
            if self._packets is None or self._stream is None:
                return None
            try:
                packet = next(self._packets, None)
            except (av.error.FFmpegError, OSError):
                packet = None  # the file is damaged or cut here: what decoded so far stands
            if packet is None:
                self._packets = None
                self._decode(None)  # drain the frames the decoder still holds
                continue
            if self._anchor is None and packet.size and not self._counting:
                if not packet.is_keyframe:
                    continue  # a seek landed mid-GOP; frames before the next keyframe are garbage
                self._anchor = packet.pts
            self._decode(packet)
        return self._pending.popleft()

    def _decode(self, packet: av.packet.Packet[av.video.stream.VideoStream] | None) -> None:
        assert self._stream is not None
        try:
            frames = self._stream.decode(packet)
        except av.error.FFmpegError:
            return  # a damaged packet: the decoder conceals it and goes on with the next
        for frame in frames:
            self.decoded += 1
            index = self._place(frame)
            if index is not None:
                self._pending.append(self._wrap(index, frame))

    def _place(self, frame: VideoFrame) -> int | None:
        """The display index of a decoded frame, or None for one the index does not show."""
        if self._counting:
            self._last += 1
            return self._last
        pts = frame.pts
        if pts is None:
            index: int | None = self._last + 1 if self._last >= 0 else None
        elif self._anchor is not None and pts < self._anchor:
            return None  # a leading picture of an open GOP, decoded without its references
        else:
            index = self.index.index_of_pts(pts)
        if index is None or index <= self._last or index >= len(self.index):
            return None
        self._last = index
        return index

    def _wrap(self, index: int, frame: VideoFrame) -> DecodedFrame:
        def convert() -> np.ndarray:
            rgb = self._reformatter.reformat(frame, format="rgb24").to_ndarray()
            return upright(rgb, self.rotation)

        nbytes = sum(plane.buffer_size for plane in frame.planes)
        exact = not self._skip_nonref_deblock or frame.pict_type != PictureType.B
        return DecodedFrame(
            index, frame.width, frame.height, clockwise(frame), nbytes, convert, frame, exact
        )

    def close(self) -> None:
        self._packets = None
        self._pending.clear()
        self._stream = None
        if self._container is not None:
            container, self._container = self._container, None
            container.close()
