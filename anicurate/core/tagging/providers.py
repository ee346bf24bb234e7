"""Which ONNX Runtime execution providers really load here (listed is not the same as working)."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

PREFERRED_ORDER = ("CUDAExecutionProvider", "CPUExecutionProvider")


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    name: str
    works: bool
    detail: str  # why not, or what ran


def preload_cuda_libraries() -> list[str]:
    """Load CUDA/cuDNN from the nvidia-* wheels (the ``cuda`` extra) when onnxruntime can.

    Returns the libraries it could not load (onnxruntime prints them; we collect them instead).
    """
    import onnxruntime as ort

    preload = getattr(ort, "preload_dlls", None)
    if preload is None:
        return []
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(Exception):
        preload()
    return re.findall(r"Failed to load (\S+?):", out.getvalue())


def probe_providers(model: Path) -> list[ProviderStatus]:
    """Create a session on ``model`` with each available provider alone and report what loaded.

    onnxruntime falls back to CPU silently when a GPU provider fails; asking for one provider
    at a time and reading ``get_providers()`` back is what tells the truth.
    """
    import numpy as np
    import onnxruntime as ort

    ort.set_default_logger_severity(4)  # our report replaces its log lines
    missing = preload_cuda_libraries()
    statuses: list[ProviderStatus] = []
    for name in ort.get_available_providers():
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                session = ort.InferenceSession(str(model), providers=[name])
        except Exception as exc:  # a provider that cannot initialise raises various errors
            statuses.append(
                ProviderStatus(name, False, f"failed to start: {str(exc).splitlines()[0][:160]}")
            )
            continue
        if name not in session.get_providers():
            why = "its libraries did not load"
            if name == "CUDAExecutionProvider" and missing:
                why = "missing " + ", ".join(missing[:4]) + (" ..." if len(missing) > 4 else "")
            elif name == "TensorrtExecutionProvider":
                why = "TensorRT libraries not installed"
            statuses.append(ProviderStatus(name, False, f"listed, but {why}; fell back to CPU"))
            continue
        inp = session.get_inputs()[0]
        shape = [d if isinstance(d, int) else 1 for d in inp.shape]
        try:
            session.run(None, {inp.name: np.zeros(shape, np.float32)})
        except Exception as exc:
            statuses.append(ProviderStatus(name, False, f"loaded but failed to run: {exc}"))
            continue
        statuses.append(ProviderStatus(name, True, "runs"))
    return statuses
