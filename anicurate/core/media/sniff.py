"""Recognise media files by their first bytes and tell whether one ends before its structure says.

FFmpeg only answers "invalid data" for a file it cannot open; these checks turn that into the
difference a person cares about: not media at all, a media file cut short, or a damaged one.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 64
_MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp")


def sniff(head: bytes) -> str | None:
    """The format family the leading bytes announce ("mp4", "matroska", "gif" ...) or None."""
    if len(head) >= 8 and head[4:8] in _MP4_BOXES:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"BM") and len(head) >= 6:
        return "bmp"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpeg-ps"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "mpegts"
    return None


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(max(HEAD_BYTES, 189))


def looks_truncated(path: Path, family: str | None) -> bool:
    """True when the file of this family ends before its own headers say it should."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            if family == "mp4":
                return _mp4_truncated(f, size)
            if family == "matroska":
                return _matroska_truncated(f.read(4096), size)
            if family in ("avi", "webp"):
                riff: int = struct.unpack("<I", f.read(8)[4:8])[0]
                return 8 + riff > size
            if family == "bmp":
                declared: int = struct.unpack("<I", f.read(6)[2:6])[0]
                return declared > size
            if family in ("gif", "png", "jpeg"):
                f.seek(max(0, size - 16))
                tail = f.read().rstrip(b"\x00") if family == "jpeg" else f.read()
                if family == "gif":
                    return not tail.endswith(b"\x3b")
                if family == "png":
                    return not tail.endswith(b"IEND\xaeB`\x82")
                return not tail.endswith(b"\xff\xd9")
    except (OSError, struct.error):
        return False
    return False


def _mp4_truncated(f: BinaryIO, size: int) -> bool:
    """Walk the top-level boxes: one running past the end, or no moov at all, means cut short."""
    offset = 0
    seen_moov = False
    while offset + 8 <= size:
        f.seek(offset)
        header = f.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                return True
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset  # the box runs to the end of the file
        if box_size < 8:
            return False  # not a box structure we understand; let FFmpeg's verdict stand
        seen_moov = seen_moov or box_type == b"moov"
        if offset + box_size > size:
            return True
        offset += box_size
    return not seen_moov


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """Read an EBML variable-length integer: (value, next position, all-ones i.e. "unknown")."""
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise struct.error("bad EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _matroska_truncated(data: bytes, size: int) -> bool:
    """The Segment element's declared size reaching past the end of the file means cut short."""
    _, pos, _ = _ebml_vint(data, 0, keep_marker=True)  # EBML header ID
    header_size, pos, _ = _ebml_vint(data, pos, keep_marker=False)
    pos += header_size
    if pos >= len(data):
        return pos >= size
    seg_id, pos, _ = _ebml_vint(data, pos, keep_marker=True)
    if seg_id != 0x18538067:
        return False
    seg_size, pos, unknown = _ebml_vint(data, pos, keep_marker=False)
    return not unknown and pos + seg_size > size
