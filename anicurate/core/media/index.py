"""The frame index: every displayed frame's timestamp and keyframe flag, in display order.

Frame *i* of a source is the *i*-th entry here; times are derived from these timestamps, never the
other way round. The index comes from demuxing (no decoding) wherever the container stores usable
presentation timestamps, and from one decoding pass where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
import av.container
import av.error
import av.video.stream
import numpy as np
from av.codec.context import ThreadType

from anicurate.core.errors import FrameOutOfRange

#: Codecs whose frames are drawn over the previous ones (disposal, blending): only the first
#: frame is a place to start decoding, whatever the container's keyframe flags say.
COMPOSITING_CODECS = frozenset({"gif", "apng", "webp"})


class FrameIndex:
    """Display-order pts, keyframe flags, times and durations of one source's frames.

    ``durations`` are how long each frame shows: the steps between timestamps (the last frame's
    from its packet, or the typical step when it has none), unless ``duration_ticks`` are given
    (animations, whose tiny delays play longer than stored). ``times`` are seconds from the first
    frame's start: the sum of the durations before each frame.
    """

    def __init__(
        self,
        pts: np.ndarray,
        keyframe: np.ndarray,
        time_base: Fraction,
        *,
        last_duration: int = 0,
        duration_ticks: np.ndarray | None = None,
        from_decode: bool = False,
        truncated: bool = False,
    ) -> None:
        self.pts = np.ascontiguousarray(pts, dtype=np.int64)
        self.keyframe = np.ascontiguousarray(keyframe, dtype=bool)
        if self.pts.shape != self.keyframe.shape or self.pts.ndim != 1:
            raise ValueError("pts and keyframe must be 1-D arrays of one length")
        if len(self.keyframe):
            self.keyframe[0] = True  # decoding always starts somewhere at or before frame 0
        self.time_base = Fraction(time_base)
        self.from_decode = from_decode
        #: The file ends early: the index holds only the frames that still decode.
        self.truncated = truncated
        if duration_ticks is None and not len(self.pts):
            duration_ticks = np.zeros(0, np.int64)
        elif duration_ticks is None:
            steps = np.diff(self.pts)
            if last_duration <= 0:
                last_duration = int(np.median(steps)) if len(steps) else 0
            duration_ticks = np.append(steps, np.int64(max(0, last_duration)))
        self.duration_ticks = np.ascontiguousarray(duration_ticks, dtype=np.int64)
        if self.duration_ticks.shape != self.pts.shape:
            raise ValueError("one duration per frame")
        scale = float(self.time_base)
        starts = np.concatenate(([0], np.cumsum(self.duration_ticks[:-1], dtype=np.int64)))
        self.times = (starts[: len(self.pts)] * scale).astype(np.float64)
        self.durations = (self.duration_ticks * scale).astype(np.float64)
        self._keys = np.flatnonzero(self.keyframe)
        self._by_pts: dict[int, int] | None = None

    def __len__(self) -> int:
        return int(self.pts.shape[0])

    def __repr__(self) -> str:
        return (
            f"FrameIndex({len(self)} frames, {len(self._keys)} keyframes, "
            f"time_base={self.time_base}, from_decode={self.from_decode})"
        )

    def check(self, i: int) -> int:
        """``i`` as a plain int, or FrameOutOfRange when no such frame exists."""
        n = len(self)
        if not 0 <= i < n:
            raise FrameOutOfRange(f"frame {i} is outside 0..{n - 1}")
        return int(i)

    def time_of(self, i: int) -> float:
        """Seconds from the first frame's start to frame ``i``'s start."""
        return float(self.times[self.check(i)])

    def frame_at_time(self, t: float) -> int:
        """The frame on screen at ``t`` seconds (clamped to the first and last frame)."""
        if not len(self):
            raise FrameOutOfRange("the source has no frames")
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return min(max(i, 0), len(self) - 1)

    def keyframe_at_or_before(self, i: int) -> int:
        """The nearest frame at or before ``i`` where decoding can start."""
        i = self.check(i)
        return int(self._keys[np.searchsorted(self._keys, i, side="right") - 1])

    def keyframe_before(self, k: int) -> int | None:
        """The keyframe before keyframe ``k``, or None when ``k`` is the first."""
        pos = int(np.searchsorted(self._keys, k, side="left"))
        return int(self._keys[pos - 1]) if pos > 0 else None

    @property
    def keyframes(self) -> np.ndarray:
        """Indices of the keyframes, ascending."""
        return self._keys

    @property
    def duration(self) -> float:
        """Seconds from the first frame's start to the last frame's end."""
        return float(self.times[-1] + self.durations[-1]) if len(self) else 0.0

    @property
    def vfr(self) -> bool:
        """Frame durations differ by more than timestamp rounding explains (1 tick or 1%)."""
        if len(self) < 3:
            return False
        steps = self.duration_ticks[:-1]
        tolerance = max(1.0, 0.01 * float(np.median(steps)))
        return bool(steps.max() - steps.min() > tolerance)

    def index_of_pts(self, pts: int) -> int | None:
        """The display index of the frame with this pts, or None when it is not in the index."""
        if self._by_pts is None:
            self._by_pts = {int(p): i for i, p in enumerate(self.pts.tolist())}
        return self._by_pts.get(pts)

    def head(self, n: int, *, truncated: bool | None = None) -> FrameIndex:
        """The first ``n`` frames (the rest do not decode), as a new index."""
        if n >= len(self) and truncated is None:
            return self
        n = min(n, len(self))
        return FrameIndex(
            self.pts[:n],
            self.keyframe[:n],
            self.time_base,
            duration_ticks=self.duration_ticks[:n],
            from_decode=self.from_decode,
            truncated=self.truncated if truncated is None else truncated,
        )

    def tail(self, start: int) -> FrameIndex:
        """The frames from ``start`` on (those before it cannot be shown), as a new index."""
        if start <= 0:
            return self
        return FrameIndex(
            self.pts[start:],
            self.keyframe[start:],
            self.time_base,
            duration_ticks=self.duration_ticks[start:],
            from_decode=self.from_decode,
            truncated=self.truncated,
        )


@dataclass(frozen=True, slots=True)
class Demuxed:
    """What demuxing a stream told: its index (None when the timestamps are unusable) and
    whether reading stopped early (an error, or a last packet cut short)."""

    index: FrameIndex | None
    stopped_early: bool
    packets: int  # packets with data that demuxing found


def demux_index(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> Demuxed:
    """Index a stream from packet timestamps and keyframe flags, without decoding."""
    pts: list[int | None] = []
    keys: list[bool] = []
    durations: list[int] = []
    last_corrupt = False
    stopped_early = False
    try:
        for packet in container.demux(stream):
            if packet.size == 0:
                continue  # the empty packet PyAV yields at the end to drain the decoder
            if packet.is_discard:
                continue  # decoded for reference only, never shown (e.g. cut by an MP4 edit list)
            pts.append(packet.pts)
            keys.append(bool(packet.is_keyframe))
            durations.append(int(packet.duration or 0))
            last_corrupt = bool(packet.is_corrupt)
    except (av.error.FFmpegError, OSError):
        stopped_early = True
    if last_corrupt:
        # A last packet cut short by the end of the file is not a frame anyone can show
        # (a damaged packet elsewhere stays: the decoder conceals it).
        pts.pop(), keys.pop(), durations.pop()
        stopped_early = True
    return Demuxed(_index_from_packets(stream, pts, keys, durations), stopped_early, len(pts))


def _index_from_packets(
    stream: av.video.stream.VideoStream,
    pts: list[int | None],
    keys: list[bool],
    durations: list[int],
) -> FrameIndex | None:
    time_base = stream.time_base
    if time_base is None or any(p is None for p in pts):
        return None
    if not pts:
        return FrameIndex(np.zeros(0, np.int64), np.zeros(0, bool), time_base)
    pts_arr = np.array(pts, dtype=np.int64)
    key_arr = np.array(keys, dtype=bool)
    dur_arr = np.array(durations, dtype=np.int64)
    if not key_arr.any():
        return None
    # Packets before the first keyframe, and leading pictures shown before it (an open GOP's
    # RASL frames), cannot be decoded when playback starts here, so they are not frames.
    first = int(np.argmax(key_arr))
    keep = np.arange(len(pts_arr)) >= first
    keep &= pts_arr >= pts_arr[first]
    pts_arr, key_arr, dur_arr = pts_arr[keep], key_arr[keep], dur_arr[keep]
    if len(np.unique(pts_arr)) != len(pts_arr):
        return None
    codec = stream.codec_context
    if codec.has_b_frames and len(pts_arr) > 2 and bool(np.all(np.diff(pts_arr) > 0)):
        # The decoder reorders frames, yet the stamps never go backwards in decode order: they
        # are decode-order stamps (AVI does this), not display times.
        return None
    order = np.argsort(pts_arr, kind="stable")
    pts_sorted, key_sorted = pts_arr[order], key_arr[order]
    last = int(dur_arr[order[-1]])
    if codec.name not in COMPOSITING_CODECS:
        return FrameIndex(pts_sorted, key_sorted, time_base, last_duration=last)
    ticks = np.append(np.diff(pts_sorted), last if last > 0 else 0)
    return FrameIndex(
        pts_sorted,
        np.zeros_like(key_sorted),
        time_base,
        duration_ticks=browser_delays(ticks, time_base),
    )


def browser_delays(ticks: np.ndarray, time_base: Fraction) -> np.ndarray:
    """Animation frame delays as browsers play them: 10 ms or less means 100 ms.

    Web GIFs and WebPs rely on this: a stored 0 or 1 centisecond would otherwise play 10 times
    too fast.
    """
    short = Fraction(1, 100) / time_base
    default = round(Fraction(1, 10) / time_base)
    return np.where(ticks <= short, default, ticks).astype(np.int64)


def decode_index(path: str, stream_index: int) -> FrameIndex:
    """Index a stream by decoding it once: the fallback when packet timestamps are unusable.

    Frames are counted in output order; their times are their decoded timestamps when those
    rise steadily, otherwise a constant rate from the stream's frame rate.
    """
    pts: list[int | None] = []
    keys: list[bool] = []
    with av.open(path, metadata_errors="replace") as container:
        stream = next(s for s in container.streams.video if s.index == stream_index)
        stream.codec_context.thread_type = ThreadType.AUTO
        time_base = stream.time_base
        rate = stream.guessed_rate or stream.average_rate or Fraction(25)
        try:
            for packet in container.demux(stream):
                try:
                    frames = stream.decode(packet)
                except av.error.FFmpegError:
                    continue  # a damaged packet: the decoder goes on with the next one
                for frame in frames:
                    pts.append(frame.pts)
                    keys.append(bool(frame.key_frame))
        except (av.error.FFmpegError, OSError):
            pass  # what decoded before the damage is the source
    key_arr = np.array(keys, dtype=bool)
    usable = (
        time_base is not None
        and all(p is not None for p in pts)
        and bool(np.all(np.diff(np.array(pts, dtype=np.int64)) > 0))
    )
    if usable and time_base is not None:
        return FrameIndex(np.array(pts, np.int64), key_arr, time_base, from_decode=True)
    frame_time = 1 / Fraction(rate)
    return FrameIndex(np.arange(len(keys), dtype=np.int64), key_arr, frame_time, from_decode=True)
