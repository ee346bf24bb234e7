"""Events from per-frame signals: hard cuts, gradual transitions, flashes and held frames.

Everything here reads :class:`Signals` only, so a better detector, a trim or a split never needs
the source decoded again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from anicurate.core.analysis.signals import (
    CANDIDATE_BLOCK_FRAC,
    CANDIDATE_RESIDUAL,
    HELD_FRAC,
    HELD_HI,
    LAGS,
    LOCAL_BLOCK_FRAC,
    LOCAL_BLOCK_MAX,
    LOCAL_SPREAD,
    SPANS,
    Signals,
    dimness,
)

# Hard cuts: a cut changes most of the frame in a way flow cannot explain, far more than the
# changes around it (AdaptiveDetector's idea, on the motion-compensated residual).
CUT_MIN_BLOCK_FRAC = CANDIDATE_BLOCK_FRAC
CUT_MIN_RESIDUAL = 7.0
# Between two framings of one scene optical flow finds false matches and explains part of the
# change: when the mean luma change is this large, a lower residual suffices.
CUT_LARGE_MAD = 10.0
CUT_MIN_RESIDUAL_LARGE = CANDIDATE_RESIDUAL  # signals measure `still` from here on
CUT_MIN_CONTENT = 6.0
CUT_RATIO = 2.5
CUT_WINDOW = 6
#: A frame whose colour change (ContentDetector's) is this large and this many times that of the
#: drawings around it is a cut even when optical flow explains much of its luma change (two
#: shots of one layout in other colours, where flow finds false matches).
CUT_COLOUR_MIN = 25.0
CUT_COLOUR_RATIO = 3.5
CUT_GOES_ON = 3.0  # the next frame keeps a cut's change at this share (and the one after
# at a CUT_RATIO-th): the change goes on, it is no cut
#: A change whose colour change is this many times that of the frame before and of the two
#: after, to a picture that correlates with the one before at most CUT_NEW_PICTURE, is a cut
#: although the flow residual around it keeps up (action shots on ones: speed lines, camera
#: shake). A wing or a lunge sweeping across the shot changes the colours as much frame after
#: frame (at most 1.8x on the real footage); montage cuts between such shots stand out 2.4-10x.
CUT_COLOUR_ALONE = 2.8
CUT_NEW_PICTURE = 0.7
#: A change between two held frames to a picture that correlates with the one before less
#: than STILL_SHOT_ALIKE, keeping less than STILL_SHOT_KEPT of its background, is a cut (of a
#: montage of still shots, whose cuts reach 0.52 between framings of one layout) whatever the
#: changes around it; a fast drawing on threes keeps its picture more (0.65) and some of its
#: background (0.14).
STILL_SHOT_ALIKE = 0.58
STILL_SHOT_KEPT = 0.05
CUT_OWN_SHOT_S = 1.5 / 24  # a frame shown this long between two changes is a shot of its own
CUT_FLOOR = 1.5  # residual of the neighbourhood below this counts as this (held or still shots)
#: A candidate that leaves at least this share of the frame before's textured cells unchanged
#: keeps its background in place: a key-pose jump (a new drawing of the figure in a held shot),
#: no cut. On the generated sets cuts leave at most 0.16 (a cut to another framing of the same
#: scene moves the background), pose jumps over a still background at least 0.31.
CUT_MAX_STILL = 0.23
#: The same for a background kept in place through flicker, gate weave, grain and coding
#: noise (the signals' ``kept``, which asks less of each cell than ``still``, so more of
#: them): a vulture taking off over held rocks and sky on the real footage keeps 0.59; of
#: 1,048 true cuts (real footage, generated, hard, action and night/letterbox sets) none keeps
#: more than 0.31 (two framings of one layout in one palette, its hills periodic).
CUT_MAX_KEPT = 0.45
#: The same for a background kept exactly (the signals' ``exact``: a digital hold), which
#: a figure redrawn big in a new place may leave to a third of the textured cells (0.23 on
#: the hard set's close-ups). Of 2,154 true cuts none keeps more than 0.11 so.
CUT_MAX_EXACT = 0.2
#: A candidate whose luma correlates this well with the frame before's is the same picture
#: exposed or graded otherwise (a print's colour fringe, a DVD keyframe's quality pump, a
#: splice's flicker): no cut. On the real footage those reach 0.94-0.96; cuts at most 0.86
#: (two framings of one layout in other colours), the generated sets' too.
CUT_MAX_ALIKE = 0.9

# Flashes: at most this many frames that differ in brightness and return to the shot before.
FLASH_MAX = max(LAGS) - 1
FLASH_MIN_LUMA = 25.0
FLASH_RETURN = 0.3  # the frame after the flash differs from the one before by at most this share
#: A flash of 2-3 frames washes the picture out (its contrast at most this share of the shot's:
#: a white or black frame, a bright tint) or keeps it (luma correlation at least
#: FLASH_SAME_PICTURE either way: brightened, or inverted as an impact frame). Frames of another
#: picture between two frames alike are a shot of their own (a 3-frame insert in a montage);
#: one frame of it stays a flash, as flashes of light with a shape of their own are common.
FLASH_WASH = 0.5
FLASH_SAME_PICTURE = 0.7

# Fades: a near-flat card (black, white or any flat colour) reached gradually.
FLAT_CONTRAST = 6.0
FADE_STEP = 0.01
FADE_STEP_ABS = 0.3

# Dissolves: frames that are the average of the frames k before and k after.
BLEND_MIN_SPAN = 8.0
BLEND_MAX_MID = 0.22
#: Flow explains a pan, not a blend: inside a dissolve it leaves most of every frame's change
#: (the lower quartile of the share is >= 0.91 on the first set; 0.72 under an old print's gate
#: weave and in HD frames, which flow matches better). A slow grainy pan, which at the tiny scale
#: looks like a linear blend too, leaves ~0.5 on each frame with no other motion; a montage's
#: three-frame fragment in HEVC reaches 0.65-0.7.
BLEND_MIN_RESIDUAL_SHARE = 0.7
BLEND_MIN_FRAMES = 3
#: A frame repeats the one before (inside a blend) when it is held and its mean change is below
#: this: a slow dissolve moves every pixel a little, which mpdecimate's block test calls held.
BLEND_STILL_MAD = 1.0

# Wipes: the next shot slides in behind a straight edge that crosses the frame.
#: At least this many frames carry the edge (the signals' ``edge_x`` or ``edge_y``), moving
#: one way by at most WIPE_MAX_STEP of the frame a frame and by WIPE_MIN_TRAVEL in all; held
#: frames between them (a wipe on twos) carry it on, and so may a few others (WIPE_GAP). The
#: picture changes across them as a cut's does (see BLEND_MIN_SPAN): an edge that crosses and
#: leaves the picture as it was is a figure passing by.
WIPE_MIN_FRAMES = 5
WIPE_MAX_STEP = 0.35
WIPE_MIN_TRAVEL = 0.5
#: Frames in which the edge is not seen (a figure of the new shot moves on the same frame,
#: changing whole columns of its own) may part two that carry it, up to this many.
WIPE_GAP = 2

#: A frame's typical 8x8 block (``block_median``) stays put when it moves by at most this: text
#: alone leaves it at 0, grain and coding noise cancel in a block; a dissolve moves it by 1-4,
#: even under crawling credits or where each of its steps is too faint for mpdecimate.
BLOCK_QUIET = 0.5
#: A run of text-like blends is a dissolve under the text (credits crawling over it) when it
#: lasts this long and its typical block moves meanwhile; shorter runs are exposure flicker and
#: DVD quality pumps under a moving figure.
BLEND_UNDER_TEXT_FRAMES = 6
#: Credits crawling over a shot on twos to fours change the frames between its drawings a
#: little, text-like: runs of up to this many such frames between two changes of the whole
#: picture repeat a drawing, and set no level for the drawings' changes (as held frames do not).
OVERLAY_CADENCE = 3


@dataclass(frozen=True, slots=True)
class Events:
    """What happens in a source: cut frames (first frame of each new shot), transitions as
    inclusive [start, end] frame intervals, flashes (first frame of each), text overlays that
    move or appear (inclusive intervals: never transitions) and held frames."""

    cuts: list[int]
    transitions: list[tuple[int, int]]
    flashes: list[tuple[int, int]]  # inclusive intervals of flash frames
    held: np.ndarray = field(repr=False)  # bool per frame: same drawing as the frame before
    overlays: list[tuple[int, int]] = field(default_factory=list)

    @property
    def flash_starts(self) -> list[int]:
        return [a for a, _ in self.flashes]

    def to_json(self) -> dict[str, object]:
        return {
            "cuts": self.cuts,
            "transitions": [list(t) for t in self.transitions],
            "flashes": [list(f) for f in self.flashes],
            "overlays": [list(o) for o in self.overlays],
        }


def held_frames(sig: Signals) -> np.ndarray:
    """Frames showing the same drawing as the frame before (never frame 0)."""
    held = (sig["block_max"] <= HELD_HI) & (sig["block_frac"] <= HELD_FRAC)
    if len(held):
        held[0] = False
    return np.asarray(held, dtype=bool)


def detect(sig: Signals, cut_min_content: float = CUT_MIN_CONTENT) -> Events:
    """Cuts, gradual transitions, flashes and held frames of a whole source.

    ``cut_min_content`` is the colour change a frame needs to be a cut: the user's cut
    threshold (the timeline's draggable line on the difference curve).
    """
    n = sig.frames
    held = held_frames(sig)
    if n < 2:
        return Events([], [], [], held)
    text = text_like(sig)
    candidates = _cut_candidates(sig, held, _overlay_repeats(held, text), cut_min_content)
    flashes = _flashes(sig, candidates)
    in_flash = np.zeros(n, bool)
    for a, b in flashes:
        in_flash[a : b + 1] = True
    transitions, overlays = _fades(sig, in_flash, text)
    covered = in_flash.copy()
    for a, b in transitions:
        covered[a : b + 1] = True
    dissolves, text_blends = _dissolves(sig, held, covered, text)
    transitions += dissolves
    for a, b in dissolves:
        covered[a : b + 1] = True
    transitions += _wipes(sig, held, covered)
    overlays = sorted(overlays + text_blends)
    transitions.sort()
    in_transition = np.zeros(n + 1, bool)
    for a, b in transitions:
        in_transition[a : b + 2] = True  # the frame after a transition is its end, not a cut
    flash_edges = {a for a, _ in flashes} | {b + 1 for _, b in flashes}
    cuts = [i for i in candidates if i not in flash_edges and not in_transition[i]]
    alike = np.nan_to_num(sig["alike"])
    cuts = [i for i in cuts if alike[i] < CUT_MAX_ALIKE and _stands_alone(sig, i)]
    return Events(cuts, transitions, flashes, held, overlays)


def _stands_alone(sig: Signals, i: int) -> bool:
    """Whether the change at ``i`` is a cut of its own, not part of a continuous change.

    A cut is one frame's change, after which the new shot settles. A change right after one
    at least a ``CUT_RATIO``-th its size goes on from there (the exposure flicker of the frame
    after a splice, the second frame of a whip): the first frame holds the cut, if any. A
    change that goes on through the next two frames (a wing sweeping across the camera, a
    figure lunging at it) is no cut at all. A frame shown long enough between two changes (a
    GIF's held drawing) is a shot of its own.
    """
    residual, duration = np.nan_to_num(sig["residual"]), sig["duration"]
    n = sig.frames

    def keeps(j: int, ratio: float) -> bool:
        """Whether frame ``j`` changes by a ``ratio``-th of ``i``'s change or more (and enough
        to matter), with no frame between the two changes shown long enough to be a shot."""
        first, last = min(i, j), max(i, j)
        if first < 1 or last >= n or (duration[first:last] >= CUT_OWN_SHOT_S).any():
            return False
        return bool(residual[j] >= max(residual[i] / ratio, CUT_MIN_RESIDUAL_LARGE))

    content = sig["content"]
    around = [content[j] for j in (i - 1, i + 1, i + 2) if 0 < j < n]
    if (around and content[i] >= CUT_COLOUR_ALONE * max(*around, CUT_FLOOR)
            and np.nan_to_num(sig["alike"][i]) < CUT_NEW_PICTURE):  # fmt: skip
        return True  # new colours at once, then a steady shot: the residual is shot motion
    if keeps(i - 1, CUT_RATIO):
        return False
    return not (keeps(i + 1, CUT_GOES_ON) and keeps(i + 2, CUT_RATIO))


def _overlay_repeats(held: np.ndarray, text: np.ndarray) -> np.ndarray:
    """Frames that show the drawing before them again under a moving overlay: runs of at most
    OVERLAY_CADENCE frames whose only change is text-like, after a change of the whole picture
    and before the next one or the end (credits crawling over a shot on twos)."""
    n = len(held)
    out = np.zeros(n, bool)
    changed = ~(held | text)
    for a, b in runs(text & ~held):
        if b - a < OVERLAY_CADENCE and a >= 1 and changed[a - 1] and (b + 1 == n or changed[b + 1]):
            out[a : b + 1] = True
    return out


def _cut_candidates(
    sig: Signals, held: np.ndarray, repeats: np.ndarray, cut_min_content: float
) -> list[int]:
    """Frames whose change stands out from the drawings' changes around them: in flow
    residual (held frames and an overlay's ``repeats`` left out), or in colour (held frames
    left out: a crawl never changes the colours by CUT_COLOUR_MIN, a 2-frame shot's cut does)."""
    n = sig.frames
    residual = np.nan_to_num(sig["residual"])
    frac, content, mad = sig["block_frac"], sig["content"], sig["mad"]
    contrast = sig["contrast"]
    dim = dimness(contrast, np.concatenate((contrast[:1], contrast[:-1])))
    large = (mad >= CUT_LARGE_MAD * dim) & (residual >= CUT_MIN_RESIDUAL_LARGE * dim)
    strong = (frac >= CUT_MIN_BLOCK_FRAC) & ((residual >= CUT_MIN_RESIDUAL * dim) | large)
    strong &= content >= cut_min_content
    strong &= ~(np.nan_to_num(sig["still"]) >= CUT_MAX_STILL)
    strong &= ~(np.nan_to_num(sig["kept"]) >= CUT_MAX_KEPT)
    strong &= ~(np.nan_to_num(sig["exact"]) >= CUT_MAX_EXACT)
    settled = held | repeats
    still_shots = _still_shots(sig, held)
    out: list[int] = []
    for i in (int(x) for x in np.flatnonzero(strong)):
        if i == 0:
            continue
        if still_shots[i]:
            out.append(i)  # no shot motion to measure it against: the shots are still
            continue
        level = _level(residual, settled, i, n)
        if residual[i] >= CUT_RATIO * max(level, CUT_FLOOR * dim[i]):
            out.append(int(i))
        elif content[i] >= CUT_COLOUR_MIN and content[i] >= CUT_COLOUR_RATIO * max(
            _level(content, held, i, n), CUT_FLOOR
        ):
            out.append(int(i))  # new colours everywhere that flow half explains by false matches
    return out


def _still_shots(sig: Signals, held: np.ndarray) -> np.ndarray:
    """Changes to an unrelated picture between two held frames (see STILL_SHOT_ALIKE): the cuts
    of a montage of still shots of two frames, where no drawing changes to measure them by."""
    n = len(held)
    out = np.zeros(n, bool)
    if n >= 3:
        with np.errstate(invalid="ignore"):
            new = (sig["alike"] < STILL_SHOT_ALIKE) & (sig["kept"] < STILL_SHOT_KEPT)
        out[1:-1] = np.asarray(new[1:-1]) & held[:-2] & held[2:]
    return out


def _level(residual: np.ndarray, held: np.ndarray, i: int, n: int) -> float:
    """The change frame ``i`` is compared with: the typical flow residual of the drawings
    around it, other cuts left out.

    The window keeps its full width at the ends of the source (it slides inward), and drawings
    that stand out from the quieter quarter of the window (cuts of a montage of 2-6 frame
    shots) are left out, so that a cut at frame 2, or between two other cuts, is measured
    against shot motion, not against its neighbouring cuts.
    """
    lo = max(1, min(i - CUT_WINDOW, n - 2 * CUT_WINDOW - 1))
    hi = min(n, lo + 2 * CUT_WINDOW + 1)
    others = [j for j in range(lo, hi) if j != i and not held[j]]
    if not others:
        return 0.0
    values = residual[others]
    quiet = max(float(np.percentile(values, 25)), CUT_FLOOR)
    shot = values[values < CUT_RATIO * quiet]
    return float(np.median(shot)) if len(shot) else quiet


def _flashes(sig: Signals, candidates: list[int]) -> list[tuple[int, int]]:
    """Candidates that start 1-3 frames of a different brightness ending back in the same shot
    (2-3 only when they wash the picture out or keep it: see FLASH_WASH)."""
    n = sig.frames
    luma, mad, contrast = sig["luma"], sig["mad"], sig["contrast"]
    alike = np.nan_to_num(sig["alike"])
    lags = {k: sig[f"lag{k}"] for k in LAGS}
    out: list[tuple[int, int]] = []
    taken = -1
    for f in candidates:
        if f <= taken or f < 1:
            continue
        washed = contrast[f] <= FLASH_WASH * contrast[f - 1]
        longest = FLASH_MAX if washed or abs(alike[f]) >= FLASH_SAME_PICTURE else 1
        for length in range(1, longest + 1):
            back = f + length  # first frame after the flash
            if back >= n:
                break
            returned = lags[length + 1][back]
            if not np.isfinite(returned) or returned > FLASH_RETURN * mad[f]:
                continue
            inside = luma[f:back]
            around = (luma[f - 1] + luma[back]) / 2
            if np.all(np.abs(inside - around) >= FLASH_MIN_LUMA):
                out.append((int(f), int(back - 1)))
                taken = back
                break
    return out


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive [start, end] runs of True in a bool mask."""
    m = np.asarray(mask, bool).astype(np.int8)
    if not len(m):
        return []
    edges = np.diff(np.concatenate(([0], m, [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def text_like(sig: Signals) -> np.ndarray:
    """Frames whose change is confined to a small part of the frame while strong there: text
    that scrolls or appears (or any small overlay), where a fade or dissolve changes it all
    (the limits are the signals' LOCAL_*: a dithered GIF blend changes more blocks)."""
    block_max, mad, frac = sig["block_max"], sig["mad"], sig["block_frac"]
    with np.errstate(invalid="ignore", divide="ignore"):
        local = (block_max >= LOCAL_BLOCK_MAX) & (mad < LOCAL_SPREAD * block_max)
        local &= frac <= LOCAL_BLOCK_FRAC
    return np.asarray(np.nan_to_num(local), dtype=bool)


def _fades(
    sig: Signals, in_flash: np.ndarray, text: np.ndarray
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Runs of flat frames reached by a ramp (fade out) and/or left by one (fade in), and the
    runs whose only changes are text over the card (credits over black): overlays, no fades."""
    n = sig.frames
    flat = (sig["contrast"] < FLAT_CONTRAST) & ~in_flash
    luma, contrast = sig["luma"], sig["contrast"]
    # A ramp keeps its picture, dimmed or brightened: a frame of a new picture (a short shot
    # cut in before a cut to the card) is no step of it.
    with np.errstate(invalid="ignore"):
        new = np.asarray(sig["alike"] < CUT_NEW_PICTURE)
    steps = ~(text | new)
    out: list[tuple[int, int]] = []
    overlays: list[tuple[int, int]] = []
    for a, b in runs(flat):
        card = float(np.median(luma[a : b + 1]))
        q = contrast + np.abs(luma - card)
        start = a
        # Frame j ramps towards the card when the frame before it is further from the card;
        # a step that changes only a small part of the frame is text, not a ramp.
        while (start >= 2 and steps[start - 1]
               and q[start - 2] > q[start - 1] * (1 + FADE_STEP) + FADE_STEP_ABS):  # fmt: skip
            start -= 1
        end = b
        while (end + 2 < n and not text[end + 1] and not new[end + 2]
               and q[end + 2] > q[end + 1] * (1 + FADE_STEP) + FADE_STEP_ABS):  # fmt: skip
            end += 1
        ramps = (a - start) + (end - b)
        inner = text[a + 1 : b + 2]
        if ramps == 0 and inner.any():
            overlays.append((int(a), int(b)))  # a card with text moving over it
        elif ramps > 0 or b - a + 1 > FLASH_MAX:
            out.append((int(start), int(end)))
    return out, overlays


def _dissolves(
    sig: Signals, held: np.ndarray, covered: np.ndarray, text: np.ndarray
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Runs of frames that blend the frames before and after them linearly, and those whose
    changes are mostly text-like (text fading in or scrolling): overlays, no dissolves."""
    n = sig.frames
    mad, residual = sig["mad"], np.nan_to_num(sig["residual"])
    # A faint change that moves most blocks one way (block_median) blends, however small.
    held = held & (mad < BLEND_STILL_MAD) & ~(np.nan_to_num(sig["block_median"]) > BLOCK_QUIET)
    centre = np.zeros(n, bool)
    # The shortest span at which each frame is a blend: a frame that is the mean of the frames k
    # before and k after lies at least k - 1 frames inside the blend's first and last frames.
    shortest = np.zeros(n, int)
    for k in sorted(SPANS, reverse=True):
        span, mid = sig[f"span{k}"], sig[f"mid{k}"]
        with np.errstate(invalid="ignore"):
            ok = (span >= BLEND_MIN_SPAN) & (mid <= BLEND_MAX_MID * span)
        ok = np.nan_to_num(ok).astype(bool)
        shortest[ok] = k
        centre |= ok
    out: list[tuple[int, int]] = []
    overlays: list[tuple[int, int]] = []
    for a, b in runs(centre):
        ka, kb = int(shortest[a]), int(shortest[b])
        if a == b and ka > min(SPANS):
            # A linear blend that one frame centres at a long span centres more frames at the
            # short one: this is three unrelated frames that happen to average (a montage's).
            continue
        # Every frame of a blend differs from the one before; the frame after its last one too.
        start = a
        while start > max(1, a - ka + 1) and not held[start - 1] and mad[start - 1] >= 0.3:
            start -= 1
        run_end = b
        while run_end + 1 < n and run_end < b + kb and not held[run_end + 1]:
            run_end += 1
        end = run_end - 1 if run_end + 1 < n and held[run_end + 1] else min(run_end, b + kb - 1)
        end = max(end, b)
        seg = slice(start, end + 1)
        if end - start + 1 < BLEND_MIN_FRAMES or covered[seg].any():
            continue
        if held[seg].mean() > 0.2:
            continue
        changed = mad[seg] >= 0.3
        if not changed.any():
            continue
        share = residual[seg][changed] / mad[seg][changed]
        if np.percentile(share, 25) < BLEND_MIN_RESIDUAL_SHARE:
            continue
        if text[seg][changed].mean() > 0.5 and not _moves_under_text(sig, seg, changed):
            overlays.append((int(start), int(end)))
            continue
        out.append((int(start), int(end)))
    return out, overlays


def _moves_under_text(sig: Signals, seg: slice, changed: np.ndarray) -> bool:
    """Whether the picture under a run of text-like blends moves on as a dissolve does (see
    BLEND_UNDER_TEXT_FRAMES); a frame with too many changed blocks to measure moves."""
    if seg.stop - seg.start < BLEND_UNDER_TEXT_FRAMES:
        return False
    rest = np.nan_to_num(sig["block_median"][seg][changed], nan=np.inf)
    return bool(np.median(rest) > BLOCK_QUIET)


def _wipes(sig: Signals, held: np.ndarray, covered: np.ndarray) -> list[tuple[int, int]]:
    """Runs of frames whose only full lines of change march across the frame one way (see
    WIPE_MIN_FRAMES), ending in another picture: [first, last] frames of the wipe (the frame
    after them shows the new shot whole)."""
    out: list[tuple[int, int]] = []
    n = sig.frames
    taken = covered[:n].copy()
    for name in ("edge_x", "edge_y"):
        edge = sig[name]
        after = 1  # where the next run may start
        for i in (int(x) for x in np.flatnonzero(np.isfinite(edge) & ~taken)):
            if i < after:
                continue
            places = [i]
            way = 0.0  # the sign of the edge's first step
            for j in range(i + 1, n):
                if taken[j]:
                    break
                if np.isfinite(edge[j]):
                    step = float(edge[j] - edge[places[-1]])
                    way = way or math.copysign(1.0, step)
                    if not (0 < abs(step) <= WIPE_MAX_STEP * (j - places[-1]) and step * way > 0):
                        break
                    places.append(j)
                elif not held[j] and j - places[-1] > WIPE_GAP:
                    break
            a, b = places[0], places[-1]
            if (len(places) >= WIPE_MIN_FRAMES and abs(float(edge[b] - edge[a])) >= WIPE_MIN_TRAVEL
                    and _replaced(sig, a, b)):  # fmt: skip
                out.append((a, b - 1))
                taken[a : b + 1] = True
                after = b + 1
    return sorted(out)


def _replaced(sig: Signals, a: int, b: int) -> bool:
    """Whether the frame at ``b`` shows another picture than the one before ``a``: the tiny
    frames' change over the shortest span that reaches across (see BLEND_MIN_SPAN)."""
    half = (b - a + 2) / 2
    k = next((k for k in SPANS if k >= half), max(SPANS))
    centre = min(max((a - 1 + b) // 2, k), sig.frames - 1 - k)
    if centre < k:
        return False
    span = sig[f"span{k}"][centre]
    return bool(np.isfinite(span) and span >= BLEND_MIN_SPAN)
