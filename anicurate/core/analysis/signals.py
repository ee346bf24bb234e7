"""Per-frame signals of one source, computed in one streaming decoding pass.

Each displayed frame's luma (and chroma, for the colour signal) is taken from the decoder's planes
without an RGB conversion, downscaled once to a working size (about 256 x 144 at 16:9), and reduced
to cheap numbers: differences to the frame before, an HSV content change as PySceneDetect's
ContentDetector defines it, 8x8 block differences as ffmpeg's mpdecimate defines them, a motion
magnitude and a motion-compensated residual from DIS optical flow on a 128-wide frame, the typical
block's signed change where few blocks changed (what moves besides an overlay), for possible
cuts how much of the background stays in place (``still``, ``kept``, ``exact``) and how alike
the pictures are, differences at larger lags (flashes) and a linearity test over frame triples
(dissolves and fades). Blur and noise need detail, so they are measured about every
``DETAIL_EVERY`` frames at a 360-line scale, on frames the decoder deblocked.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import av.video.stream
import cv2
import numpy as np
from av.video.frame import VideoFrame

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media import hardware
from anicurate.core.media.decode import AvCursor
from anicurate.core.media.failures import guarded, regular_stat
from anicurate.core.media.hardware import Decoder, Decoding
from anicurate.core.media.index import FrameIndex
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS
from anicurate.core.media.probe import Inspected, inspect_source
from anicurate.core.media.webp import PillowCursor

# OpenCV's "no array" for optional inputs and outputs. Its stubs disagree from release to
# release on whether None is accepted there, so None is typed as Any once, here, instead of an
# ignore per call.
_NO_MAT: Any = None

#: Names of the per-frame signals, the rows of :attr:`Signals.values`. Differences are to the
#: frame before (0 for frame 0); ``*_k`` lags and triples are NaN where the frames do not exist.
SIGNAL_NAMES: tuple[str, ...] = (
    "duration",  # seconds the frame shows (from the frame index, so VFR is exact)
    "luma",  # mean luma 0..255
    "contrast",  # luma standard deviation
    "mad",  # mean absolute luma difference to the frame before
    "block_max",  # largest 8x8 block mean absolute difference (mpdecimate's "hi" measure)
    "block_frac",  # fraction of 8x8 blocks whose mean difference is above mpdecimate's "lo"
    "content",  # ContentDetector's HSV content change (mean of |dH|, |dS|, |dV|)
    "motion",  # mean optical-flow magnitude, percent of the frame width per frame
    "residual",  # mean absolute difference left after warping the frame before by the flow
    "still",  # share of the frame before's textured cells left unchanged (NaN: no cut candidate)
    "alike",  # correlation of the luma with the frame before's (NaN: no cut candidate)
    "lag2",  # tiny-frame mean absolute difference to frame i-2
    "lag3",
    "lag4",
    "mid2",  # |f[i] - (f[i-2] + f[i+2]) / 2| on tiny frames: ~0 inside a linear blend
    "span2",  # |f[i-2] - f[i+2]|
    "mid4",
    "span4",
    "mid8",
    "span8",
    "mid16",
    "span16",
    "blur",  # variance of the Laplacian at a 360-line scale (NaN on frames not measured)
    "noise",  # robust noise sigma at a 360-line scale (NaN on frames not measured)
    "block_median",  # median 8x8 block |mean signed difference|: what moves besides an overlay
    # or under coding noise (NaN on frames neither local nor faint: LOCAL_BLOCK_MAX, FAINT_MAD)
    "kept",  # share of the frame before's textured cells kept in place through flicker, gate
    # weave and grain (NaN: no cut candidate)
    "exact",  # share of the frame before's textured cells kept as they were, but for coding
    # noise (NaN: no cut candidate)
    "edge_x",  # where a straight edge crosses: the mean place of the columns of 8x8 blocks that
    "edge_y",  # changed from top to bottom (rows: from side to side), a share of the width (height)
    # (NaN: no such column or row, or more than SWEEP_MAX_FRAC of the blocks changed)
)
S = {name: i for i, name in enumerate(SIGNAL_NAMES)}
LAGS = (2, 3, 4)
SPANS = (2, 4, 8, 16)
#: Blur and noise are measured about every ``DETAIL_EVERY``-th frame (and the last one): each
#: measure reads a whole plane, and a clip's value is a median, which a sample a second settles.
DETAIL_EVERY = 24
DETAIL_LINES = 360
#: The working luma has about this many pixels, in multiples of 8 on each side.
WORK_AREA = 256 * 144
#: mpdecimate's per-pixel "lo" (its lo=64*5 is a block sum over 64 pixels).
BLOCK_LO = 5.0
#: mpdecimate's defaults as per-pixel block means (hi=64*12, lo=64*5, frac=0.33), measured on the
#: ~256 x 144 working frame: a frame is held when no block changed by more than HELD_HI and at
#: most HELD_FRAC of the blocks by more than the signals' BLOCK_LO.
HELD_HI = 12.0
HELD_FRAC = 0.33
#: A held frame (by mpdecimate's test) whose mean change is at least this may be a faint blend
#: rather than coding noise: such frames get the ``block_median`` measure too.
FAINT_MAD = 0.5
#: A frame whose strongest 8x8 block changed by at least LOCAL_BLOCK_MAX, its mean change
#: being below LOCAL_SPREAD of that, with at most LOCAL_BLOCK_FRAC of its blocks changed, changes
#: a small part of the frame strongly (text that scrolls or appears, any small overlay): such
#: frames get the ``block_median`` measure (and faint ones: see FAINT_MAD).
LOCAL_BLOCK_MAX = HELD_HI
LOCAL_SPREAD = 0.15
LOCAL_BLOCK_FRAC = 0.2
#: A frame with at least this share of changed blocks and at least this flow residual may be a
#: cut (the detector's least block share and residual): only such frames get the ``still``
#: measure, so other frames cost nothing more.
CANDIDATE_BLOCK_FRAC = 0.15
CANDIDATE_RESIDUAL = 5.0
#: ``still`` looks at a STILL_GRID x STILL_GRID grid of cells of the working luma: a cell of the
#: frame before is textured (outlines, painted detail) when its luma deviates by more than
#: STILL_TEXTURE, unchanged when its mean absolute difference is below STILL_DIFF. A pose jump
#: in a held shot leaves the background's textured cells in place; a cut, even to another
#: framing of the same scene, moves or replaces nearly all of them.
STILL_GRID = 8
STILL_TEXTURE = 8.0
STILL_DIFF = 3.0
STILL_MIN_CELLS = 4  # fewer textured cells (a card, a flat frame) tell nothing: share 0
#: ``kept`` asks less of each textured cell than ``still``: its pattern correlates with the
#: frame before's at least KEPT_CORRELATION, its mean luma moves by less than KEPT_LUMA and its
#: mean chroma by less than KEPT_CHROMA. Old film's flicker and gate weave, and grain, change
#: every pixel of a held background by more than STILL_DIFF; none of them moves its pattern.
KEPT_CORRELATION = 0.8
KEPT_LUMA = 6.0
KEPT_CHROMA = 4.0
#: ``exact`` asks more: the cell correlates at least EXACT_CORRELATION and its mean luma and
#: chroma move by less than EXACT_DIFF. A background held digitally stays so through a pose
#: jump however much of the frame the figure takes; cells that match across a cut to another
#: framing of the scene (periodic hills, flat sky) match only roughly.
EXACT_CORRELATION = 0.95
EXACT_DIFF = 2.0
#: A wipe's edge crosses a strip of the frame at a time: where the strip is (``edge_x``,
#: ``edge_y``) is measured on frames that change at most SWEEP_MAX_FRAC of their blocks, as
#: the columns (rows) in which at least SWEEP_FULL of the blocks changed, in luma (see
#: BLOCK_LO) or in colour (a weighted sum of the changes of hue, saturation and value at the
#: block's centre above SWEEP_COLOUR).
SWEEP_MAX_FRAC = 0.5
SWEEP_FULL = 0.8
SWEEP_COLOUR = 8
#: A night scene or a hazy one shows every difference smaller by its contrast: below this luma
#: contrast (standard deviation; normal shots have 25-35) thresholds on differences shrink in
#: proportion, to MIN_DIM of themselves at least (a cut between two dark shots leaves a flow
#: residual of 4-7, not 15-25).
FULL_CONTRAST = 24.0
MIN_DIM = 0.25
#: Luma at or below which edge rows and columns dark in both frames are black bars (video black
#: is 16; encoders leave a few levels of noise).
BAR_LUMA = 40
_YUV_FORMATS = frozenset(
    {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p"}
)
_SEMI_PLANAR = frozenset({"nv12", "p010le"})  # what NVDEC frames are downloaded as
#: Packed RGB that OpenCV turns into 4:2:0 planes as swscale does (BT.601, video range; luma
#: within one level) at a third to a half of swscale's cost: a GIF's frames come as bgra.
_PACKED_RGB = {
    "bgra": cv2.COLOR_BGRA2YUV_I420,
    "rgba": cv2.COLOR_RGBA2YUV_I420,
    "bgr24": cv2.COLOR_BGR2YUV_I420,
    "rgb24": cv2.COLOR_RGB2YUV_I420,
}
_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
#: The noise kernel [[1, -2, 1], [-2, 4, -2], [1, -2, 1]] as the outer product it is: a separable
#: filter gives the same integers for a third of filter2D's time.
_NOISE_TAPS = np.array([1, -2, 1], np.float32)


#: What a frame is reduced to for the signals against the frame after it: the working luma,
#: the small luma, the small HSV and the small YUV (neutral chroma for grey sources).
Reduced = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Signals:
    """Per-frame signals of a source: ``values`` is len(SIGNAL_NAMES) x frames float32, ``hashes``
    one 64-bit perceptual hash (DCT pHash) per frame."""

    values: np.ndarray
    hashes: np.ndarray

    @property
    def frames(self) -> int:
        return int(self.values.shape[1])

    def __getitem__(self, name: str) -> np.ndarray:
        row: np.ndarray = self.values[S[name]]
        return row

    def slice(self, first: int, last: int) -> Signals:
        """Frames ``first`` to ``last`` inclusive (views)."""
        return Signals(self.values[:, first : last + 1], self.hashes[first : last + 1])


def work_size(width: int, height: int) -> tuple[int, int]:
    """The working luma size for a displayed frame size: ~WORK_AREA pixels, multiples of 8."""
    scale = math.sqrt(WORK_AREA / max(1, width * height))
    w = max(8, round(width * scale / 8) * 8)
    h = max(8, round(height * scale / 8) * 8)
    return w, h


def _plane(frame: VideoFrame, i: int) -> np.ndarray:
    p = frame.planes[i]
    arr: np.ndarray = np.frombuffer(cast(bytes, p), np.uint8).reshape(p.height, p.line_size)
    return arr[:, : p.width]


def _shrink(plane: np.ndarray, size: tuple[int, int], sample: bool = False) -> np.ndarray:
    """Downscale with some averaging but without reading every pixel of a large plane.

    What this costs is reading rows and OpenCV's general resize paths, while its exact 2x box is
    a fast path. A plane 4x the size or more keeps every ``step``-th row where that still leaves
    about the target's height after ``k`` exact 2x boxes (k: as many as leave at least the
    target's width), then goes bilinear to the size: at least 16 samples per pixel, evenly
    spread over its footprint, at a quarter of the cost of sampling 8 columns of 2 rows through a
    bilinear resize to 4x the width (which cost a 1080p frame 270 us). Fewer samples are not
    enough: sampled grain inflates the flow residual, which moving objects then turn into false
    cuts (tried). A plane 1.5x to 4x the size is halved by one box and then resized bilinearly.
    ``sample`` (smooth chroma) takes one bilinear sample per output pixel.
    """
    h, w = plane.shape[:2]
    tw, th = size
    if w >= 4 * tw and h >= 4 * th:
        if sample:
            return cv2.resize(plane, size, interpolation=cv2.INTER_NEAREST)
        k = (w // tw).bit_length() - 1  # 2 or more
        step = max(1, round(h / (th << k)))
        plane = plane[::step]
        for _ in range(k):
            ph, pw = plane.shape[0] // 2, plane.shape[1] // 2
            plane = cv2.resize(plane[: 2 * ph, : 2 * pw], (pw, ph), interpolation=cv2.INTER_AREA)
        return cv2.resize(plane, size, interpolation=cv2.INTER_LINEAR)
    if not sample and 2 * w >= 3 * tw and 2 * h >= 3 * th:
        hw, hh = w // 2, h // 2
        plane = cv2.resize(plane[: 2 * hh, : 2 * hw], (hw, hh), interpolation=cv2.INTER_AREA)
        if (hw, hh) == size:
            return plane
    return cv2.resize(plane, size, interpolation=cv2.INTER_LINEAR)


class SignalComputer:
    """Turns planes of consecutive displayed frames into :class:`Signals`; memory is fixed."""

    def __init__(
        self,
        frames: int,
        width: int,
        height: int,
        durations: np.ndarray,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        self.n = frames
        # The frames this computer is fed (a part of the source when parts run side by side).
        self.start, self.stop = start, frames if stop is None else stop
        self.width, self.height = width, height  # displayed size
        self.size = work_size(width, height)
        w, h = self.size
        self.small = (w // 2, h // 2)
        self.tiny = (w // 8, h // 8)
        self.values = np.full((len(SIGNAL_NAMES), frames), np.nan, np.float32)
        self.values[S["duration"]] = durations[:frames]
        self.hashes = np.zeros(frames, np.uint64)
        self._dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        sw, sh = self.small
        gx, gy = np.meshgrid(np.arange(sw, dtype=np.float32), np.arange(sh, dtype=np.float32))
        self._grid = np.dstack((gx, gy))
        self._neutral = np.full((sh, sw), 128, np.uint8)  # the chroma of a grey source
        self._prev: Reduced | None = None
        self._tiny: deque[np.ndarray] = deque(maxlen=2 * max(SPANS) + 1)
        self._i = start
        self._detail_due: int | None = None  # a detail measure waits from this frame on
        # A later part cannot know whether the part before it left a measure waiting: it takes
        # the last one due before its start as waiting, and stitch drops it if it was not.
        self._inherited: int | None = None
        self.inherited_detail: int | None = None  # the frame that measure landed on
        due = (start - 1) // DETAIL_EVERY * DETAIL_EVERY
        if start > 0 and due + DETAIL_EVERY - 1 >= start:
            self._detail_due = self._inherited = due
        # What a part's first frames leave for the part before it to join up (see stitch).
        self.head_prev: Reduced | None = None
        self.head_tiny: list[np.ndarray] = []

    def feed(
        self,
        y: np.ndarray,
        u: np.ndarray | None,
        v: np.ndarray | None,
        rotation: int,
        *,
        exact: bool = True,
    ) -> None:
        """The next displayed frame's planes (stored orientation; ``rotation`` turns them).

        Blur and noise wait for an ``exact`` frame (one decoded with its deblocking): they are
        about fine detail, which a skipped deblocking filter adds blocks to.
        """
        i = self._i
        if i >= self.stop:
            return
        self._i += 1
        code = _ROTATE.get(rotation % 360)
        stored = self.size if code is None or rotation % 180 == 0 else self.size[::-1]
        luma = _shrink(y, stored)
        if code is not None:
            luma = cv2.rotate(luma, code)
        small = cv2.resize(luma, self.small, interpolation=cv2.INTER_AREA)
        tiny = cv2.resize(small, self.tiny, interpolation=cv2.INTER_AREA).astype(np.float32)
        if u is not None and v is not None:
            sstored = self.small if code is None or rotation % 180 == 0 else self.small[::-1]
            cu = _shrink(u, sstored, sample=True)
            cv = _shrink(v, sstored, sample=True)
            if code is not None:
                cu, cv = cv2.rotate(cu, code), cv2.rotate(cv, code)
            yuv = cv2.merge((small, cu, cv))
            bgr = cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)
        else:
            yuv = cv2.merge((small, self._neutral, self._neutral))
            bgr = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
        vals = self.values
        mean, std = cv2.meanStdDev(luma)
        vals[S["luma"], i] = mean[0, 0]
        vals[S["contrast"], i] = std[0, 0]
        self.hashes[i] = _phash(small)
        self._pair(i, (luma, small, hsv, yuv))
        self._prev = (luma, small, hsv, yuv)
        if i - self.start < 2 * max(SPANS):
            if i == self.start:
                self.head_prev = self._prev
            self.head_tiny.append(tiny)
        self._tiny_signals(i, tiny)
        if i % DETAIL_EVERY == 0:
            self._detail_due = i
        due = self._detail_due
        if (due is not None and (exact or i - due >= DETAIL_EVERY - 1)) or i == self.n - 1:
            self._detail(i, y)
            if due is not None and due == self._inherited:
                self.inherited_detail = i
            self._detail_due = None

    def _pair(self, i: int, cur: Reduced) -> None:
        """Signals of frame ``i`` (see :data:`Reduced`) against the frame before."""
        luma, small, hsv, yuv = cur
        vals = self.values
        prev = self._prev
        diff = None if prev is None else cv2.absdiff(luma, prev[0])
        mad = 0.0 if diff is None else cv2.mean(diff)[0]
        if prev is None or diff is None or (mad == 0.0 and not np.any(cv2.absdiff(hsv, prev[2]))):
            # The first frame, or one identical to the one before (a held drawing): no flow.
            for name in ("mad", "block_max", "block_frac", "content", "motion", "residual",
                         "block_median"):  # fmt: skip
                vals[S[name], i] = 0.0
            return
        _, psmall, phsv, pyuv = prev
        vals[S["mad"], i] = mad
        blocks = cv2.resize(diff, (luma.shape[1] // 8, luma.shape[0] // 8),
                            interpolation=cv2.INTER_AREA)  # fmt: skip
        top = cv2.minMaxLoc(blocks)[1]
        vals[S["block_max"], i] = top
        changed = blocks > BLOCK_LO
        frac = float(np.count_nonzero(changed)) / blocks.size
        vals[S["block_frac"], i] = frac
        local = top >= LOCAL_BLOCK_MAX and mad < LOCAL_SPREAD * top and frac <= LOCAL_BLOCK_FRAC
        faint = top <= HELD_HI and frac <= HELD_FRAC and mad >= FAINT_MAD
        vals[S["block_median"], i] = (
            _block_median(small, psmall, blocks.shape[::-1]) if local or faint else np.nan
        )  # set either way: a part's first frame is joined to the part before (see stitch)
        colours = cv2.absdiff(hsv, phsv)
        hd = cv2.mean(colours)
        vals[S["content"], i] = (hd[0] + hd[1] + hd[2]) / 3.0
        if 0.0 < frac <= SWEEP_MAX_FRAC:
            self._edges(i, changed, colours)
        if frac == 0.0:
            # No block changed by more than mpdecimate's "lo": a held drawing that the encoder
            # re-coded. Nothing moved; what differs is coding noise, which flow cannot explain.
            vals[S["motion"], i] = 0.0
            vals[S["residual"], i] = mad
            return
        # Flow from this frame to the one before: warping that one by it predicts this one.
        flow = self._dis.calc(small, psmall, _NO_MAT)
        mag = cv2.magnitude(flow[..., 0], flow[..., 1])
        vals[S["motion"], i] = 100.0 * cv2.mean(mag)[0] / small.shape[1]
        warped = cv2.remap(
            psmall, self._grid + flow, _NO_MAT, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        residual = cv2.mean(cv2.absdiff(warped, small))[0]
        vals[S["residual"], i] = residual
        if frac < CANDIDATE_BLOCK_FRAC or residual < CANDIDATE_RESIDUAL * MIN_DIM:
            return  # no cut candidate, however dim the frames
        dim = float(dimness(vals[S["contrast"], i], vals[S["contrast"], i - 1]))
        if residual >= CANDIDATE_RESIDUAL * dim:
            vals[S["still"], i] = _still_share(prev[0], diff, dim)
            rows, cols = _inside_bars(prev[0], luma)
            vals[S["alike"], i] = _correlation(prev[0][rows, cols], luma[rows, cols])
            rows, cols = _inside_bars(psmall, small)
            kept, exact = _kept_shares(pyuv[rows, cols], yuv[rows, cols], dim)
            vals[S["kept"], i], vals[S["exact"], i] = kept, exact

    def _edges(self, i: int, changed: np.ndarray, colours: np.ndarray) -> None:
        """Where a straight edge crosses frame ``i`` (see SWEEP_FULL): ``changed`` are its
        luma's changed blocks, ``colours`` its HSV change; two shots' colours may differ where
        their luma does not, so each block centre's colour counts too (flat colours: a sample
        tells)."""
        rows, cols = changed.shape
        hues = cv2.resize(colours, (cols, rows), interpolation=cv2.INTER_NEAREST)
        lines = (changed | (cv2.cvtColor(hues, cv2.COLOR_RGB2GRAY) > SWEEP_COLOUR)).view(np.uint8)
        across = cv2.reduce(lines, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
        down = cv2.reduce(lines, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
        self.values[S["edge_x"], i] = _full_lines(across.ravel(), rows)
        self.values[S["edge_y"], i] = _full_lines(down.ravel(), cols)

    def stitch(self, after: SignalComputer) -> None:
        """Take over the signals of ``after``, the part that starts where this one stops, and
        compute what neither part could alone: frame ``stop`` against the frame before, and the
        lags and blends whose frames lie on both sides. The result is the one-part result."""
        k = self.stop
        self.values[:, k:] = after.values[:, k:]
        self.hashes[k:] = after.hashes[k:]
        if after.inherited_detail is not None and self._detail_due is None:
            self.values[[S["blur"], S["noise"]], after.inherited_detail] = np.nan
        if after.head_prev is None:
            return
        self._pair(k, after.head_prev)
        for offset, tiny in enumerate(after.head_tiny):  # the ring goes on across the join
            self._tiny_signals(k + offset, tiny)

    def _tiny_signals(self, i: int, tiny: np.ndarray) -> None:
        ring = self._tiny
        ring.append(tiny)
        vals = self.values
        m = len(ring)
        for k in LAGS:
            if m > k:
                vals[S[f"lag{k}"], i] = cv2.mean(cv2.absdiff(tiny, ring[m - 1 - k]))[0]
        for k in SPANS:
            if m > 2 * k:
                centre, before = ring[m - 1 - k], ring[m - 1 - 2 * k]
                vals[S[f"span{k}"], i - k] = cv2.mean(cv2.absdiff(before, tiny))[0]
                blend = cv2.addWeighted(before, 0.5, tiny, 0.5, 0.0)
                vals[S[f"mid{k}"], i - k] = cv2.mean(cv2.absdiff(centre, blend))[0]

    def _detail(self, i: int, y: np.ndarray) -> None:
        """Blur and noise at a 360-line scale (both are the same for a rotated frame)."""
        h, w = y.shape[:2]
        scale = DETAIL_LINES / max(1, min(w, h))
        size = (max(8, round(w * scale)), max(8, round(h * scale)))
        k = min(w, h) // DETAIL_LINES
        if k % 2 and k > 1 and w == k * size[0] and h == k * size[1]:
            # An odd whole ratio (1080p: 3): OpenCV's area resize has no fast path for it, a
            # k x k box filter sampled at the boxes' centres gives the same pixels for a third.
            boxes = cv2.boxFilter(y, -1, (k, k), borderType=cv2.BORDER_REPLICATE)
            detail = boxes[k // 2 :: k, k // 2 :: k]
        else:
            method = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
            detail = cv2.resize(y, size, interpolation=method)
        lap = cv2.Laplacian(detail, cv2.CV_16S)  # exact for an integer kernel, half the bytes
        _, std = cv2.meanStdDev(lap)
        self.values[S["blur"], i] = float(std[0, 0]) ** 2
        self.values[S["noise"], i] = _noise_sigma(detail)

    def finish(self) -> Signals:
        """The signals; frames that never arrived (the file ended early) repeat the last one."""
        return Signals(self.values, self.hashes)


def dimness(contrast: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Per frame, the share of a full picture's contrast that it and the frame before reach at
    most (1 from FULL_CONTRAST up, never below MIN_DIM; 1 where unknown): every difference of a
    night scene is as much smaller, so thresholds on differences shrink with it."""
    spread = np.maximum(contrast, before)
    dim = np.clip(spread / FULL_CONTRAST, MIN_DIM, 1.0)
    return np.asarray(np.where(np.isfinite(spread), dim, 1.0))


