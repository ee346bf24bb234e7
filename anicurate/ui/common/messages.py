"""The one place where core errors and job results become words for the user of the window.

Widgets never format an exception themselves: they call :func:`describe_error` (raised errors)
or :func:`explain_source_error` (errors stored in the catalogue), so the wording stays consistent.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

from anicurate.core.errors import (
    AnicurateError,
    FrameOutOfRange,
    MediaError,
    MediaErrorKind,
    ProjectError,
    SchemaTooNew,
)
from anicurate.core.jobs import Progress
from anicurate.core.tagging.errors import (
    TaggerError,
    TaggerFileMissing,
    TaggerUnavailable,
)

# What each stored error kind means for a person, and what they can do about it.
_KIND_EXPLANATIONS: dict[str, str] = {
    MediaErrorKind.NOT_FOUND: (
        "The file is no longer at this path. Move it back, or import the folder it is in now."
    ),
    MediaErrorKind.PERMISSION: "anicurate may not read this file. Check its permissions.",
    MediaErrorKind.ZERO_LENGTH: (
        "The file is empty (0 bytes): the download or copy probably failed."
    ),
    MediaErrorKind.NOT_MEDIA: (
        "This is not a video, animation or image that anicurate can read, whatever its name says."
    ),
    MediaErrorKind.TRUNCATED: (
        "The file ends early, probably an incomplete download. Download it again."
    ),
    MediaErrorKind.CORRUPT: "The file is damaged: its frames could not be decoded.",
    MediaErrorKind.UNSUPPORTED_CODEC: (
        "The file uses a codec that this build of FFmpeg cannot decode. "
        "Convert it (e.g. to H.264) and import the result."
    ),
    MediaErrorKind.NO_FRAMES: "The file holds no picture (audio only, or an empty stream).",
    MediaErrorKind.NOT_REGULAR: (
        "This is a pipe, device or socket, not a file: anicurate never reads from one."
    ),
    MediaErrorKind.TOO_LARGE: (
        "The picture is too large to decode safely. Scale it down, or import it with a higher"
        " --max-pixels."
    ),
}


# What a failed write or read means for a person, and what to do; the work done is kept
# because every item commits on its own.
_KEPT = "Work finished before this is kept; run it again to complete the rest."
_ERRNO_EXPLANATIONS: dict[int, str] = {
    errno.ENOSPC: f"The disk is full. Free some space. {_KEPT}",
    errno.EACCES: "anicurate may not write or read here. Check the permissions of the file "
    "and its folder.",
    errno.EPERM: "anicurate may not write or read here. Check the permissions of the file "
    "and its folder.",
    errno.EROFS: "The disk or folder is read-only. Choose a writable place, or make this one "
    "writable.",
    errno.EIO: "The disk reported a read or write failure (a failing disk or a lost network "
    "share?).",
}
if hasattr(errno, "EDQUOT"):
    _ERRNO_EXPLANATIONS[errno.EDQUOT] = f"Your disk quota is used up. Free some space. {_KEPT}"


def os_error_text(err: OSError) -> str:
    """``<path>: what it means and what to do`` for a full, read-only or forbidden disk; other
    OSErrors as the platform words them, with their file."""
    plain = _ERRNO_EXPLANATIONS.get(err.errno or -1)
    if plain is None:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror or err}{where}"
    return f"{err.filename}: {plain}" if err.filename else plain


def explain_source_error(kind: str | None, message: str | None) -> str:
    """Plain words for an error stored with a source: what it means, then the decoder's words."""
    explanation = _KIND_EXPLANATIONS.get(kind or "", "")
    detail = (message or "").strip()
    if explanation and detail and detail != kind:
        return f"{explanation}\nDetails: {detail}"
    return explanation or detail or "This file could not be imported."


def short_source_error(kind: str | None, message: str | None) -> str:
    """One line for badges, lists and table cells: the stored message, or the kind alone."""
    return (message or "").strip() or (kind or "") or "error"


