"""Typed errors of the fix engines: a model that is unknown, missing or unreadable."""

from __future__ import annotations

from anicurate.core.errors import AnicurateError


class FixError(AnicurateError):
    """A fix cannot run (bad settings, no engine for them)."""


class UnknownModel(FixError):
    """No installed model of that kind has that name."""


class ModelMissing(FixError):
    """A model's files are not where its manifest says (e.g. RIFE not converted yet)."""


class ModelBroken(FixError):
    """A model's files exist but do not load or do not run."""
