"""Hardware decoding: which decoder a source gets ("auto", "cpu" or "cuda") and why not the GPU.

NVDEC is reached through FFmpeg's CUDA hwaccel in PyAV; frames are downloaded to system memory
(NV12, or P010 for 10-bit), which analysis reads as planes. A device that fails to start is
remembered with its reason for the rest of the process, so a folder of thousands of files pays
for one failed start, not thousands. PyAV's hwaccel module is imported only when it is asked.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import av.container
    from av.codec.hwaccel import HWAccel

Decoder = Literal["auto", "cpu", "cuda"]
DECODERS: tuple[Decoder, ...] = ("auto", "cpu", "cuda")

#: "auto" decodes on the GPU only where a device start (a CUDA context per open, typically
#: 0.1-0.3 s) can pay for itself: HD sources at least this large and long. Folders of small
#: GIFs and short clips stay on the CPU. These are estimates; tests/benchmarks/gpu.py measures
#: compute_signals on both decoders for a 1080p clip and should confirm or move them.
AUTO_MIN_WIDTH = 1280
AUTO_MIN_HEIGHT = 720
AUTO_MIN_FRAMES = 240
#: On Linux the NVIDIA driver creates this node; without it "auto" does not try a device.
DRIVER_NODE = "/dev/nvidiactl"


@dataclass(frozen=True, slots=True)
class Decoding:
    """The decoder a source was (or is to be) decoded with, and ``fallback``: why the CPU,
    where CUDA was asked for or chosen by "auto" (None where the CPU was the plan)."""

    decoder: Literal["cpu", "cuda"] = "cpu"
    fallback: str | None = None


CPU = Decoding()

_lock = threading.Lock()
_failed: dict[str, str] = {}  # device type -> why it did not start, for this process


def device_types() -> list[str]:
    """The hardware device types this FFmpeg build has (e.g. ['cuda', 'vaapi'])."""
    from av.codec.hwaccel import hwdevices_available

    return list(hwdevices_available())


def driver_present() -> bool:
    """Whether the machine looks like it has an NVIDIA driver (Linux: its control node;
    elsewhere there is no cheap sign, so a device is simply tried)."""
    if sys.platform.startswith("linux"):
        return os.path.exists(DRIVER_NODE)
    return True


def large_enough(width: int, height: int, frames: int) -> bool:
    """Whether "auto" would decode a source of this size and length on the GPU."""
    long_side, short_side = max(width, height), min(width, height)
    return (
        long_side >= AUTO_MIN_WIDTH
        and short_side >= AUTO_MIN_HEIGHT
        and (frames >= AUTO_MIN_FRAMES)
    )


def failure(kind: str = "cuda") -> str | None:
    """Why a ``kind`` device did not start in this process, or None if it was not tried or did."""
    with _lock:
        return _failed.get(kind)


def remember_failure(reason: str, kind: str = "cuda") -> None:
    """Keep a device start failure for the rest of the process (the first reason stands)."""
    with _lock:
        _failed.setdefault(kind, reason)


def forget_failures() -> None:
    """Forget remembered failures (tests, or a driver installed while the app runs)."""
    with _lock:
        _failed.clear()


def plan(decoder: Decoder, width: int, height: int, frames: int) -> Decoding:
    """What to try for a source: Decoding("cuda"), or the CPU with the reason where CUDA was
    asked for (or chosen by "auto") but is known not to work. "auto" on a small source, or on a
    machine without FFmpeg's CUDA type or an NVIDIA driver, is the CPU with no reason."""
    if decoder == "cpu":
        return CPU
    if decoder == "auto" and not large_enough(width, height, frames):
        return CPU
    if "cuda" not in device_types():
        missing = "this FFmpeg build has no CUDA device type"
        return Decoding("cpu", missing) if decoder == "cuda" else CPU
    if decoder == "auto" and not driver_present():
        return CPU
    memo = failure("cuda")
    return Decoding("cpu", memo) if memo is not None else Decoding("cuda")


def accel(kind: str = "cuda") -> HWAccel:
    """PyAV's settings for decoding on ``kind``; frames come back in system memory, and a stream
    the device cannot decode (profile, codec) is decoded in software instead."""
    from av.codec.hwaccel import HWAccel

    return HWAccel(kind, allow_software_fallback=True)


def device_errors() -> tuple[type[BaseException], ...]:
    """What starting a device may raise: FFmpeg's errors, OSError (PermissionError where no
    driver lets the device open), RuntimeError (NotImplementedError where the build lacks the
    device type) and ValueError (a device type FFmpeg does not know)."""
    import av.error

    return (av.error.FFmpegError, OSError, RuntimeError, ValueError)


def open_on_device(path: str, hwaccel: HWAccel) -> av.container.InputContainer:
    """``av.open`` with a device: this is where the device starts, or fails to (it raises)."""
    import av

    return av.open(path, metadata_errors="replace", hwaccel=hwaccel)


def _did_not_start(err: BaseException, kind: str) -> str:
    reason = f"the {kind.upper()} device did not start ({type(err).__name__}: {err})"
    if kind == "cuda" and not driver_present():
        reason += f"; no NVIDIA driver found ({DRIVER_NODE} is missing)"
    return reason


def start_failed(err: BaseException, kind: str = "cuda") -> str:
    """The reason a device did not start, remembered for the process, and returned."""
    reason = _did_not_start(err, kind)
    remember_failure(reason, kind)
    return failure(kind) or reason


def probe_device(kind: str = "cuda") -> str | None:
    """Start a ``kind`` device for an H.264 decoder and let it go: None when it starts, else why
    not (for ``anicurate doctor``; not remembered, so it says what is true now)."""
    if kind not in device_types():
        return f"this FFmpeg build has no {kind.upper()} device type"
    from av.codec.codec import Codec

    try:
        accel(kind).create(Codec("h264", "r"))
    except device_errors() as err:
        return _did_not_start(err, kind)
    return None


__all__ = ["CPU", "DECODERS", "Decoder", "Decoding", "plan"]
