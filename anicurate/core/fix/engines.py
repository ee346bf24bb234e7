"""The engine registry: what each kind of fix runs, loaded on the provider asked for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from anicurate.core.fix.errors import FixError
from anicurate.core.fix.models import ModelInfo, find_model, list_models
from anicurate.core.fix.providers import Provider
from anicurate.core.fix.spec import FixSpec


class ImageEngine(Protocol):
    """Upscaler or denoiser: one frame in, one frame (``scale`` times larger) out."""

    name: str
    scale: int
    providers: list[str]

    @property
    def badge(self) -> str: ...

    def __call__(self, rgb: np.ndarray) -> np.ndarray: ...


class Interpolator(Protocol):
    """Synthesises the frame a fraction ``t`` of the way from ``a`` to ``b``."""

    name: str
    providers: list[str]

    @property
    def badge(self) -> str: ...

    def __call__(self, a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray: ...


Upscaler = ImageEngine
Denoiser = ImageEngine


@dataclass(frozen=True, slots=True)
class Engines:
    """The loaded engines of one fix (None where the fix does not need one)."""

    denoiser: Denoiser | None = None
    upscaler: Upscaler | None = None
    upscale_passes: int = 0  # a 2x model run twice gives 4x
    interpolator: Interpolator | None = None

    @property
    def badges(self) -> list[str]:
        """One line per engine: which model runs on what."""
        engines = (self.denoiser, self.upscaler, self.interpolator)
        return [e.badge for e in engines if e is not None]

    def image(self, rgb: np.ndarray) -> np.ndarray:
        """Denoise, then upscale, one source frame."""
        if self.denoiser is not None:
            rgb = self.denoiser(rgb)
        for _ in range(self.upscale_passes):
            assert self.upscaler is not None
            rgb = self.upscaler(rgb)
        return rgb


def load_image_model(info: ModelInfo, provider: Provider = "auto", level: int = 1) -> ImageEngine:
    """An upscaler or denoiser for ``info``."""
    from anicurate.core.fix import opencv_engine

    if info.engine == "ncnn":
        from anicurate.core.fix.ncnn_engine import NcnnImageModel

        return NcnnImageModel(info, provider)
    if info.engine == "opencv" and info.kind == "upscale":
        return opencv_engine.BicubicUpscaler(info)
    if info.engine == "opencv" and info.kind == "denoise":
        return opencv_engine.NlMeansDenoiser(info, max(1, level))
    raise FixError(f"{info.kind} model {info.name}: engine {info.engine!r} cannot run it")


def load_interpolator(info: ModelInfo, provider: Provider = "auto") -> Interpolator:
    """An interpolator for ``info``."""
    from anicurate.core.fix.opencv_engine import BlendInterpolator
    from anicurate.core.fix.rife import RifeInterpolator

    if info.engine == "onnx":
        return RifeInterpolator(info, provider)
    if info.engine == "opencv":
        return BlendInterpolator(info)
    raise FixError(f"interpolation model {info.name}: engine {info.engine!r} cannot run it")


def denoise_model(level: int, name: str | None, roots: list[Path] | None = None) -> ModelInfo:
    """The named denoiser, else the installed model of that level (else the nearest level)."""
    if name is not None:
        return find_model("denoise", name, roots)
    leveled = [m for m in list_models(roots) if m.kind == "denoise" and "level" in m.manifest]
    if not leveled:
        return find_model("denoise", "opencv-nlmeans", roots)
    return min(
        leveled, key=lambda m: (abs(int(m.manifest["level"]) - level), -int(m.manifest["level"]))
    )


def load_engines(
    spec: FixSpec, provider: Provider = "auto", roots: list[Path] | None = None
) -> Engines:
    """Load what ``spec`` needs; raises UnknownModel, ModelMissing, ModelBroken or FixError."""
    denoiser = upscaler = interpolator = None
    passes = 0
    if spec.denoise:
        denoiser = load_image_model(denoise_model(spec.denoise, spec.denoise_model, roots),
                                    provider, spec.denoise)  # fmt: skip
    if spec.upscale > 1:
        upscaler = load_image_model(find_model("upscale", spec.upscale_model, roots), provider)
        factor = 1
        while factor < spec.upscale:
            factor *= upscaler.scale
            passes += 1
        if factor != spec.upscale:
            raise FixError(
                f"{upscaler.name} enlarges {upscaler.scale}x: cannot reach {spec.upscale}x"
            )
    if spec.interpolate is not None:
        interpolator = load_interpolator(
            find_model("interpolate", spec.interp_model, roots), provider
        )
    return Engines(denoiser, upscaler, passes, interpolator)
