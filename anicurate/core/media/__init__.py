"""Media access: probe files, index their frames, read frame *i* exactly, write test media."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anicurate.core.media.cache import FrameCache
    from anicurate.core.media.formats import MediaKind
    from anicurate.core.media.index import FrameIndex
    from anicurate.core.media.info import MediaInfo
    from anicurate.core.media.probe import probe
    from anicurate.core.media.reader import DEFAULT_CACHE_BYTES, MediaReader, open_media
    from anicurate.core.media.writer import write_animation, write_still, write_video

# Names are imported when first used (PEP 562): a light submodule (limits, formats) can be read
# without loading PyAV, OpenCV and NumPy, which the CLI's start-up does not need.
_HOMES = {
    "FrameCache": "cache",
    "MediaKind": "formats",
    "FrameIndex": "index",
    "MediaInfo": "info",
    "probe": "probe",
    "DEFAULT_CACHE_BYTES": "reader",
    "MediaReader": "reader",
    "open_media": "reader",
    "write_animation": "writer",
    "write_still": "writer",
    "write_video": "writer",
}


def __getattr__(name: str) -> Any:
    """A re-exported name, its module imported on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_CACHE_BYTES",
    "FrameCache",
    "FrameIndex",
    "MediaInfo",
    "MediaKind",
    "MediaReader",
    "open_media",
    "probe",
    "write_animation",
    "write_still",
    "write_video",
]
