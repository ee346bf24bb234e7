"""What `anicurate doctor` reports: versions, working ONNX providers, GPUs and tagger models."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from anicurate.core.tagging.discovery import TaggerLocation, find_taggers
from anicurate.core.tagging.providers import ProviderStatus, probe_providers


@dataclass(frozen=True, slots=True)
class Report:
    versions: dict[str, str]
    providers: list[ProviderStatus]
    gpus: list[str]
    models: list[TaggerLocation]
    models_dirs: list[Path]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


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

    versions = {
        "anicurate": _version("anicurate"),
        "Python": f"{platform.python_version()} ({sys.executable})",
        "PyAV": _version("av"),
        "FFmpeg": ffmpeg_versions(),
        "numpy": _version("numpy"),
        "OpenCV": _version("opencv-python-headless"),
        "onnxruntime": f"{ort.__version__} ({ort.get_device()} build)",
        "pyqtgraph": _version("pyqtgraph"),
    }
    return Report(
        versions=versions,
        providers=probe_providers(probe_model),
        gpus=visible_gpus(),
        models=find_taggers(models_dirs),
        models_dirs=models_dirs,
    )
