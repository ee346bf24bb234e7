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


def _detail_of(y: np.ndarray) -> tuple[float, float]:
    h, w = y.shape
    computer = SignalComputer(1, w, h, np.ones(1))
    computer._detail(0, y)
    values = computer.finish()
    return float(values["blur"][0]), float(values["noise"][0])


@pytest.mark.parametrize("lines", [1080, 1800])
def test_detail_of_an_odd_whole_ratio_is_the_area_resize_s(lines: int) -> None:
    """1080p's 3x (and 5x) box filter path measures what OpenCV's area resize would."""
    import cv2

    rng = np.random.default_rng(lines)
    w = lines * 16 // 9
    grain = rng.normal(0, 12, (lines, w))
    cells = rng.integers(40, 220, (lines // 60, w // 60), dtype=np.uint8)
    edges = cv2.resize(cells, (w, lines), interpolation=cv2.INTER_NEAREST)
    y = np.clip(edges + grain, 0, 255).astype(np.uint8)
    size = (w * signals.DETAIL_LINES // lines, signals.DETAIL_LINES)
    area = cv2.resize(y, size, interpolation=cv2.INTER_AREA)
    lap = cv2.Laplacian(area, cv2.CV_16S)
    blur = float(cv2.meanStdDev(lap)[1][0, 0]) ** 2
    stored = np.float32  # the signals' precision
    assert _detail_of(y) == (stored(blur), stored(signals._noise_sigma(area)))


@pytest.mark.parametrize(
    "size", [(1024, 576), (1280, 720), (1920, 1080), (3840, 2160), (1440, 1080)]
)
def test_a_large_plane_reaches_the_working_size_averaged(size: tuple[int, int]) -> None:
    """At least 16 source pixels go into each working pixel: grain (sigma 40) shrinks to a
    quarter or less, which the flow residual needs (sampled grain reads as change)."""
    w, h = size
    y = np.clip(np.random.default_rng(w).normal(128, 40, (h, w)), 0, 255).astype(np.uint8)
    work = signals._shrink(y, signals.work_size(w, h))
    assert work.shape == signals.work_size(w, h)[::-1]
    assert float(work.std()) <= 40 / 4
    assert abs(float(work.mean()) - float(y.mean())) < 1


def test_a_worker_with_one_decoder_thread_computes_in_that_thread(
    blocky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pipelining pays where a core is free; a pool worker's one thread (threads=1) has none."""
    used: list[bool] = []
    pipelined = signals._pipelined

    def recording(source: object, *args: object) -> object:
        used.append(True)
        return pipelined(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(signals, "_pipelined", recording)
    _, alone = signals.compute_signals(blocky, threads=1)
    assert used == []
    _, piped = signals.compute_signals(blocky, threads=0, parts=1)
    assert used == [True]
    np.testing.assert_array_equal(alone.values, piped.values)


def test_a_gif_s_packed_rgb_frames_become_the_planes_swscale_would_give(tmp_path: Path) -> None:
    """GIF frames come as bgra; OpenCV's 4:2:0 conversion replaces swscale's (a third of the
    cost): the same luma within a level, chroma alike but at edges (other siting)."""
    import av

    from anicurate.core.media.writer import write_animation
    from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline

    tl = Timeline(w=160, h=90).shot(3, DAY, Layout(pan=4)).shot(3, NIGHT, Layout(figure_x=0.3))
    path = write_animation(tmp_path / "clip.gif", tl.frames, [40] * 6)
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            assert frame.format.name in signals._PACKED_RGB
            y, u, v = signals._planes_of(frame, (1024, 576))
            ref = frame.reformat(format="yuv420p")
            ry, ru, rv = (signals._plane(ref, k).astype(int) for k in range(3))
            assert y.shape == (90, 160) and u.shape == v.shape == (45, 80)
            assert np.abs(y - ry).max() <= 1
            assert np.abs(u - ru).mean() < 1.5 and np.abs(v - rv).mean() < 1.5
