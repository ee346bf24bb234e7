"""Tagging settings a project keeps: sampling, merging and thresholds (part of each clip's
fingerprint, so changing one re-tags the clips it affects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from anicurate.core.tagging.sampling import Sampling

MergeMethod = Literal["mean", "max"]

# The SmilingWolf Space's defaults, also kohya's and the ComfyUI node's for characters.
GENERAL_THRESHOLD = 0.35
CHARACTER_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True, kw_only=True)
class TaggingOptions:
    """How frame scores become a clip's tags.

    ``merge``: per-tag mean over the sampled frames (steady tags) or max (anything seen once).
    Thresholds are strict (score > threshold) as in the Space; ``*_mcut`` replaces a threshold
    by the MCut one (characters never below 0.15). ``blacklist`` tags are never added.
    """

    sampling: Sampling = field(default_factory=Sampling)
    merge: MergeMethod = "mean"
    general_threshold: float = GENERAL_THRESHOLD
    character_threshold: float = CHARACTER_THRESHOLD
    general_mcut: bool = False
    character_mcut: bool = False
    blacklist: tuple[str, ...] = ()
    replace_underscores: bool = True

    def __post_init__(self) -> None:
        if self.merge not in ("mean", "max"):
            raise ValueError(f"merge must be mean or max, not {self.merge!r}")
        for name in ("general_threshold", "character_threshold"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (stored as the project setting ``tagging.options``)."""
        return {
            "sampling": self.sampling.to_dict(),
            "merge": self.merge,
            "general_threshold": float(self.general_threshold),
            "character_threshold": float(self.character_threshold),
            "general_mcut": self.general_mcut,
            "character_mcut": self.character_mcut,
            "blacklist": list(self.blacklist),
            "replace_underscores": self.replace_underscores,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TaggingOptions:
        """Options from stored values; missing keys take the defaults, unknown keys are ignored."""
        kw: dict[str, Any] = {}
        for key in ("merge", "general_threshold", "character_threshold", "general_mcut",
                    "character_mcut", "replace_underscores"):  # fmt: skip
            if key in values:
                kw[key] = values[key]
        if "blacklist" in values:
            kw["blacklist"] = tuple(str(t) for t in values["blacklist"])
        if "sampling" in values:
            kw["sampling"] = Sampling.from_dict(values["sampling"])
        return cls(**kw)
