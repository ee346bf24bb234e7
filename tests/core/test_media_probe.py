"""Probing: what each format reports, exact frame times of uneven animations, VFR, audio."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from anicurate.core.media import MediaInfo, MediaKind, open_media, probe, write_animation
from tests.helpers.media_samples import (
    ANIMATED_NAMES,
    HEIGHT,
    SAMPLE_NAMES,
    VFR_STEPS,
    WIDTH,
    SampleMedia,
    number_in,
    pattern,
    write_with_audio,
)

CONTAINERS = {
    ".mp4": "mov,mp4,m4a,3gp,3g2,mj2", ".mov": "mov,mp4,m4a,3gp,3g2,mj2",
    ".mkv": "matroska,webm", ".webm": "matroska,webm", ".avi": "avi", ".gif": "gif",
    ".webp": "webp", ".bmp": "bmp_pipe", ".jpg": "jpeg_pipe",
}  # fmt: skip


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_probe_reports_what_was_written(sample_media: SampleMedia, name: str) -> None:
    sample = sample_media(name)
    info = probe(sample.path)
    assert info.path == str(sample.path)
    assert info.kind is sample.kind
    assert info.codec == sample.codec
    assert (info.width, info.height, info.rotation) == (WIDTH, HEIGHT, 0)
    assert info.sample_aspect == 1
    assert info.frame_count == sample.frames
    assert not info.has_audio
    suffix = sample.path.suffix
    if suffix == ".png":
        assert info.container == ("apng" if sample.kind is MediaKind.ANIMATION else "png_pipe")
    else:
        assert info.container == CONTAINERS[suffix]
    if sample.kind is MediaKind.STILL:
        assert (info.fps, info.duration, info.vfr) == (Fraction(0), 0.0, False)
        with open_media(sample.path) as reader:
            assert reader.index.durations.tolist() == [0.0] and reader.index.duration == 0.0
    elif sample.fps is not None:
        assert info.fps == sample.fps and not info.vfr
        assert info.duration == pytest.approx(sample.frames / sample.fps, abs=0.002)
    assert MediaInfo.from_dict(info.to_dict()) == info


@pytest.mark.parametrize("name", ANIMATED_NAMES)
def test_uneven_animation_delays_are_the_true_frame_times(
    sample_media: SampleMedia, name: str
) -> None:
    sample = sample_media(name)
    assert sample.delays_ms is not None
    delays = np.array(sample.delays_ms) / 1000
    with open_media(sample.path) as reader:
        np.testing.assert_allclose(reader.index.durations, delays, atol=1e-9)
        np.testing.assert_allclose(reader.index.times, np.cumsum(delays) - delays, atol=1e-9)
        assert reader.index.time_of(5) == pytest.approx(sum(sample.delays_ms[:5]) / 1000)
        info = reader.info
    assert info.vfr
    assert info.duration == pytest.approx(sum(sample.delays_ms) / 1000)
    assert info.fps == Fraction(sample.frames * 1000, sum(sample.delays_ms))


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_tiny_animation_delays_play_as_browsers_play_them(tmp_path: Path, suffix: str) -> None:
    # Browsers show a delay of 10 ms or less for 100 ms; web animations are made for that.
    frames = [pattern(i) for i in range(5)]
    path = write_animation(tmp_path / f"fast{suffix}", frames, [10, 40, 0, 60, 20])
    with open_media(path) as reader:
        shown = [0.1, 0.04, 0.1, 0.06, 0.02]
        np.testing.assert_allclose(reader.index.durations, shown, atol=1e-9)
        np.testing.assert_allclose(reader.index.times, np.cumsum(shown) - shown, atol=1e-9)
        assert [number_in(f) for f in reader.frames()] == list(range(5))
        assert number_in(reader.frame_at(reader.index.frame_at_time(0.15))) == 2


def test_variable_frame_rate_video(sample_media: SampleMedia) -> None:
    sample = sample_media("vfr-mp4")
    with open_media(sample.path) as reader:
        info, index = reader.info, reader.index
    assert info.vfr and info.kind is MediaKind.VIDEO
    np.testing.assert_allclose(index.durations[:-1], np.array(VFR_STEPS[:-1]) / 24, atol=1e-9)
    np.testing.assert_allclose(index.times, (np.cumsum(VFR_STEPS) - VFR_STEPS) / 24, atol=1e-9)
    assert info.fps == Fraction(len(VFR_STEPS)) / (index.duration_ticks.sum() * index.time_base)


def test_audio_track_is_noticed(tmp_path: Path) -> None:
    info = probe(write_with_audio(tmp_path / "with_audio.mp4", 12))
    assert info.has_audio and info.frame_count == 12 and info.fps == 24


def test_probe_accepts_str_paths(sample_media: SampleMedia) -> None:
    assert probe(str(sample_media("png").path)).kind is MediaKind.STILL


def test_av1_writing_prints_no_encoder_banner(tmp_path: Path) -> None:
    code = (
        "import sys, numpy as np; from pathlib import Path\n"
        "from anicurate.core.media import write_video\n"
        "write_video(Path(sys.argv[1]), [np.zeros((64, 96, 3), np.uint8)] * 3, codec='libsvtav1')"
    )
    env = {k: v for k, v in os.environ.items() if k != "SVT_LOG"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.mkv")],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    assert done.stderr == ""
    assert probe(tmp_path / "a.mkv").frame_count == 3


@pytest.mark.parametrize(
    "stored", ["30000/1001", "24/1", "0/1", "24", "1.5", " 3/4", "-1/2", "3/0", "x/y", "", 2.5, 7]
)
def test_stored_rates_read_as_fraction_reads_them(stored: object) -> None:
    """The catalogue's "num/den" rates take a fast path; every value reads (or fails) as
    Fraction itself reads it."""
    d = MediaInfo.from_dict(_SOME_INFO).to_dict()
    d["fps"] = d["sample_aspect"] = stored
    try:
        expected: object = Fraction(stored)  # type: ignore[arg-type]
    except (ValueError, ArithmeticError) as err:
        with pytest.raises(type(err)):
            MediaInfo.from_dict(d)
        return
    info = MediaInfo.from_dict(d)
    assert info.fps == expected and info.sample_aspect == expected
    assert type(info.fps) is Fraction


_SOME_INFO = {
    "path": "a.mp4", "kind": "video", "container": "mov,mp4,m4a,3gp,3g2,mj2", "codec": "h264",
    "width": 64, "height": 48, "rotation": 0, "sample_aspect": "1/1", "frame_count": 12,
    "fps": "24/1", "duration": 0.5, "vfr": False, "has_audio": False,
}  # fmt: skip
