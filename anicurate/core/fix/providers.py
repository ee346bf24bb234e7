"""What a fix engine can run on here, found by trying (listed is not the same as working)."""

from __future__ import annotations

import ctypes.util
import functools
from typing import Literal

Provider = Literal["auto", "cpu", "cuda", "vulkan"]


@functools.cache
def vulkan_devices() -> int:
    """GPUs ncnn can use through Vulkan; 0 without a Vulkan loader (checked first, because
    ncnn prints a line to stderr for every failed attempt to load one)."""
    if ctypes.util.find_library("vulkan") is None:
        return 0
    import ncnn

    try:
        return int(ncnn.get_gpu_count())
    except Exception:  # a broken driver: ncnn raises various errors
        return 0
