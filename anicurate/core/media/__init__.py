"""Media access: probe files, index their frames, read frame *i* exactly, write test media."""

from typing import TYPE_CHECKING

from anicurate.core.lazy import lazy_exports

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


__getattr__ = lazy_exports(__name__, _HOMES)

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