def _still_share(prev: np.ndarray, diff: np.ndarray, dim: float = 1.0) -> float:
    """The share of ``prev``'s textured grid cells whose mean absolute change (``diff``) stays
    below STILL_DIFF: background left in place (see STILL_GRID); both limits scaled by ``dim``
    (see :func:`dimness`)."""
    grid = (STILL_GRID, STILL_GRID)
    change = cv2.resize(diff, grid, interpolation=cv2.INTER_AREA)
    f = prev.astype(np.float32)
    mean = cv2.resize(f, grid, interpolation=cv2.INTER_AREA)
    square = cv2.resize(f * f, grid, interpolation=cv2.INTER_AREA)
    textured = _textured(square - mean * mean, dim)
    if textured is None:
        return 0.0
    return _share(textured, change < STILL_DIFF * dim)


def _kept_shares(prev: np.ndarray, cur: np.ndarray, dim: float = 1.0) -> tuple[float, float]:
    """The shares of ``prev``'s textured grid cells (see STILL_GRID) whose pattern and colour
    ``cur`` keeps in place, of two small YUV frames: roughly (see KEPT_CORRELATION) and
    exactly (EXACT_CORRELATION); the limits on texture and colour scaled by ``dim`` (see
    :func:`dimness`)."""
    grid = (STILL_GRID, STILL_GRID)
    pa, pb = prev.astype(np.float32), cur.astype(np.float32)
    before = cv2.resize(pa, grid, interpolation=cv2.INTER_AREA)
    after = cv2.resize(pb, grid, interpolation=cv2.INTER_AREA)
    a, b = pa[..., 0], pb[..., 0]
    squares = cv2.resize(cv2.merge((a * a, b * b, a * b)), grid, interpolation=cv2.INTER_AREA)
    ma, mb = before[..., 0], after[..., 0]
    va = squares[..., 0] - ma * ma
    vb = squares[..., 1] - mb * mb
    textured = _textured(va, dim)
    if textured is None:
        return 0.0, 0.0
    correlation = (squares[..., 2] - ma * mb) / np.sqrt(np.maximum(va * vb, 1e-6))
    moved = np.abs(before - after)
    limits = np.array([KEPT_LUMA, KEPT_CHROMA, KEPT_CHROMA], np.float32) * dim
    kept = (correlation >= KEPT_CORRELATION) & (moved < limits).all(axis=2)
    exact = (correlation >= EXACT_CORRELATION) & (moved < EXACT_DIFF * dim).all(axis=2)
    return _share(textured, kept), _share(textured, exact)


