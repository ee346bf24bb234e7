"""The demo set is generated once, completely or not at all, and each clip shows what it claims."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.demo import DEMO_CLIPS, generate_demo_media
from anicurate.core.errors import MediaError
from anicurate.core.media import open_media, probe


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "clips"
    return _run(folder)


def _run(folder: Path) -> Path:
    gen = generate_demo_media(folder)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return Path(stop.value)


def test_every_clip_is_written_with_its_frame_count(demo: Path) -> None:
    names = sorted(p.name for p in demo.iterdir() if not p.name.startswith("."))
    assert names == sorted(c.name for c in DEMO_CLIPS)
    for clip in DEMO_CLIPS:
        if "error" in clip.truth:
            with pytest.raises(MediaError) as err:
                probe(demo / clip.name)
            assert err.value.kind == clip.truth["error"]
        else:
            assert probe(demo / clip.name).frame_count == clip.truth["frames"], clip.name


def test_second_run_reuses_the_set(demo: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in demo.iterdir()}
    assert _run(demo) == demo
    assert {p.name: p.stat().st_mtime_ns for p in demo.iterdir()} == before


def test_cancelled_generation_leaves_nothing(tmp_path: Path) -> None:
    gen = generate_demo_media(tmp_path / "clips")
    next(gen)
    next(gen)
    gen.close()
    assert list(tmp_path.iterdir()) == []


def _mean_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_clips_show_their_events(demo: Path) -> None:
    with open_media(demo / "hard_cut.mp4") as r:
        assert _mean_diff(r.frame_at(29), r.frame_at(30)) > 8 * _mean_diff(
            r.frame_at(27), r.frame_at(28)
        )
    with open_media(demo / "flash.mp4") as r:
        assert (
            r.frame_at(20).mean() > 250
            and r.frame_at(19).mean() < 200
            and r.frame_at(21).mean() < 200
        )
    with open_media(demo / "walk_on_twos.mp4") as r:
        held = _mean_diff(r.frame_at(10), r.frame_at(11))
        moved = _mean_diff(r.frame_at(11), r.frame_at(12))
        assert held < 1.0 < moved
    with open_media(demo / "fade_to_black.mp4") as r:
        assert r.frame_at(32).mean() < 3
    info = probe(demo / "uneven_delays.gif")
    assert info.vfr
    with open_media(demo / "uneven_delays.gif") as r:
        assert np.allclose(np.diff(r.index.times), [0.1, 0.1, 0.2, 0.06, 0.06, 0.3, 0.1])
    small = probe(demo / "small_clip.mp4")
    assert (small.width, small.height) == (256, 144)
    four_three = probe(demo / "four_three.webm")
    assert (four_three.width, four_three.height, four_three.codec) == (480, 360, "vp9")
