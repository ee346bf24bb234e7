"""Short, consistent text for numbers the window shows (fps, durations, sizes, ranges)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from anicurate.core.media.formats import MediaKind
from anicurate.core.media.info import MediaInfo


def fps_text(fps: Fraction) -> str:
    """``24``, ``23.976``, ``12.5``: exact integers stay integers, others get three decimals."""
    if fps.denominator == 1:
        return str(fps.numerator)
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def duration_text(seconds: float) -> str:
    """``0:05.3`` under an hour, ``1:02:03`` above: editors' habit, readable at a glance."""
    if seconds >= 3600:
        whole = int(seconds)
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    if rest >= 59.95:  # keep 59.97 from printing as 0:60.0
        minutes, rest = minutes + 1, 0.0
    return f"{int(minutes)}:{rest:04.1f}"


def resolution_text(width: int, height: int) -> str:
    return f"{width}\u00d7{height}"


def size_text(n_bytes: int) -> str:
    """Bytes as ``12.3 MB`` (powers of 1000, as file managers show them)."""
    value = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def kind_label(info: MediaInfo) -> str:
    """A short badge for what a source is: ``GIF``, ``WEBP``, ``APNG``, ``STILL`` or ``VIDEO``."""
    if info.kind is MediaKind.ANIMATION:
        suffix = Path(info.path).suffix.lstrip(".").upper()
        return suffix or "ANIM"
    return info.kind.value.upper()


def container_text(info: MediaInfo) -> str:
    """FFmpeg names demuxers by family (``mov,mp4,m4a,3gp,3g2,mj2``); show the member that
    matches the file's extension, with the family in brackets when there is one."""
    names = [n for n in info.container.split(",") if n]
    suffix = Path(info.path).suffix.lstrip(".").lower()
    if len(names) <= 1:
        return info.container
    main = suffix if suffix in names else names[0]
    return f"{main} ({info.container})"


def frame_range_text(first: int, last: int) -> str:
    """An inclusive frame range with its length, e.g. ``0\u201347 (48 frames)``."""
    n = last - first + 1
    return f"{first}\u2013{last} ({n} frame{'' if n == 1 else 's'})"
