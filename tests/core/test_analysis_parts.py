"""A long source analysed in two parts side by side gives exactly the one-part signals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anicurate.core.analysis import detect, signals
from anicurate.core.analysis.signals import (
    SIGNAL_NAMES,
    SPLIT_MIN_FRAMES,
    _split_frame,
    compute_signals,
)
from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media.probe import inspect_source
from tests.helpers.analysis_samples import DAY, DUSK, NIGHT, Layout, Timeline


def _timeline(n: int) -> Timeline:
    """Shots, cuts and a dissolve near the middle, where the parts are joined."""
    tl = Timeline(w=320, h=180)
    tl.shot(n // 2 - 6, DAY, Layout(pan=6), hold=2)
    tl.shot(4, NIGHT, Layout(figure_x=0.7))  # a short shot across the middle keyframe
    tl.shot(12, DUSK, Layout(pan=3), hold=1)
    rest = n - len(tl.frames) - 8
    after = tl.shot_frames(rest, DAY, Layout(pan=-4), hold=3)
    tl.dissolve(8, after)
    tl.frames.extend(after)
    return tl


@pytest.mark.parametrize(
    ("suffix", "kw"),
    [
        (".mp4", {"gop": 29, "bframes": 3}),
        (".mp4", {"gop": 50, "bframes": 2, "rotation": 90}),
        (
            ".mkv",
            {"codec": "libx265", "gop": 37, "options": {"x265-params": "log-level=error"}},
        ),
        (".webm", {"codec": "libvpx-vp9", "gop": 40}),
    ],
)
@pytest.mark.parametrize("ahead", [False, True], ids=["own-opens", "opened-ahead"])
def test_two_parts_give_exactly_the_one_part_signals(
    tmp_path: Path, suffix: str, kw: dict[str, Any], ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = SPLIT_MIN_FRAMES + 50
    path = _timeline(n).write(tmp_path / f"long{suffix}", **kw)
    split = _split_frame(inspect_source(path).index)
    assert split is not None and n // 4 <= split <= 3 * n // 4
    _, one = compute_signals(path, parts=1)
    taken = _count_taken(monkeypatch)
    monkeypatch.setattr(signals, "AHEAD_MIN_BYTES", 0 if ahead else 2**40)
    _, two = compute_signals(path, parts=2)
    assert taken == ([True, True] if ahead else [])  # both parts decode what was opened ahead
    assert one.frames == two.frames == n
    # NaN where NaN; values equal but for DIS flow, whose motion differs in the last bit now and
    # then even between two one-part runs.
    assert np.array_equal(np.isnan(two.values), np.isnan(one.values))
    np.testing.assert_allclose(two.values, one.values, rtol=1e-6, atol=0)
    exact = [i for i, name in enumerate(SIGNAL_NAMES) if name != "motion"]
    np.testing.assert_array_equal(two.values[exact], one.values[exact])
    np.testing.assert_array_equal(two.hashes, one.hashes)
    assert detect(two).cuts == detect(one).cuts and detect(one).cuts


def _count_taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records each container a part took from the ones opened ahead (True: one was there)."""
    taken: list[bool] = []
    take = signals._OpenAhead.take

    def recording(self: signals._OpenAhead) -> Any:
        container = take(self)
        taken.append(container is not None)
        return container

    monkeypatch.setattr(signals._OpenAhead, "take", recording)
    return taken


def test_containers_opened_ahead_are_closed_when_nothing_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import av

    short = _timeline(SPLIT_MIN_FRAMES - 10).write(tmp_path / "short.mp4", gop=30)
    opened: list[Any] = []
    real_open = av.open

    def tracking(*args: Any, **kw: Any) -> Any:
        opened.append(real_open(*args, **kw))
        return opened[-1]

    monkeypatch.setattr(signals, "AHEAD_MIN_BYTES", 0)
    monkeypatch.setattr(av, "open", tracking)
    _, alone = compute_signals(short, parts=2)
    assert alone.frames == SPLIT_MIN_FRAMES - 10
    assert len(opened) == 3  # probing's and two ahead, none used
    assert all(not c.streams for c in opened)  # every one closed (a closed input has no streams)


def test_nothing_is_opened_ahead_of_a_fifo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    monkeypatch.setattr(signals, "AHEAD_MIN_BYTES", 0)
    assert signals._OpenAhead.start(fifo) is None  # an open would wait for a writer forever
    with pytest.raises(MediaError):
        compute_signals(fifo, parts=2)


def test_short_sources_and_ones_without_a_middle_keyframe_are_not_split(tmp_path: Path) -> None:
    short = _timeline(SPLIT_MIN_FRAMES - 10).write(tmp_path / "short.mp4", gop=30)
    assert _split_frame(inspect_source(short).index) is None
    one_gop = _timeline(SPLIT_MIN_FRAMES + 50).write(tmp_path / "one_gop.mp4", gop=1000)
    assert _split_frame(inspect_source(one_gop).index) is None


def test_a_part_that_decodes_nothing_falls_back_to_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _timeline(SPLIT_MIN_FRAMES + 50).write(tmp_path / "long.mp4", gop=29, bframes=3)
    split = _split_frame(inspect_source(path).index)
    _, one = compute_signals(path, parts=1)
    real_run = signals._run_part
    calls: list[int] = []

    def second_part_fails(inspected: Any, computer: Any, *args: Any, **kw: Any) -> None:
        calls.append(computer.start)
        if computer.start > 0:  # as when every frame past the join is damaged
            raise MediaError(path, MediaErrorKind.CORRUPT, "no frame decodes")
        real_run(inspected, computer, *args, **kw)

    monkeypatch.setattr(signals, "_run_part", second_part_fails)
    _, two = compute_signals(path, parts=2)
    assert sorted(calls) == [0, 0, split]  # both parts, then the whole source in one pass
    assert np.array_equal(np.isnan(two.values), np.isnan(one.values))
    np.testing.assert_allclose(two.values, one.values, rtol=1e-6, atol=0)


def test_a_large_file_that_is_no_media_fails_as_one_and_leaves_no_thread(tmp_path: Path) -> None:
    import threading

    junk = tmp_path / "clip.mp4"
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 3 * 2**20, np.uint8).tobytes())
    assert junk.stat().st_size >= signals.AHEAD_MIN_BYTES  # opened ahead as well as probed
    with pytest.raises(MediaError):
        compute_signals(junk, parts=2)
    assert not [t for t in threading.enumerate() if t.name == "analysis-open-ahead"]
