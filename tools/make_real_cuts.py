"""Regenerate the real-footage cut test set (tests/core/data/real_cuts) from the original files.

The originals are the public-domain Popeye excerpts of robmikh/showorder (see the set's
LICENCE.md). Each excerpt is a run of source frames re-encoded as H.264 mp4 at 480 px wide, at
the source's frame rate and one output frame per source frame, so frame k of an excerpt is frame
``start + k`` of its source and truth labelled on either maps by adding ``start``. ``--check``
decodes each written excerpt and compares every frame with its source frame (and the frames
beside it) to prove that nothing was dropped or duplicated.

    .venv/bin/python -m tools.make_real_cuts /path/to/popeye_sinbad_1936 [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from anicurate.core.media import write_video

OUT = Path(__file__).resolve().parent.parent / "tests" / "core" / "data" / "real_cuts"
WIDTH = 480
#: x264 quality: film grain is costly to keep; 32 keeps the set near 2.2 MB and its cuts plain.
CRF = "32"
#: A source frame differs from its neighbour by more than this mean abs (0..255) when it moves.
MOVING = 3.0
#: ... and frame k must not match a moving neighbour better than its own by more than this
#: (encoding noise on grainy film blurs near-equal distances).
MARGIN = 0.5


@dataclass(frozen=True)
class Excerpt:
    """Source frames ``start`` to ``stop - 1`` of ``source`` (a file name in the source folder)."""

    name: str
    source: str
    start: int
    stop: int


EXCERPTS: tuple[Excerpt, ...] = (
    Excerpt("t00_sea", "pgs_T00-1.mkv", 60, 345),
    Excerpt("t00_splice", "pgs_T00-1.mkv", 505, 760),
    Excerpt("t00_wing", "pgs_T00-1.mkv", 790, 1090),
    Excerpt("t00_end", "pgs_T00-1.mkv", 1312, 1372),
    Excerpt("t01_holds", "pgs_T01-2.mkv", 540, 700),
    Excerpt("t01_beak", "pgs_T01-2.mkv", 975, 1180),
    Excerpt("t02_fast", "pgs_T02-3.mkv", 0, 160),
    Excerpt("t02_pose", "pgs_T02-3.mkv", 250, 330),
    Excerpt("t02_storm", "pgs_T02-3.mkv", 565, 850),
    Excerpt("t02_cuts", "pgs_T02-3.mkv", 945, 1260),
    Excerpt("t03_bluto", "pgs_T03-4.mkv", 285, 420),
    Excerpt("t03_closeup", "pgs_T03-4.mkv", 505, 680),
    Excerpt("t03_pan", "pgs_T03-4.mkv", 950, 1150),
    Excerpt("vob_t00", "vob_T00-1.mkv", 290, 480),
)


def source_frames(path: Path, start: int, stop: int) -> Iterator[np.ndarray]:
    """RGB frames ``start`` to ``stop - 1`` of ``path`` (decode order is display order here),
    scaled to ``WIDTH`` wide with an even height."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for i, frame in enumerate(container.decode(stream)):
            if i >= stop:
                break
            if i >= start:
                h = round(frame.height * WIDTH / frame.width / 2) * 2
                yield frame.to_ndarray(format="rgb24", width=WIDTH, height=h,
                                       interpolation="AREA")  # fmt: skip


def frame_rate(path: Path) -> Fraction:
    """The stream's average frame rate (24 or 30000/1001 for these sources)."""
    with av.open(str(path)) as container:
        rate = container.streams.video[0].average_rate
    if rate is None:
        raise SystemExit(f"{path}: no frame rate")
    return Fraction(rate)


def decoded(path: Path) -> Iterator[np.ndarray]:
    """Every frame of an excerpt, RGB."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")


def check(ex: Excerpt, src: Path, out: Path) -> str:
    """Frame k of ``out`` must be closer to source frame start+k than to start+k-1 or start+k+1
    wherever those two differ from it (moving frames); returns a one-line summary."""
    mine = [f.astype(np.int16) for f in decoded(out)]
    ref = [f.astype(np.int16) for f in source_frames(src, max(0, ex.start - 1), ex.stop + 1)]
    off = ex.start - max(0, ex.start - 1)
    if len(mine) != ex.stop - ex.start:
        raise SystemExit(f"{out.name}: {len(mine)} frames, expected {ex.stop - ex.start}")
    worst = 0.0
    for k, f in enumerate(mine):
        at = float(np.abs(f - ref[k + off]).mean())
        worst = max(worst, at)
        for j in (k + off - 1, k + off + 1):
            # Held drawings differ from their neighbours by grain only: skip them.
            if 0 <= j < len(ref) and np.abs(ref[j] - ref[k + off]).mean() > MOVING:
                other = float(np.abs(f - ref[j]).mean())
                if other + MARGIN < at:
                    raise SystemExit(f"{out.name}: frame {k} matches source {ex.start + j - off}")
    return f"{out.name}: {len(mine)} frames in place, worst mean abs error {worst:.1f}"


def main() -> None:
    """Write every excerpt and the SHA256SUMS of the set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="folder with pgs_T00-1.mkv .. vob_T00-1.mkv")
    parser.add_argument("--check", action="store_true", help="verify frame placement after")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sums = []
    meta = {}
    for ex in EXCERPTS:
        src = args.sources / ex.source
        out = OUT / f"{ex.name}.mp4"
        rate = frame_rate(src)
        write_video(out, source_frames(src, ex.start, ex.stop), rate,
                    options={"crf": CRF, "preset": "slow"})  # fmt: skip
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        sums.append(f"{digest}  {out.name}")
        meta[ex.name] = {"source": ex.source, "start": ex.start, "stop": ex.stop,
                         "fps": str(rate)}  # fmt: skip
        print(f"{out.name}: {ex.source} frames {ex.start}..{ex.stop - 1}, "
              f"{out.stat().st_size} bytes")  # fmt: skip
        if args.check:
            print("   ", check(ex, src, out))
    (OUT / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    (OUT / "excerpts.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
