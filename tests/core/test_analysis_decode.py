"""The analysis pass's decoding: deblocking skipped only where no frame depends on it, frame 0
taken over from probing, and detail measures (blur, noise) kept on exactly decoded frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.analysis import signals
from anicurate.core.analysis.signals import SignalComputer
from anicurate.core.media import write_video
from anicurate.core.media.decode import AvCursor
from anicurate.core.media.probe import inspect_source


def _grainy_pan(n: int) -> list[np.ndarray]:
    """Moving grain with edges at a low bitrate: blocky enough that deblocking changes pixels."""
    rng = np.random.default_rng(3)
    wide = rng.integers(0, 255, (96, 160 + 3 * n, 3), dtype=np.uint8)
    frames = []
    for i in range(n):
        rgb = np.ascontiguousarray(wide[:, 3 * i : 3 * i + 160])
        rgb[30:60, (5 * i) % 120 : (5 * i) % 120 + 30] = (250, 40, 40)
        frames.append(rgb)
    return frames


@pytest.fixture(scope="module")
def blocky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decode") / "blocky.mp4"
    return write_video(path, _grainy_pan(40), 24, gop=40, bframes=3, options={"crf": "40"})


def _decode_all(path: Path, skip: bool) -> list[tuple[int, bool, np.ndarray]]:
    inspected = inspect_source(path)
    cursor = AvCursor(path, inspected.stream_index, inspected.index, skip_nonref_deblock=skip)
    try:
        cursor.restart()
        out = []
        while (frame := cursor.next()) is not None:
            out.append((frame.index, frame.exact, frame.rgb()))
        return out
    finally:
        cursor.close()


def test_skipping_nonref_deblocking_changes_no_frame_marked_exact(blocky: Path) -> None:
    plain = _decode_all(blocky, skip=False)
    fast = _decode_all(blocky, skip=True)
    assert [i for i, _, _ in fast] == list(range(40)) == [i for i, _, _ in plain]
    assert all(exact for _, exact, _ in plain)  # a cursor that skips nothing marks everything
    inexact = [i for i, exact, _ in fast if not exact]
    assert inexact and 0 not in inexact  # B-frames exist; frame 0 is the keyframe
    for (i, exact, rgb), (_, _, reference) in zip(fast, plain, strict=True):
        if exact:
            assert np.array_equal(rgb, reference), f"frame {i} drifted"
    # The option really took effect: some unreferenced B-frame came out without its deblocking.
    assert any(not np.array_equal(fast[i][2], plain[i][2]) for i in inexact)


def test_analysis_decodes_each_frame_once(blocky: Path) -> None:
    inspected = inspect_source(blocky, keep_open=True, skip_nonref_deblock=True)
    assert inspected.first is not None and inspected.first.index == 0
    try:
        seen = [i for i, _, _ in signals._av_planes(inspected, 0)]
        assert seen == list(range(40))
        assert isinstance(inspected.cursor, AvCursor)
        assert inspected.cursor.decoded == 40  # frame 0 came over from probing, not again
    finally:
        assert inspected.cursor is not None
        inspected.cursor.close()


def test_probing_for_display_hands_no_first_frame_over(blocky: Path) -> None:
    assert inspect_source(blocky).first is None  # nothing is kept open to go on with


def _measured(exact_every: int | None, n: int = 60) -> list[int]:
    rng = np.random.default_rng(1)
    computer = SignalComputer(n, 64, 48, np.full(n, 1 / 24))
    for i in range(n):
        y = rng.integers(0, 255, (48, 64), dtype=np.uint8)
        exact = exact_every is not None and i % exact_every == exact_every - 1
        computer.feed(y, None, None, 0, exact=exact)
    return [int(i) for i in np.flatnonzero(np.isfinite(computer.finish()["blur"]))]


def test_detail_measures_wait_for_the_next_exact_frame() -> None:
    every = signals.DETAIL_EVERY
    assert every == 24  # the positions below are for a measure due at 0, 24 and 48
    assert _measured(4) == [3, 27, 51, 59]  # the next exact frame, and always the last one


def test_detail_measures_do_not_wait_past_the_next_one_due() -> None:
    assert _measured(None) == [23, 47, 59]  # no exact frame at all: the last frame of each wait
    assert _measured(1) == [0, 24, 48, 59]  # every frame exact: the plain schedule