def describe_error(err: BaseException) -> str:
    """A message for a person from any exception a core call or a job raised."""
    if isinstance(err, SchemaTooNew):
        return (
            "This project was saved by a newer version of anicurate. Update anicurate to open "
            f"it; the project was not changed. ({err})"
        )
    if isinstance(err, ProjectError):
        return f"The project could not be opened or written: {err}"
    if isinstance(err, MediaError):
        plain = _KIND_EXPLANATIONS.get(err.kind, "")
        name = Path(err.path).name or err.path
        return f"{name}: {plain} ({err.message})" if plain else f"{name}: {err.message}"
    if isinstance(err, FrameOutOfRange):
        return f"Frame out of range: {err}"
    if isinstance(err, TaggerError):
        return tagger_error_text(err)
    if isinstance(err, TaggerUnavailable):
        return f"The tagger could not be fetched: {err}"
    if isinstance(err, AnicurateError):
        return str(err)
    if isinstance(err, OSError):
        return os_error_text(err)
    if isinstance(err, sqlite3.Error):
        return f"The project could not be read or written: {err}. {_KEPT}"
    return f"Unexpected error ({type(err).__name__}): {err}. This is a bug in anicurate."


def progress_text(verb: str, progress: Progress) -> str:
    """The status-bar line for a running job, e.g. ``importing 12/40: name.mp4``."""
    name = Path(progress.item).name if progress.item else ""
    if progress.total:
        count = f" {progress.done}/{progress.total}"
    else:
        count = f" {progress.done}" if progress.done else "\u2026"  # total not known yet
    return f"{verb}{count}: {name}" if name else f"{verb}{count}"


def import_summary_text(summary: Any) -> str:
    """One line summing up an import (an ``ImportSummary``): added, unchanged, relinked, failed."""
    added = int(summary.added)
    unchanged = int(summary.unchanged)
    relinked = int(summary.relinked)
    updated = int(getattr(summary, "updated", 0))
    failed = len(summary.failed)
    total = added + unchanged + relinked + updated + failed
    noun = "file" if total == 1 else "files"
    parts = [f"{added} added", f"{unchanged} unchanged", f"{relinked} relinked"]
    if updated:
        parts.append(f"{updated} updated")
    parts.append(f"{failed} failed")
    text = f"Import finished, {total} {noun}: " + ", ".join(parts)
    return text + (" (see Problems)" if failed else "")


# -- tagging --------------------------------------------------------------------------------

TAGGER_FOLDER_HINT = (
    "A tagger folder holds model.onnx and selected_tags.csv from the same SmilingWolf release "
    "(see models/README.md)."
)


def tagger_error_text(err: TaggerError) -> str:
    """Why a tagger folder cannot be used, naming the file, and what a tagger folder needs."""
    folder = err.path.parent
    if isinstance(err, TaggerFileMissing):
        what = f"{err.path.name} is missing"
    else:
        what = f"{err.path.name}: {err.detail}"
    return f"The tagger in {folder} cannot be used: {what.rstrip('.')}.\n{TAGGER_FOLDER_HINT}"


def provider_text(label: str, fallback: str | None) -> str:
    """The provider badge: ``provider: CPU``, or loudly that CUDA did not run (the details,
    e.g. which libraries are missing, go in its tooltip)."""
    if fallback:
        why = fallback.split("; running on")[0].split(" (")[0]
        return f"provider: {label} \u2014 {why}"
    return f"provider: {label}"


def tagging_summary_text(summary: Any) -> str:
    """One line summing up a tagging run (a ``TagSummary``)."""
    tagged, unchanged, failed = int(summary.tagged), int(summary.unchanged), len(summary.failed)
    noun = "clip" if tagged == 1 else "clips"
    text = f"Tagged {tagged} {noun} with {summary.model}: {unchanged} unchanged, {failed} failed"
    if summary.frames:
        text += f"; {summary.frames} frames at {summary.frames_per_s:.1f}/s"
    return text


def replace_summary_text(old: str, new: str, changed: int) -> str:
    noun = "clip" if changed == 1 else "clips"
    if not new.strip():
        return f"Removed \u201c{old}\u201d from {changed} {noun}"
    return f"Replaced \u201c{old}\u201d with \u201c{new.strip()}\u201d on {changed} {noun}"


# -- export -----------------------------------------------------------------------------------


def export_summary_text(result: Any) -> str:
    """One line summing up an export (an ``ExportResult``) for the status bar."""
    done, failed = len(result.done), len(result.failed)
    text = (
        f"Export finished, {done} file{'' if done == 1 else 's'}: {result.rendered} rendered, "
        f"{result.unchanged} unchanged, {failed} failed"
    )
    skipped = len(result.plan.skipped)
    return text + (f", {skipped} clips skipped" if skipped else "")


def export_cancelled_text(done: int, total: int) -> str:
    """What a cancelled export leaves: finished files stay and are skipped by the next run."""
    after = f" after {done} of {total} files" if total else ""
    return f"Export cancelled{after}. Finished files are kept; exporting again completes it."
