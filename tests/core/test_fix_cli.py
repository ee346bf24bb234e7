"""``anicurate fix``: the model list, and one file fixed: lossless .mkv, frame k at N*k."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from anicurate.cli import main
from anicurate.core.media.writer import write_video


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """Six 64x48 frames of a square moving 3 px a frame, lossless so decoding is exact."""
    frames = []
    for k in range(6):
        rgb = np.full((48, 64, 3), 40, np.uint8)
        cv2.rectangle(rgb, (8 + 3 * k, 12), (24 + 3 * k, 30), (230, 200, 60), -1)
        frames.append(rgb)
    return write_video(tmp_path / "in.mkv", frames, 12, codec="ffv1", pix_fmt="bgr0")


def test_list_prints_one_model_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split("\t") for line in lines]
    assert {r[0] for r in rows} == {"upscale", "interpolate", "denoise"}
    names = {(r[0], r[1]) for r in rows}
    assert {("upscale", "waifu2x-cunet-2x"), ("upscale", "waifu2x-upconv7-2x"),
            ("interpolate", "rife-4"), ("denoise", "waifu2x-cunet-denoise1")} <= names  # fmt: skip
    defaults = [r[0] for r in rows if "default" in r]
    assert sorted(defaults) == ["denoise", "interpolate", "upscale"]


def test_interpolate_keeps_frame_k_at_n_k_losslessly(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mkv"
    assert main(["fix", str(clip), "--out", str(out), "--interpolate", "3", "-q"]) == 0
    src, got = decode(clip), decode(out)
    assert len(got) == 3 * len(src)
    for k, frame in enumerate(src):
        assert np.array_equal(got[3 * k], frame)
    assert not np.array_equal(got[1], src[0]) and not np.array_equal(got[1], src[1])
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "ffv1"
        assert c.streams.video[0].average_rate == 36


def test_upscale_bicubic_is_exactly_bicubic(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "big.mkv"
    assert main(["fix", str(clip), "--out", str(out), "--upscale", "2", "--model", "bicubic",
                 "-q"]) == 0  # fmt: skip
    for src, got in zip(decode(clip), decode(out), strict=True):
        assert np.array_equal(got, cv2.resize(src, (128, 96), interpolation=cv2.INTER_CUBIC))


def test_unknown_model_is_one_line_and_exit_1(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.mkv"
    assert main(["fix", str(clip), "--out", str(out), "--upscale", "2", "--model", "nope"]) == 1
    err = capsys.readouterr().err
    assert "no upscale model called 'nope'" in err and not out.exists()


def test_missing_out_is_usage(clip: Path) -> None:
    assert main(["fix", str(clip)]) == 2
