"""Each shipped model gives a plausible result; a missing or broken model is a typed error."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from anicurate import paths
from anicurate.core.fix import (
    FixSpec,
    Interpolation,
    ModelBroken,
    ModelMissing,
    find_model,
    list_models,
    load_engines,
)
from anicurate.core.fix.engines import load_image_model, load_interpolator
from anicurate.core.fix.tiling import run_tiled
from tests.helpers.analysis_samples import anime_like_frames

MODELS = paths.bundled_models_dir()


def luma_psnr(a: np.ndarray, b: np.ndarray) -> float:
    ya = cv2.cvtColor(a, cv2.COLOR_RGB2YCrCb)[..., 0].astype(float)
    yb = cv2.cvtColor(b, cv2.COLOR_RGB2YCrCb)[..., 0].astype(float)
    return float(10 * np.log10(255**2 / max(np.mean((ya - yb) ** 2), 1e-9)))


@pytest.fixture(scope="module")
def truth() -> list[np.ndarray]:
    """Five 160x96 crops of anime-like frames (outlines, flat colours, a moving figure)."""
    return [cv2.resize(f, (480, 270), interpolation=cv2.INTER_AREA)[60:156, 40:200].copy()
            for f in anime_like_frames(5, start=40)]  # fmt: skip


# floors over bicubic on this small crop (the benchmark measures full frames)
UPSCALE_FLOOR = {"waifu2x-cunet-2x": 1.5, "waifu2x-upconv7-2x": 1.0,
                 "realesr-animevideov3-2x": -6.0, "bicubic": -0.01}  # fmt: skip


@pytest.mark.parametrize("name", sorted(UPSCALE_FLOOR))
def test_upscalers_beat_their_floor_over_bicubic(name: str, truth: list[np.ndarray]) -> None:
    frame = truth[0]
    small = cv2.resize(frame, (80, 48), interpolation=cv2.INTER_AREA)
    bicubic = cv2.resize(small, (160, 96), interpolation=cv2.INTER_CUBIC)
    engine = load_image_model(find_model("upscale", name), "cpu")
    out = engine(small)
    assert out.shape == frame.shape and engine.providers == ["cpu"]
    assert luma_psnr(out, frame) - luma_psnr(bicubic, frame) > UPSCALE_FLOOR[name]


def test_every_listed_upscaler_and_denoiser_is_tested() -> None:
    shipped = {m.name for m in list_models() if m.kind == "upscale"}
    assert shipped == set(UPSCALE_FLOOR)


@pytest.mark.parametrize(("name", "noise"), [("waifu2x-cunet-denoise1", "jpeg"),
                                             ("waifu2x-cunet-denoise3", "jpeg"),
                                             ("opencv-nlmeans", "gauss")])  # fmt: skip
def test_denoisers_reduce_noise(name: str, noise: str, truth: list[np.ndarray]) -> None:
    frame = truth[0]
    if noise == "jpeg":  # the artefacts waifu2x's denoisers are trained on
        _, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 30])
        noisy = cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED)
    else:
        grain = np.random.default_rng(3).normal(0, 10, frame.shape)
        noisy = np.clip(frame + grain, 0, 255).astype(np.uint8)
    out = load_image_model(find_model("denoise", name), "cpu", 3)(noisy)
    assert out.shape == frame.shape
    assert luma_psnr(out, frame) > luma_psnr(noisy, frame) + 0.2


def test_rife_beats_a_blend(truth: list[np.ndarray]) -> None:
    rife = load_interpolator(find_model("interpolate", "rife-4"), "cpu")
    mid = rife(truth[0], truth[4], 0.5)  # frames 40 and 44 around 42: motion on twos, pan 4 px
    blend = cv2.addWeighted(truth[0], 0.5, truth[4], 0.5, 0)
    assert mid.shape == truth[0].shape
    assert luma_psnr(mid, truth[2]) > luma_psnr(blend, truth[2]) + 1.5


def test_tiles_join_without_seams() -> None:
    rgb = np.random.default_rng(0).integers(0, 255, (70, 90, 3), dtype=np.uint8)
    whole = run_tiled(rgb, lambda x: x[2:-2, 2:-2], scale=1, pad=2, tile=1000)
    tiled = run_tiled(rgb, lambda x: x[2:-2, 2:-2], scale=1, pad=2, multiple=4, tile=32)
    assert np.array_equal(whole, rgb) and np.array_equal(tiled, rgb)


def copy_model(tmp_path: Path, kind: str, name: str) -> Path:
    dst = tmp_path / kind / name
    shutil.copytree(MODELS / kind / name, dst)
    return dst


def test_missing_weights_are_a_typed_error(tmp_path: Path) -> None:
    folder = copy_model(tmp_path, "upscale", "waifu2x-upconv7-2x")
    (folder / "model.bin").unlink()
    with pytest.raises(ModelMissing, match=r"model\.bin is missing"):
        load_engines(FixSpec(upscale=2, upscale_model="waifu2x-upconv7-2x"), "cpu", [tmp_path])


def test_truncated_weights_are_a_typed_error(tmp_path: Path) -> None:
    folder = copy_model(tmp_path, "upscale", "waifu2x-upconv7-2x")
    data = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelBroken):
        load_engines(FixSpec(upscale=2, upscale_model="waifu2x-upconv7-2x"), "cpu", [tmp_path])


def test_missing_rife_says_how_to_make_it(tmp_path: Path) -> None:
    folder = tmp_path / "interpolate" / "rife-4"
    folder.mkdir(parents=True)
    shutil.copy(MODELS / "interpolate" / "rife-4" / "model.json", folder)
    with pytest.raises(ModelMissing, match=r"tools/convert_rife\.py"):
        load_engines(FixSpec(interpolate=Interpolation("factor", 2)), "cpu", [tmp_path])


def test_garbage_onnx_is_a_typed_error(tmp_path: Path) -> None:
    folder = tmp_path / "interpolate" / "rife-4"
    folder.mkdir(parents=True)
    shutil.copy(MODELS / "interpolate" / "rife-4" / "model.json", folder)
    (folder / "rife.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelBroken):
        load_engines(FixSpec(interpolate=Interpolation("factor", 2)), "cpu", [tmp_path])


def test_broken_manifest_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "upscale" / "x").mkdir(parents=True)
    (tmp_path / "upscale" / "x" / "model.json").write_text("{")
    with pytest.raises(ModelBroken, match="manifest"):
        list_models([tmp_path])


def test_four_x_runs_a_two_x_model_twice() -> None:
    engines = load_engines(FixSpec(upscale=4, upscale_model="bicubic"), "cpu")
    assert engines.upscale_passes == 2
    assert engines.image(np.zeros((5, 7, 3), np.uint8)).shape == (20, 28, 3)
