"""Typed errors of the tagger: each names the file at fault so a person can fix or replace it."""

from __future__ import annotations

from pathlib import Path

from anicurate.core.errors import AnicurateError


class TaggerError(AnicurateError):
    """A tagger folder cannot be used; ``path`` is the file at fault, ``str()`` says why."""

    def __init__(self, path: str | Path, detail: str) -> None:
        self.path = Path(path)
        self.detail = detail
        super().__init__(f"{self.path}: {detail}")


class TaggerFileMissing(TaggerError):
    """``model.onnx`` or ``selected_tags.csv`` is not there."""


class TaggerModelBroken(TaggerError):
    """``model.onnx`` does not load (not ONNX, truncated, unsupported operators)."""


class TaggerLayoutError(TaggerError):
    """The model loads, but its input or output is not a WD14 tagger's (NHWC in, scores out)."""


class TaggerOutputError(TaggerError):
    """The model ran but its scores are not probabilities: NaN, infinite, outside 0-1, or not
    floats. Raised on the first bad batch, so nothing it scored is stored."""


class VocabularyError(TaggerError):
    """``selected_tags.csv`` is unreadable, lacks its header, or does not match the model."""


class TaggerUnavailable(AnicurateError):
    """A tagger cannot be fetched: huggingface_hub is not installed, or the hub is unreachable."""
