"""Training settings a project is curated for, and the presets that fill them from known configs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectSettings:
    """What the trainer will ask of each clip; flags and export read these.

    Names follow Text-To-Video-Finetuning's ``train_data`` keys: a sample is ``n_sample_frames``
    frames taken every ``frame_step`` source frames, resized to ``train_width`` x
    ``train_height`` (or to a bucket of that size when ``use_bucketing``); ``fps`` is the
    rate exported clips are rendered at. ``preset`` names the preset the values came from.
    """

    train_width: int
    train_height: int
    n_sample_frames: int
    fps: int
    frame_step: int
    trigger_tag: str
    use_bucketing: bool
    preset: str

    def __post_init__(self) -> None:
        for name in ("train_width", "train_height", "n_sample_frames", "fps", "frame_step"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        if self.train_width % 8 or self.train_height % 8:
            # The latent video models these presets target downsample by 8.
            raise ValueError(
                f"training size {self.train_width}x{self.train_height} must be a multiple of 8"
            )
        if not isinstance(self.use_bucketing, bool):
            raise ValueError(f"use_bucketing must be true or false, not {self.use_bucketing!r}")

    @property
    def sample_span(self) -> int:
        """Source frames one training sample covers: a shorter clip yields fewer frames."""
        return (self.n_sample_frames - 1) * self.frame_step + 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, one per field (stored as one settings row each)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProjectSettings:
        """Settings from stored values: a field an older file lacks comes from the default preset,
        keys that are no field (other settings rows) are ignored."""
        merged = PRESETS[DEFAULT_PRESET].to_dict()
        merged.update({f.name: values[f.name] for f in fields(cls) if f.name in values})
        return cls(**merged)

    @classmethod
    def from_stored(cls, values: dict[str, Any]) -> tuple[ProjectSettings, dict[str, str]]:
        """Settings from stored values that may be damaged: a value of the wrong type or range
        falls back to the default preset's, per key. Returns the settings and, per key that
        fell back, why (for warnings and ``anicurate check``); never raises."""
        default = PRESETS[DEFAULT_PRESET].to_dict()
        merged = dict(default)
        bad: dict[str, str] = {}
        for f in fields(cls):
            if f.name not in values:
                continue
            value = values[f.name]
            reason = _field_problem(f.name, value, default[f.name])
            if reason:
                bad[f.name] = reason
            else:
                merged[f.name] = value
        return cls(**merged), bad


def _field_problem(name: str, value: Any, default: Any) -> str:
    """Why a stored settings value cannot be used ("" when it can)."""
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else f"{name} must be true or false, not {value!r:.40}"
    if isinstance(default, int):
        if type(value) is not int or value < 1:
            return f"{name} must be a positive integer, not {value!r:.40}"
        if name in ("train_width", "train_height") and value % 8:
            return f"{name} {value} must be a multiple of 8"
        return ""
    return "" if isinstance(value, str) else f"{name} must be text, not {value!r:.40}"


DEFAULT_PRESET = "text-to-video-finetuning"

PRESETS: dict[str, ProjectSettings] = {
    # ExponentialML/Text-To-Video-Finetuning configs/v2/train_config.yaml, train_data section.
    DEFAULT_PRESET: ProjectSettings(
        train_width=384,
        train_height=384,
        n_sample_frames=8,
        fps=24,
        frame_step=1,
        trigger_tag="",
        use_bucketing=True,
        preset=DEFAULT_PRESET,
    ),
    # strangeman3107/animov-512x config.yaml train_data, and the README's positive prompt "anime".
    "animov-512x": ProjectSettings(
        train_width=512,
        train_height=512,
        n_sample_frames=45,
        fps=24,
        frame_step=5,
        trigger_tag="anime",
        use_bucketing=True,
        preset="animov-512x",
    ),
}
