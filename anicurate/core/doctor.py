"""What `anicurate doctor` reports: versions, working ONNX providers, GPUs and tagger models.

Versions come from package metadata (a frozen bundle carries it through the spec's
copy_metadata), so "not installed" means the package really is missing.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from anicurate import paths
from anicurate.core.media import hardware
from anicurate.core.tagging.discovery import TaggerLocation, find_taggers
from anicurate.core.tagging.providers import ProviderStatus, probe_providers


@dataclass(frozen=True, slots=True)
class HardwareDecoding:
    """FFmpeg's hardware device types, and why a CUDA device does not start (None: it does)."""

    device_types: list[str]
    cuda_failure: str | None


@dataclass(frozen=True, slots=True)
class Report:
    versions: dict[str, str]
    providers: list[ProviderStatus]
    gpus: list[str]
    models: list[TaggerLocation]
    models_dirs: list[Path]
    decoding: HardwareDecoding | None = None


def hardware_decoding() -> HardwareDecoding:
    """What NVDEC decoding would find here: FFmpeg's device types and a trial device start."""
    return HardwareDecoding(hardware.device_types(), hardware.probe_device("cuda"))


# (label, distributions that provide it, first installed wins): every package the app imports
PACKAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("anicurate", ("anicurate",)),
    ("PyAV", ("av",)),
    ("numpy", ("numpy",)),
    ("OpenCV", ("opencv-python-headless", "opencv-python")),
    ("onnxruntime", ("onnxruntime-gpu", "onnxruntime")),
    ("PySide6", ("PySide6-Essentials", "PySide6")),
    ("pyqtgraph", ("pyqtgraph",)),
    ("platformdirs", ("platformdirs",)),
    ("Pillow", ("pillow",)),
)
NOT_INSTALLED = "not installed"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def package_versions() -> dict[str, str]:
    """Each of PACKAGES with its installed version (and distribution when there are several)."""
    found: dict[str, str] = {}
    for label, dists in PACKAGES:
        found[label] = NOT_INSTALLED
        for dist in dists:
            version = _version(dist)
            if version != NOT_INSTALLED:
                found[label] = version if len(dists) == 1 else f"{version} ({dist})"
                break
    return found


def provider_library(name: str, capi_dir: Path) -> Path | None:
    """The shared library a GPU execution provider loads from onnxruntime's capi folder, if any.

    The CPU provider is built in; None for it too.
    """
    if name == "CPUExecutionProvider":
        return None
    short = name.removesuffix("ExecutionProvider").lower()
    return next(iter(sorted(capi_dir.glob(f"*onnxruntime_providers_{short}.*"))), None)


def explain_absent_providers(
    statuses: list[ProviderStatus], capi_dir: Path, frozen: bool
) -> list[ProviderStatus]:
    """Say so when a provider failed because its library is not there at all.

    onnxruntime-gpu lists CUDA and TensorRT even where their libraries were left out (the
    CPU-only release bundle drops them); "not in this build" is the truth, not a missing CUDA.
    """
    where = "this bundle is CPU-only (see packaging/README.md)" if frozen else "not installed"
    return [
        s
        if s.works or s.name == "CPUExecutionProvider" or provider_library(s.name, capi_dir)
        else replace(s, detail=f"provider library absent: {where}")
        for s in statuses
    ]
def ffmpeg_versions() -> str:
    """The FFmpeg inside PyAV's wheel (no system ffmpeg is used)."""
    import av

    libs = getattr(av, "library_versions", {})
    avcodec = libs.get("libavcodec")
    codec = ".".join(map(str, avcodec)) if avcodec else "?"
    ffmpeg = getattr(av, "ffmpeg_version_info", "?")
    return f"FFmpeg {ffmpeg} (libavcodec {codec})"


def visible_gpus() -> list[str]:
    """NVIDIA GPUs the driver shows, by ``nvidia-smi -L``; empty when there is none or no driver."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip().startswith("GPU")]


def collect(probe_model: Path, models_dirs: list[Path]) -> Report:
    """Gather the report; slow parts (provider probing) take about a second."""
    import onnxruntime as ort

    build = "frozen bundle" if paths.is_frozen() else "Python"
    versions = {
        "Python": f"{platform.python_version()} ({build}: {sys.executable})",
        **package_versions(),
        "FFmpeg": ffmpeg_versions(),
    }
    capi = Path(ort.__file__).parent / "capi"
    return Report(
        versions=versions,
        providers=explain_absent_providers(probe_providers(probe_model), capi, paths.is_frozen()),
        gpus=visible_gpus(),
        models=find_taggers(models_dirs),
        models_dirs=models_dirs,
        decoding=hardware_decoding(),
    )
