"""Safe names and atomic writes inside an export folder: nothing escapes it, nothing half-written
ever sits under a final name."""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

from anicurate.core.errors import AnicurateError

#: Folder inside the export where files are written before they are renamed into place.
TMP_DIR = ".anicurate-tmp"
#: Sidecar with the fingerprint of every rendered file, so a rerun skips unchanged clips.
STATE_FILE = ".anicurate-export.json"
_STEM_MAX = 60


class ExportError(AnicurateError):
    """An export cannot start or a file cannot be written where it should be."""


def safe_stem(text: str, fallback: str = "clip") -> str:
    """An ASCII file stem of letters, digits, ``-`` and ``_`` (no dots: no ``.mp4`` inside)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_-")
    stem = re.sub(r"_+", "_", stem)[:_STEM_MAX].strip("_-")
    return stem or fallback


def inside(root: Path, relative: str | Path) -> Path:
    """``root / relative`` resolved, or ExportError when it would lie outside ``root``."""
    base = root.resolve()
    target = (base / relative).resolve()
    if target == base or not target.is_relative_to(base):
        raise ExportError(f"{relative}: refusing to write outside the export folder {base}")
    return target


def tmp_path(root: Path, suffix: str) -> Path:
    """A fresh temporary name inside the export folder (same file system, so rename is atomic)."""
    folder = inside(root, TMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def replace_into(tmp: Path, root: Path, relative: str | Path) -> Path:
    """Move a finished temporary file to its final name inside ``root``."""
    final = inside(root, relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)
    return final


def write_bytes_atomic(root: Path, relative: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``root/relative`` through a temporary file (unchanged files stay)."""
    final = inside(root, relative)
    if final.is_file() and final.read_bytes() == data:
        return final
    tmp = tmp_path(root, final.suffix + ".part")
    try:
        tmp.write_bytes(data)
        return replace_into(tmp, root, relative)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(root: Path, relative: str | Path, text: str) -> Path:
    """UTF-8 without BOM, ``\\n`` line ends on every OS."""
    return write_bytes_atomic(root, relative, text.encode("utf-8"))


def clean_tmp(root: Path) -> None:
    """Remove what a killed run left in the temporary folder."""
    folder = root.resolve() / TMP_DIR
    if folder.is_dir() and not folder.is_symlink():
        for leftover in folder.iterdir():
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()