def _textured(variance: np.ndarray, dim: float) -> np.ndarray | None:
    """The grid cells whose luma variance marks them textured (STILL_TEXTURE, scaled by
    ``dim``), or None when too few are to tell anything (STILL_MIN_CELLS: a card, a flat frame)."""
    textured = variance > (STILL_TEXTURE * dim) ** 2
    return textured if np.count_nonzero(textured) >= STILL_MIN_CELLS else None


def _share(textured: np.ndarray, kept: np.ndarray) -> float:
    """The share of the textured cells that are also ``kept``."""
    return float(np.count_nonzero(textured & kept)) / int(np.count_nonzero(textured))


def _full_lines(counts: np.ndarray, length: int) -> float:
    """The mean place (a share of their number) of the lines of blocks of which at least
    SWEEP_FULL of the ``length`` changed (``counts``) when they lie side by side (one edge's
    strip; a figure that moves changes lines at its front and at its back), else NaN."""
    least = SWEEP_FULL * length
    values = counts.tolist()  # a few dozen lines: Python's own loop costs less than numpy's calls
    full = [k for k, count in enumerate(values) if count >= least]
    if not full or full[-1] - full[0] + 1 != len(full):
        return math.nan
    return (full[0] + full[-1] + 1) / 2 / len(values)


