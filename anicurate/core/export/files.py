"""Safe names and atomic writes inside an export folder: nothing escapes it, nothing half-written
ever sits under a final name, and while an export runs every write asks its :class:`Guard`
(see ownership.py) whether the file it would replace is one the export wrote."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from anicurate.core.errors import AnicurateError

#: Folder inside the export where files are written before they are renamed into place.
TMP_DIR = ".anicurate-tmp"
#: Sidecar with the fingerprint of every rendered file, so a rerun skips unchanged clips.
STATE_FILE = ".anicurate-export.json"
_STEM_MAX = 60


class ExportError(AnicurateError):
    """An export cannot start or a file cannot be written where it should be."""


class Guard(Protocol):
    """Who decides, during an export, whether a file under a final name may be replaced."""

    def admit(self, relative: str, final: Path, *, report: bool = True) -> bool:
        """True when ``final`` is absent or holds what this export wrote there."""
        ...

    def intend(self, relative: str, digest: str) -> None:
        """Called before ``relative`` gets the bytes of ``digest`` (a crash may follow)."""
        ...

    def wrote(self, relative: str, digest: str) -> None:
        """Called once ``relative`` holds the bytes of ``digest``."""
        ...


_guards: dict[Path, Guard] = {}
_guards_lock = threading.Lock()


@contextlib.contextmanager
def guarding(root: Path, guard: Guard) -> Iterator[None]:
    """Route every write into ``root`` through ``guard`` while the block runs."""
    key = root.resolve()
    with _guards_lock:
        _guards[key] = guard
    try:
        yield
    finally:
        with _guards_lock:
            _guards.pop(key, None)


def guard_for(root: Path) -> Guard | None:
    """The guard of the export running in ``root``, if any."""
    with _guards_lock:
        return _guards.get(root.resolve())


def digest_bytes(data: bytes) -> str:
    """blake2b-256 hex digest, the hash recorded for every exported file."""
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def file_digest(path: Path) -> str:
    """blake2b-256 hex digest of a file's bytes, read in chunks."""
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def relative_name(root: Path, final: Path) -> str:
    """``final``'s path inside ``root`` with ``/`` separators (how records name files)."""
    return final.relative_to(root.resolve()).as_posix()


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


def replace_into(tmp: Path, root: Path, relative: str | Path, digest: str | None = None) -> Path:
    """Move a finished temporary file to its final name inside ``root``.

    During an export, ExportError when the final name holds a file the export did not write.
    """
    final = inside(root, relative)
    guard = guard_for(root)
    if guard is None:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return final
    rel = relative_name(root, final)
    if not guard.admit(rel, final, report=False):
        raise ExportError(
            f"{final} changed after the last export (or was never written by it): left as is; "
            "move it away to export it again"
        )
    _replace_guarded(tmp, final, rel, digest or file_digest(tmp), guard)
    return final


def _replace_guarded(tmp: Path, final: Path, rel: str, digest: str, guard: Guard) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    guard.intend(rel, digest)
    os.replace(tmp, final)
    guard.wrote(rel, digest)


def write_bytes_atomic(root: Path, relative: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``root/relative`` through a temporary file (unchanged files stay).

    During an export, a file there that the export did not write (or that was edited since) is
    left as it is; the guard reports it.
    """
    final = inside(root, relative)
    guard = guard_for(root)
    rel = relative_name(root, final)
    if guard is not None and not guard.admit(rel, final):
        return final
    digest = digest_bytes(data)
    if final.is_file() and final.read_bytes() == data:
        if guard is not None:
            guard.wrote(rel, digest)
        return final
    tmp = tmp_path(root, final.suffix + ".part")
    try:
        tmp.write_bytes(data)
        if guard is None:
            return replace_into(tmp, root, relative)
        _replace_guarded(tmp, final, rel, digest, guard)
        return final
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
