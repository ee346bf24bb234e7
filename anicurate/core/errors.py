"""Typed errors of the core; the CLI and the UI turn them into messages in one place each."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class AnicurateError(Exception):
    """Base of every error the core raises on purpose; ``str(err)`` is a message for a person."""


class MediaErrorKind(StrEnum):
    """Why a file could not be used; stored in the catalogue next to the human message."""

    NOT_FOUND = "not found"
    PERMISSION = "permission denied"
    ZERO_LENGTH = "zero length"
    NOT_MEDIA = "not media"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    UNSUPPORTED_CODEC = "unsupported codec"
    NO_FRAMES = "no frames"
    NOT_REGULAR = "not a regular file"  # a FIFO, device or socket: never opened, it could block
    TOO_LARGE = "too large"  # more pixels than the limit; refused from the header, undecoded


class MediaError(AnicurateError):
    """A media file cannot be probed or decoded; carries the file and a kind for filtering."""

    def __init__(self, path: str | Path, kind: MediaErrorKind, detail: str = "") -> None:
        self.path = str(path)
        self.kind = kind
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line for a person: what is wrong, and the decoder's words where they help."""
        return f"{self.kind.value}: {self.detail}" if self.detail else self.kind.value


class FrameOutOfRange(AnicurateError, IndexError):
    """A frame index outside ``0 <= i < frame_count``."""


class ProjectError(AnicurateError):
    """A project file cannot be opened, migrated or written."""


class SchemaTooNew(ProjectError):
    """The project was written by a newer anicurate; opening it would risk the user's work."""


class NotAProject(ProjectError):
    """The file is no anicurate project (not a database at all, or another application's)."""


class DamagedProject(ProjectError):
    """The project file's pages are damaged; ``anicurate check --repair`` may recover it."""
