"""waifu2x / Real-ESRGAN models in ncnn format: upscale or denoise, on Vulkan or the CPU."""

from __future__ import annotations

import os
import threading

import numpy as np

from anicurate.core.fix.errors import FixError, ModelBroken, ModelMissing
from anicurate.core.fix.models import ModelInfo
from anicurate.core.fix.providers import Provider, vulkan_devices
from anicurate.core.fix.tiling import DEFAULT_TILE, run_tiled


class NcnnImageModel:
    """One ncnn image-to-image model; ``providers`` says where it really runs."""

    def __init__(
        self, info: ModelInfo, provider: Provider = "auto", tile: int = DEFAULT_TILE
    ) -> None:
        import ncnn

        self.info = info
        self.name = info.name
        self.scale = info.scale
        self.tile = tile
        m = info.manifest
        self._pad = int(m.get("prepad", 0))
        self._multiple = int(m.get("multiple", 1))
        self._in, self._out = str(m.get("input", "Input1")), str(m.get("output", "Eltwise4"))
        self._output_padded = bool(m.get("output_padded", False))
        param, weights = info.file("param", "model.param"), info.file("bin", "model.bin")
        for f in (param, weights):
            if not f.is_file():
                raise ModelMissing(f"{info.kind} model {info.name}: {f} is missing")
        if provider == "cuda":
            raise FixError(f"{info.name} runs on ncnn: choose vulkan or cpu, not cuda")
        gpu = provider in ("auto", "vulkan") and vulkan_devices() > 0
        if provider == "vulkan" and not gpu:
            raise FixError("no Vulkan device here: ncnn would run on the CPU (use --provider cpu)")
        self.providers = ["vulkan"] if gpu else ["cpu"]
        self._net = ncnn.Net()
        self._net.opt.use_vulkan_compute = gpu
        self._net.opt.num_threads = os.cpu_count() or 1
        if self._net.load_param(str(param)) != 0 or self._net.load_model(str(weights)) != 0:
            raise ModelBroken(
                f"{info.kind} model {info.name}: ncnn cannot load {param.name}/{weights.name}"
            )
        self._lock = threading.Lock()  # one extraction at a time per net
        self.check()

    @property
    def badge(self) -> str:
        """What it really runs on, for a person."""
        return f"{self.name} on {'Vulkan GPU' if self.providers == ['vulkan'] else 'CPU'} (ncnn)"

    def check(self) -> None:
        """Run once on a tiny frame so a corrupt weight file fails here, not mid-export."""
        probe = np.full((8, 8, 3), 128, np.uint8)
        try:
            out = self(probe)
        except Exception as exc:
            raise ModelBroken(f"{self.info.kind} model {self.name} does not run: {exc}") from exc
        if not np.isfinite(out).all() or abs(float(out.mean()) - 128) > 40:
            raise ModelBroken(f"{self.info.kind} model {self.name} gives garbage on a grey frame")

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        """The frame upscaled (or denoised): HxWx3 uint8 RGB in, (H*scale)x(W*scale)x3 out."""
        return run_tiled(rgb, self._tile, scale=self.scale, pad=self._pad,
                         multiple=self._multiple, tile=self.tile)  # fmt: skip

    def _tile(self, piece: np.ndarray) -> np.ndarray:
        import ncnn

        planar = np.ascontiguousarray(piece.transpose(2, 0, 1))  # the Mat borrows this memory
        with self._lock:
            ex = self._net.create_extractor()
            ex.input(self._in, ncnn.Mat(planar))
            ret, mat = ex.extract(self._out)
        if ret != 0:
            raise ModelBroken(f"{self.name}: ncnn extract failed ({ret})")
        out = np.array(mat).transpose(1, 2, 0)  # a copy: the Mat frees its memory
        if self._output_padded:
            cut = self._pad * self.scale
            out = out[cut : out.shape[0] - cut, cut : out.shape[1] - cut]
        return out
