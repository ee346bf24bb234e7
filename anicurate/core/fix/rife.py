"""RIFE 4.x frame interpolation, run by onnxruntime (CUDA when it really works, else the CPU)."""

from __future__ import annotations

import os

import cv2
import numpy as np

from anicurate.core.fix.errors import FixError, ModelBroken, ModelMissing
from anicurate.core.fix.models import ModelInfo
from anicurate.core.fix.providers import Provider

CONVERT_HINT = "run tools/convert_rife.py (see models/README.md)"


class RifeInterpolator:
    """Synthesises the frame at time ``t`` between two frames; ``providers`` is what ran."""

    def __init__(self, info: ModelInfo, provider: Provider = "auto") -> None:
        import onnxruntime as ort

        from anicurate.core.tagging.providers import preload_cuda_libraries

        self.info = info
        self.name = info.name
        self._multiple = int(info.manifest.get("multiple", 128))
        path = info.file("file", "rife.onnx")
        if not path.is_file():
            raise ModelMissing(
                f"interpolation model {info.name}: {path} is missing; {CONVERT_HINT}"
            )
        if provider == "vulkan":
            raise FixError(f"{info.name} runs on onnxruntime: choose cuda or cpu, not vulkan")
        wanted = ["CPUExecutionProvider"]
        if (
            provider in ("auto", "cuda")
            and "CUDAExecutionProvider" in ort.get_available_providers()
        ):
            preload_cuda_libraries()
            wanted.insert(0, "CUDAExecutionProvider")
        ort.set_default_logger_severity(4)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = os.cpu_count() or 1
        try:
            self._session = ort.InferenceSession(str(path), opts, providers=wanted)
        except Exception as exc:  # onnxruntime raises its own classes for a bad file
            raise ModelBroken(
                f"interpolation model {info.name} does not load: {str(exc)[:200]}"
            ) from exc
        # onnxruntime falls back to CPU silently: read back what it really took
        self.providers = (
            ["cuda"] if "CUDAExecutionProvider" in self._session.get_providers() else ["cpu"]
        )
        if provider == "cuda" and self.providers != ["cuda"]:
            raise FixError("CUDA does not work here for onnxruntime (see anicurate doctor)")
        names = {i.name for i in self._session.get_inputs()}
        if names != {"img0", "img1", "timestep"}:
            raise ModelBroken(
                f"interpolation model {info.name}: inputs {sorted(names)}, not RIFE's"
            )

    @property
    def badge(self) -> str:
        """What it really runs on, for a person."""
        return f"{self.name} on {'CUDA GPU' if self.providers == ['cuda'] else 'CPU'} (onnxruntime)"

    def __call__(self, a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
        """The frame a fraction ``t`` (0..1) of the way from ``a`` to ``b`` (HxWx3 uint8 RGB)."""
        h, w = a.shape[:2]
        eh, ew = -h % self._multiple, -w % self._multiple

        def tensor(rgb: np.ndarray) -> np.ndarray:
            padded = cv2.copyMakeBorder(rgb, 0, eh, 0, ew, cv2.BORDER_REPLICATE)
            return (padded.astype(np.float32) * (1.0 / 255.0)).transpose(2, 0, 1)[None]

        feed = {"img0": tensor(a), "img1": tensor(b),
                "timestep": np.full((1, 1, 1, 1), t, np.float32)}  # fmt: skip
        try:
            out = np.asarray(self._session.run(None, feed)[0])
        except Exception as exc:
            raise ModelBroken(f"interpolation model {self.name} failed: {str(exc)[:200]}") from exc
        frame = out[0, :, :h, :w].transpose(1, 2, 0)
        return np.clip(frame * 255.0 + 0.5, 0, 255).astype(np.uint8)
