"""Engines without a model file, on the CPU through OpenCV: bicubic, non-local means, blend."""

from __future__ import annotations

from typing import ClassVar

import cv2
import numpy as np

from anicurate.core.fix.models import ModelInfo


class BicubicUpscaler:
    """Plain bicubic enlargement: the baseline every model is measured against."""

    def __init__(self, info: ModelInfo, scale: int = 2) -> None:
        self.info, self.name, self.scale = info, info.name, scale
        self.providers = ["cpu"]

    @property
    def badge(self) -> str:
        return f"{self.name} on CPU (OpenCV)"

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return cv2.resize(rgb, (w * self.scale, h * self.scale), interpolation=cv2.INTER_CUBIC)


class NlMeansDenoiser:
    """OpenCV fastNlMeansDenoisingColored: a CPU fallback, blurrier than the waifu2x models."""

    STRENGTH: ClassVar[dict[int, float]] = {1: 3.0, 2: 6.0, 3: 10.0}  # filter strength h per level

    def __init__(self, info: ModelInfo, level: int) -> None:
        self.info, self.name, self.level, self.scale = info, info.name, level, 1
        self.providers = ["cpu"]

    @property
    def badge(self) -> str:
        return f"{self.name} level {self.level} on CPU (OpenCV)"

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        h = self.STRENGTH[self.level]
        return cv2.fastNlMeansDenoisingColored(rgb, None, h, h, 7, 21)


class BlendInterpolator:
    """A weighted blend of the two frames, no motion: the baseline RIFE is measured against."""

    def __init__(self, info: ModelInfo) -> None:
        self.info, self.name = info, info.name
        self.providers = ["cpu"]

    @property
    def badge(self) -> str:
        return f"{self.name} on CPU (no model)"

    def __call__(self, a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
        return cv2.addWeighted(a, 1.0 - t, b, t, 0.0)