def _inside_bars(a: np.ndarray, b: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns of two equal-size lumas inside the black bars they share
    (letterbox, pillarbox): edge rows and columns dark in both. Bars are a constant picture of
    their own, which makes any two pictures correlate (0.78 for unrelated ones in a 2.39:1
    letterbox)."""
    dark = cv2.max(a, b) <= BAR_LUMA
    h, w = dark.shape
    rows, cols = np.asarray(dark.all(axis=1)), np.asarray(dark.all(axis=0))
    top, bottom = _run_length(rows), _run_length(rows[::-1])
    left, right = _run_length(cols), _run_length(cols[::-1])
    if h - top - bottom < h // 4 or w - left - right < w // 4:
        return slice(None), slice(None)  # a dark frame, not a picture between bars
    return slice(top, h - bottom), slice(left, w - right)


def _run_length(flags: np.ndarray) -> int:
    """How many of ``flags`` are True from the first on."""
    off = np.flatnonzero(~flags)
    return int(off[0]) if len(off) else len(flags)


def _block_median(cur: np.ndarray, prev: np.ndarray, size: tuple[int, int]) -> float:
    """The median over blocks (8x8 of the working luma, of ``size`` in all) of the absolute
    mean signed change between two lumas: what changes besides an overlay (a dissolve moves most
    blocks; grain and coding noise cancel within a block, text changes few)."""
    signed = cv2.subtract(cur, prev, dtype=cv2.CV_32F)
    means = np.abs(cv2.resize(signed, size, interpolation=cv2.INTER_AREA)).ravel()
    return float(np.partition(means, means.size // 2)[means.size // 2])


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's correlation of two equal-size lumas: 1 for the same picture exposed or graded
    otherwise (brightness and contrast change it not at all), ~0 for unrelated ones."""
    ma, sa = cv2.meanStdDev(a)
    mb, sb = cv2.meanStdDev(b)
    spread = float(sa[0, 0]) * float(sb[0, 0])
    if spread < 1e-6:
        return 0.0  # a flat frame correlates with nothing
    both = cv2.mean(cv2.multiply(a, b, dtype=cv2.CV_32F))[0]
    return (both - float(ma[0, 0]) * float(mb[0, 0])) / spread


def _phash(gray: np.ndarray) -> int:
    """DCT perceptual hash: the 8x8 lowest frequencies of a 32x32 image against their median."""
    h, w = gray.shape
    kx, ky = max(1, w // 32), max(1, h // 32)
    if kx * ky > 1:  # an exact box first: an area resize by a fractional ratio costs ~3x more
        box = gray[: h - h % ky, : w - w % kx]
        gray = cv2.resize(box, (w // kx, h // ky), interpolation=cv2.INTER_AREA)
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].ravel()
    bits = low > np.sort(low[1:])[31]  # the median of 63 values, without np.median's overhead
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _noise_sigma(gray: np.ndarray) -> float:
    """Immerkær's noise estimate made robust to edges: the median |Laplacian-of-Laplacian|.

    For Gaussian noise sigma the 3x3 kernel's response has std 6 sigma, whose |median| is 0.6745
    of that; flat-coloured art is mostly flat, so the median ignores the outlines.
    """
    response = cv2.sepFilter2D(gray, cv2.CV_16S, _NOISE_TAPS, _NOISE_TAPS)  # |.| <= 16 * 255
    mag = cv2.convertScaleAbs(response, alpha=4.0)  # quarter-level resolution up to 63.75
    hist = cv2.calcHist([mag], [0], None, [256], [0, 256]).ravel()
    median = int(np.searchsorted(np.cumsum(hist), hist.sum() / 2))
    return median / 4.0 / (6 * 0.6745)


# -- decoding -------------------------------------------------------------------------------------


Planes = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]
#: A displayed frame's index, its planes, and whether it is decoded exactly (see ``AvCursor``).
Decoded = tuple[int, Planes, bool]


def _planes_of(frame: VideoFrame, limit: tuple[int, int]) -> Planes:
    """Y, U, V of a decoded frame: its own planes for 8-bit YUV (NV12's interleaved chroma split,
    as hardware decoders hand it out; P010's top 8 bits), 4:2:0 ones of packed RGB of an even
    size, else a small conversion."""
    name = frame.format.name
    if name in _SEMI_PLANAR:
        return _semi_planar(frame)
    if name in _YUV_FORMATS:
        return _plane(frame, 0), _plane(frame, 1), _plane(frame, 2)
    if name in ("gray", "gray8"):
        return _plane(frame, 0), None, None
    w, h = frame.width, frame.height
    if name in _PACKED_RGB and w % 2 == 0 and h % 2 == 0:
        i420 = cv2.cvtColor(frame.to_ndarray(), _PACKED_RGB[name])
        u, v = i420[h:].reshape(2, h // 2, w // 2)
        return i420[:h], u, v
    scale = min(1.0, max(limit[0] / w, limit[1] / h))
    yuv = frame.reformat(
        width=max(2, round(w * scale)), height=max(2, round(h * scale)), format="yuv444p"
    )
    return _plane(yuv, 0).copy(), _plane(yuv, 1).copy(), _plane(yuv, 2).copy()


def _semi_planar(frame: VideoFrame) -> Planes:
    """Y, U, V of an NV12 or P010 frame (chroma interleaved in one half-size plane)."""
    w, h = frame.width, frame.height
    cw, ch = (w + 1) // 2, (h + 1) // 2
    wide = frame.format.name != "nv12"  # P010: 16-bit samples, the value in the top 10 bits
    dtype, size = (np.dtype("<u2"), 2) if wide else (np.dtype(np.uint8), 1)
    rows: list[np.ndarray] = []
    for i, (pw, ph) in enumerate(((w, h), (2 * cw, ch))):
        p = frame.planes[i]
        arr: np.ndarray = np.frombuffer(cast(bytes, p), dtype).reshape(ph, p.line_size // size)
        arr = arr[:, :pw]
        rows.append(np.right_shift(arr, 8).astype(np.uint8) if wide else arr)
    u, v = cv2.split(np.ascontiguousarray(rows[1]).reshape(ch, cw, 2))
    return rows[0], u, v


def _rgb_planes(rgb: np.ndarray) -> Planes:
    yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV)
    return yuv[..., 0].copy(), yuv[..., 1].copy(), yuv[..., 2].copy()


#: A source is analysed in two parts side by side (two decoders keep two cores busier than one
#: frame-threaded decoder can) when it has at least this many frames and a keyframe in its
#: middle half to split at; the parts are joined to exactly the one-part result.
SPLIT_MIN_FRAMES = 240
#: Files from this size on have their parts' containers opened while probing (see _OpenAhead).
AHEAD_MIN_BYTES = 2 * 2**20


def compute_signals(
    path: str | Path,
    *,
    threads: int = 0,
    pipelined: bool | None = None,
    parts: int = 0,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    decoder: Decoder = "auto",
) -> tuple[MediaInfo, Signals]:
    """Decode ``path`` once and compute its per-frame signals (one entry per displayed frame).

    ``pipelined`` computes in a second thread while the decoder works (cv2 releases the GIL);
    None: unless ``threads`` is 1, a worker with a core of its own beside others, where the
    second thread only adds handoffs (5% of a 2-worker folder's CPU and wall time, measured).
    ``parts`` 2 analyses a long source in two halves at once, 1 in one pass, 0 chooses (two when
    the decoder may use every core, ``threads`` 0, and this machine has two or more).
    A frame that does not decode is stood in for by the one before it, as a player shows it.
    The decoder skips deblocking frames nothing references (no frame is shown from this pass).
    A frame of more than ``max_pixels`` pixels (None: no limit) is refused as TOO_LARGE.
    ``decoder``: "cpu", "cuda" (NVDEC) or "auto" (see core/media/hardware.py for when).
    """
    info, signals, _ = decode_signals(
        path, threads=threads, pipelined=pipelined, parts=parts, max_pixels=max_pixels,
        decoder=decoder,
    )  # fmt: skip
    return info, signals


def decode_signals(
    path: str | Path,
    *,
    threads: int = 0,
    pipelined: bool | None = None,
    parts: int = 0,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    decoder: Decoder = "auto",
) -> tuple[MediaInfo, Signals, Decoding]:
    """:func:`compute_signals`, and the decoder that really decoded (with why not the GPU)."""
    if parts == 0:
        parts = 2 if threads == 0 and (os.cpu_count() or 1) >= 2 else 1
    if pipelined is None:
        pipelined = threads != 1
    ahead = _OpenAhead.start(Path(path)) if parts >= 2 and pipelined else None
    try:
        inspected = inspect_source(
            path, threads=threads, keep_open=True, skip_nonref_deblock=True,
            max_pixels=max_pixels,
        )  # fmt: skip
        try:
            return _compute(inspected, threads, pipelined, parts, decoder, ahead)
        finally:
            if inspected.cursor is not None:
                inspected.cursor.close()
    finally:
        if ahead is not None:
            ahead.close()


class _OpenAhead:
    """The two parts' containers, opened in a thread while probing runs on another core.

    An open of a 1080p H.264 file costs ~32 ms (FFmpeg decodes a few frames to learn the
    stream) and probing ~90 ms; the parts' own opens came after it, on the critical path. Only
    files of AHEAD_MIN_BYTES or more: a small file opens in a millisecond or two, and is mostly
    too short to be split, which would make its opens wasted work.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._containers: list[av.container.InputContainer] = []
        self._thread = threading.Thread(target=self._open, name="analysis-open-ahead", daemon=True)

    @classmethod
    def start(cls, path: Path) -> _OpenAhead | None:
        try:
            if regular_stat(path).st_size < AHEAD_MIN_BYTES:
                return None
        except MediaError:
            return None  # probing says what is wrong with it
        ahead = cls(path)
        ahead._thread.start()
        return ahead

    def _open(self) -> None:
        for _ in range(2):
            try:
                self._containers.append(av.open(str(self._path), metadata_errors="replace"))
            except Exception:  # only a head start: probing and the parts open the file
                return  # themselves, and say what is wrong with it

    def take(self) -> av.container.InputContainer | None:
        """An opened container (its owner closes it), or None: open one yourself."""
        self._thread.join()
        return self._containers.pop() if self._containers else None

    def close(self) -> None:
        self._thread.join()
        while self._containers:
            self._containers.pop().close()


def _compute(
    inspected: Inspected,
    threads: int,
    pipelined: bool,
    parts: int,
    decoder: Decoder,
    ahead: _OpenAhead | None = None,
) -> tuple[MediaInfo, Signals, Decoding]:
    info = inspected.info
    with guarded(inspected.path), _cv2_threads(1):
        if inspected.backend == "pillow":
            stream = _pillow_planes(inspected.path, inspected.index, info.rotation)
            used = hardware.CPU
            if decoder == "cuda":
                used = Decoding("cpu", "Pillow decodes this file, not FFmpeg")
            return info, _one_pass(inspected, stream, 0, pipelined), used  # Pillow turns frames
        used = hardware.plan(decoder, info.width, info.height, len(inspected.index))
        if used.decoder == "cuda":
            device = _on_device(inspected, threads, pipelined)
            if not isinstance(device, str):
                return info, *device
            used = Decoding("cpu", device)  # and on, on the CPU, as if it had been the plan
        split = _split_frame(inspected.index) if parts >= 2 and pipelined else None
        if split is not None:
            try:
                return info, _two_parts(inspected, split, pipelined, ahead), used
            except MediaError:
                pass  # a part that decodes no frame of its own (a file damaged past the join):
                # in one pass, the frames before it stand in, as they always have
        stream = _av_planes(inspected, threads, own_cursor=split is not None)
        return info, _one_pass(inspected, stream, info.rotation, pipelined), used


def _on_device(
    inspected: Inspected, threads: int, pipelined: bool
) -> tuple[Signals, Decoding] | str:
    """One pass on a cursor of its own decoding on the CUDA device, or why the file does not
    open there (the device does not start, or has no decoder for the stream).

    One pass, not two parts: the device, not the CPU, is what decodes, and a second device
    context would cost its start again. A device open that decodes no frame at all goes once
    more on the CPU.
    """
    index, rotation = inspected.index, inspected.info.rotation
    cursor = AvCursor(
        inspected.path, inspected.stream_index, index, threads=threads,
        skip_nonref_deblock=True, hwaccel=hardware.accel("cuda"),
    )  # fmt: skip
    cursor.restart()  # opens on the device, or on the CPU where the device fails
    if cursor.decoder != "cuda":
        cursor.close()
        return cursor.fallback or "the CUDA device did not start"
    if inspected.cursor is not None:
        inspected.cursor.close()  # probing's decoder is not needed any more
    try:
        stream = _av_planes(inspected, threads, opened=cursor)
        return _one_pass(inspected, stream, rotation, pipelined), Decoding("cuda")
    except MediaError:
        return _cpu_pass(inspected, threads, pipelined, "the CUDA decoder gave no frame")


def _cpu_pass(
    inspected: Inspected, threads: int, pipelined: bool, reason: str
) -> tuple[Signals, Decoding]:
    stream = _av_planes(inspected, threads, own_cursor=True)
    signals = _one_pass(inspected, stream, inspected.info.rotation, pipelined)
    return signals, Decoding("cpu", reason)


def _computer(inspected: Inspected, start: int = 0, stop: int | None = None) -> SignalComputer:
    info, index = inspected.info, inspected.index
    return SignalComputer(
        len(index), info.width, info.height, index.durations, start=start, stop=stop
    )


def _one_pass(
    inspected: Inspected, stream: Iterator[Decoded], rotation: int, pipelined: bool
) -> Signals:
    whole = _computer(inspected)
    _run_part(inspected, whole, stream, rotation, pipelined)
    return whole.finish()


def _two_parts(
    inspected: Inspected, split: int, pipelined: bool, ahead: _OpenAhead | None = None
) -> Signals:
    """Frames [0, split) here and [split, n) in a second thread at once, then stitched; each
    part's decoder on a container ``ahead`` opened, where it did."""
    n, rotation = len(inspected.index), inspected.info.rotation
    first, second = _computer(inspected, 0, split), _computer(inspected, split)
    # A plain decoder for the shorter part and two frame threads for the longer, which runs
    # alone once the other is done: two parts with three frame threads each reached 0.87 of
    # decode-only, one thread each 0.87-0.90, one and two 0.90. So the first part, too,
    # opens a decoder of its own, and probing's (threaded, idle from here on) is let go.
    threads_first, threads_second = (2, 1) if split > n - split else (1, 2)
    if inspected.cursor is not None:
        inspected.cursor.close()
    cancel = threading.Event()
    failure: list[BaseException] = []

    def opened(start: int) -> AvCursor | None:
        container = ahead.take() if ahead is not None else None
        if container is None:
            return None
        cursor = AvCursor(
            inspected.path, inspected.stream_index, inspected.index,
            threads=threads_second if start else threads_first, container=container,
            skip_nonref_deblock=True,
        )  # fmt: skip
        cursor.seek(start)
        return cursor

    def run_second() -> None:
        try:
            stream = _av_planes(inspected, threads_second, start=split, opened=opened(split))
            _run_part(inspected, second, stream, rotation, pipelined, cancel)
        except BaseException as exc:  # raised in the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=run_second, name="analysis-second-part", daemon=True)
    worker.start()
    try:
        stream = _av_planes(inspected, threads_first, own_cursor=True, opened=opened(0))
        _run_part(inspected, first, stream, rotation, pipelined)
    except BaseException:
        cancel.set()
        raise
    finally:
        worker.join()
    if failure:
        raise failure[0]
    first.stitch(second)
    return first.finish()


def _split_frame(index: FrameIndex) -> int | None:
    """The keyframe nearest the middle of a long enough source, if one lies in its middle half."""
    n = len(index)
    if n < SPLIT_MIN_FRAMES or index.from_decode:
        return None
    keys = [int(k) for k in index.keyframes if n // 4 <= k <= 3 * n // 4]
    return min(keys, key=lambda k: abs(k - n // 2)) if keys else None


def _run_part(
    inspected: Inspected,
    computer: SignalComputer,
    stream: Iterator[Decoded],
    rotation: int,
    pipelined: bool,
    cancel: threading.Event | None = None,
) -> None:
    """Feed ``computer`` its frames [start, stop) from ``stream``; missing frames repeat the one
    before (the first decoded one for missing frames at the start)."""
    feed = _pipelined(stream) if pipelined else stream
    last: Planes | None = None
    want, stop = computer.start, computer.stop
    try:
        for i, planes, exact in feed:
            if cancel is not None and cancel.is_set():
                return
            if i < want:
                continue
            if i >= stop:
                break
            while want < i:  # frames that did not decode show the one before
                if last is None:
                    last = planes
                computer.feed(*last, rotation)
                want += 1
            computer.feed(*planes, rotation, exact=exact)
            want += 1
            last = planes
    finally:
        feed.close()  # type: ignore[attr-defined]
    if last is None:
        raise MediaError(inspected.path, MediaErrorKind.CORRUPT, "no frame decodes")
    while want < stop:
        computer.feed(*last, rotation)
        want += 1


def _av_planes(
    inspected: Inspected,
    threads: int,
    *,
    start: int = 0,
    own_cursor: bool = False,
    opened: AvCursor | None = None,
) -> Iterator[Decoded]:
    """Decoded planes from keyframe ``start``: from frame 0 with the decoder probing left open
    (unless ``own_cursor``), else with a cursor of its own decoding with ``threads``, or with
    ``opened``, which the caller opened and put at ``start`` already (the hardware decoder's,
    or a part's on a container opened ahead)."""
    kept = inspected.cursor
    reuse = isinstance(kept, AvCursor) and start == 0 and not own_cursor and opened is None
    cursor = kept if reuse else opened
    fresh = opened is not None  # opened at the start already: a second open, a second device
    if cursor is None:  # else go on with the decoder probing opened: no second open
        cursor = AvCursor(
            inspected.path, inspected.stream_index, inspected.index, threads=threads,
            skip_nonref_deblock=True,
        )  # fmt: skip
    w, h = work_size(inspected.info.width, inspected.info.height)
    limit = (4 * w, 4 * h)
    try:
        first = inspected.first if cursor is kept else None
        if first is not None and first.video is not None:
            yield 0, _planes_of(first.video, limit), first.exact  # probing decoded it already
        elif fresh:
            pass
        elif cursor is kept or start > 0:
            cursor.seek(start)
        else:
            cursor.restart()
        while (frame := cursor.next()) is not None:
            assert frame.video is not None  # an AvCursor's frames carry PyAV's
            yield frame.index, _planes_of(frame.video, limit), frame.exact
    finally:
        cursor.close()


def _pillow_planes(path: Path, index: FrameIndex, rotation: int) -> Iterator[Decoded]:
    cursor = PillowCursor(path, index, rotation=rotation)
    try:
        cursor.restart()
        while (frame := cursor.next()) is not None:
            yield frame.index, _rgb_planes(frame.rgb()), True
    finally:
        cursor.close()


@contextmanager
def _cv2_threads(count: int) -> Iterator[None]:
    """OpenCV's own worker threads only fight the frame-threaded decoder for cores (and for the
    memory bus) here: run its calls in the calling thread for the pass, then restore."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


_END = object()


def _pipelined(source: Iterator[Decoded], depth: int = 8) -> Iterator[Decoded]:
    """Run ``source`` (decoding) in a thread so the consumer's work overlaps with it.

    At most ``depth`` decoded frames wait. Frames go one way and free slots the other through
    two SimpleQueues, whose C-level locks cost less per frame than ``queue.Queue``'s (measured).
    """
    frames: queue.SimpleQueue[object] = queue.SimpleQueue()
    slots: queue.SimpleQueue[None] = queue.SimpleQueue()
    for _ in range(depth):
        slots.put(None)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                slots.get()
                if stop.is_set():
                    break
                frames.put(item)
            frames.put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            frames.put(exc)
        finally:
            source.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=produce, name="analysis-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = frames.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            slots.put(None)
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        slots.put(None)  # wakes the producer if it waits for a slot; it stops at the check
        thread.join()


__all__ = ["SIGNAL_NAMES", "SignalComputer", "Signals", "compute_signals", "work_size"]
_ = av.video.stream  # imported for the cursor's types
