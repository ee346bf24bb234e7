"""The pixel limit: a picture too large to decode is refused from the size its header declares.

A 16000x16000 PNG of zeros is a few kB on disk but 768 MB decoded (FFmpeg probing one took
2 GB), and a GIF may declare a 65535x65535 screen. The sizes are read here from the fixed header
fields rather than through Pillow, whose ``Image.open`` raises its own decompression-bomb error
before telling the size, and whose WebP opener builds a decoder with a full canvas.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from anicurate.core.errors import MediaError, MediaErrorKind

#: Default most pixels (width x height) of a frame anicurate decodes: 8192x8192, 64 Mpx. An 8K
#: video (7680x4320, 33 Mpx) and large key-art scans fit with room, one decoded RGB frame stays
#: under 192 MiB (a GIF's RGBA canvas under 256 MiB), and the limit sits below Pillow's own
#: decompression-bomb threshold (89 Mpx), so anicurate's message is the one a person sees.
DEFAULT_MAX_PIXELS = 8192 * 8192

# A JPEG's frame header follows its APP segments (EXIF with a thumbnail, ICC profiles): 1 MiB
# holds them in practice; a frame header beyond it is left to FFmpeg.
_JPEG_HEAD = 1 << 20


def check_pixels(path: str | Path, width: int, height: int, max_pixels: int | None) -> None:
    """MediaError TOO_LARGE when ``width * height`` is over ``max_pixels`` (None: no limit)."""
    if max_pixels is not None and width * height > max_pixels:
        detail = f"{width}\u00d7{height} over the limit of {max_pixels:,} pixels"
        raise MediaError(path, MediaErrorKind.TOO_LARGE, detail)


def declared_size(f: BinaryIO, family: str | None) -> tuple[int, int] | None:
    """(width, height) the header of a picture file of this family declares, read from ``f``.

    None when the family is not one read here (videos: their size comes from the demuxer) or
    the header is too garbled to say; what the file really is, FFmpeg decides later. For a GIF
    this is the logical screen: FFmpeg clips every frame to it, so no frame decodes larger.
    """
    reader = _READERS.get(family or "")
    if reader is None:
        return None
    try:
        f.seek(0)
        return reader(f)
    except (struct.error, ValueError, IndexError):
        return None


def _png(f: BinaryIO) -> tuple[int, int] | None:
    head = f.read(24)
    if head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def _gif(f: BinaryIO) -> tuple[int, int] | None:
    width, height = struct.unpack("<HH", f.read(10)[6:10])  # the logical screen
    return int(width), int(height)


def _bmp(f: BinaryIO) -> tuple[int, int] | None:
    head = f.read(26)
    (dib_size,) = struct.unpack("<I", head[14:18])
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sides
        width, height = struct.unpack("<HH", head[18:22])
    else:  # a negative height means top-down rows
        width, height = struct.unpack("<ii", head[18:26])
    return abs(int(width)), abs(int(height))


def _webp(f: BinaryIO) -> tuple[int, int] | None:
    head = f.read(30)
    chunk = head[12:16]
    if chunk == b"VP8X":  # extended: the canvas, 24-bit sides minus one
        width = 1 + int.from_bytes(head[24:27], "little")
        height = 1 + int.from_bytes(head[27:30], "little")
        return width, height
    if chunk == b"VP8L" and head[20] == 0x2F:  # lossless: 14-bit sides minus one
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":  # lossy key frame: 14-bit sides
        width, height = struct.unpack("<HH", head[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    return None


def _jpeg(f: BinaryIO) -> tuple[int, int] | None:
    """Walk the marker segments to the first frame header (SOFn)."""
    data = f.read(_JPEG_HEAD)
    pos = 2  # after SOI
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            return None
        code = data[pos + 1]
        if code == 0xFF:  # a fill byte before the marker
            pos += 1
            continue
        pos += 2
        if code == 0x01 or 0xD0 <= code <= 0xD8:  # markers without a segment
            continue
        if code in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            return int(width), int(height)
        if length < 2:
            return None
        pos += length
    return None


_READERS: dict[str, Callable[[BinaryIO], tuple[int, int] | None]] = {
    "png": _png,
    "gif": _gif,
    "bmp": _bmp,
    "webp": _webp,
    "jpeg": _jpeg,
}
