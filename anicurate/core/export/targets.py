"""The trainers an export can write for, described once: one TargetSpec per target (its CLI name,
the dialog's label and explanation, the folders it writes, its frame-count rule and sizing), read
by the planner, the writers, the CLI's ``--format`` and the export dialog.

Each target's writer is looked up in :mod:`anicurate.core.export.writers` by the same
:class:`Target`: the writers read an ExportPlan, which is built from these specs, so the specs
cannot import the writers without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Target(StrEnum):
    """The trainer layouts an export can write (the value is the CLI's ``--format`` name)."""

    T2V_JSON = "t2v-json"
    T2V_FOLDER = "t2v-folder"
    T2V_IMAGE = "t2v-image"
    FINETRAINERS = "finetrainers"
    DIFFUSION_PIPE = "diffusion-pipe"
    MUSUBI = "musubi"


class FrameRule(StrEnum):
    """How a target turns ``n_sample_frames`` into the frames one training sample needs."""

    STRIDED = "strided"  # n frames frame_step apart, from any start the index lists
    CONSECUTIVE = "consecutive"  # n frames in a row at the export's fps
    STILL = "still"  # one frame
    FOUR_K_PLUS_ONE = "4k+1"  # n rounded down to 4k+1 (video VAEs compress 4 frames to 1)


@dataclass(frozen=True, slots=True)
class Layout:
    """Folders (relative to the export) a target puts media in; None: that kind is not exported."""

    video_dir: str | None
    image_dir: str | None
    chunk: bool = False  # split a clip into sample-long parts inside its shots (plan.py)


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """Everything about one target that is not its writer's file format."""

    target: Target
    label: str  # the export dialog's name for it
    summary: str  # one sentence: what the folder will hold
    layout: Layout
    frames: FrameRule
    fixed_size: bool  # resize to the training size whatever the aspect (no bucketing)

    @property
    def name(self) -> str:
        """The CLI's ``--format`` name."""
        return self.target.value

    @property
    def uses_frame_step(self) -> bool:
        """Whether the trainer reads ``frame_step`` (only strided sampling does)."""
        return self.frames is FrameRule.STRIDED

    def window(self, n_sample_frames: int, frame_step: int) -> tuple[int, int]:
        """(frames one sample holds, output frames a clip needs for one full sample)."""
        n = n_sample_frames
        if self.frames is FrameRule.STRIDED:
            return n, (n - 1) * frame_step + 1  # frame_index + (n-1)*frame_step < num_frames
        if self.frames is FrameRule.CONSECUTIVE:
            return n, n
        if self.frames is FrameRule.STILL:
            return 1, 1
        k = four_k_plus_one(n)
        return k, k


def four_k_plus_one(n: int) -> int:
    """The largest count of the form 4k+1 not above ``n`` (at least 5: one latent step)."""
    return max(5, 4 * ((n - 1) // 4) + 1)


_SPECS = (
    TargetSpec(
        Target.T2V_JSON,
        "Text-To-Video-Finetuning: JSON",
        "Clips plus a Video-BLIP2-Preprocessor JSON with frame_index windows (dataset type json).",
        Layout("videos", "images"),
        FrameRule.STRIDED,
        fixed_size=False,
    ),
    TargetSpec(
        Target.T2V_FOLDER,
        "Text-To-Video-Finetuning: folder",
        "Clips with a same-name .txt caption each (dataset type folder).",
        Layout("videos", "images"),
        # rendered at the trainer's fps, so every frame is sampled
        FrameRule.CONSECUTIVE,
        fixed_size=False,
    ),
    TargetSpec(
        Target.T2V_IMAGE,
        "Text-To-Video-Finetuning: images",
        "One still per clip with a .txt caption (dataset type image).",
        Layout(None, "images"),
        FrameRule.STILL,
        # Text-To-Video-Finetuning's ImageDataset reads a C x H x W tensor as H x W x C when
        # bucketing (wrong sizes).
        fixed_size=True,
    ),
    TargetSpec(
        Target.FINETRAINERS,
        "finetrainers",
        "Clips cut into sample-long parts within shots, with captions and a training config.",
        # finetrainers squeezes a whole clip into its bucket's frame count: cut clips to it.
        Layout("videos", None, chunk=True),
        FrameRule.FOUR_K_PLUS_ONE,
        fixed_size=True,
    ),
    TargetSpec(
        Target.DIFFUSION_PIPE,
        "diffusion-pipe",
        "Clips and stills with captions in one folder and a dataset.toml (4k+1 frames).",
        # diffusion-pipe reads images and videos from one folder; nothing else may be in it.
        Layout("clips", "clips"),
        FrameRule.FOUR_K_PLUS_ONE,
        fixed_size=False,
    ),
    TargetSpec(
        Target.MUSUBI,
        "musubi-tuner",
        "Clips with captions and a dataset config (4k+1 frames).",
        Layout("videos", None),
        FrameRule.FOUR_K_PLUS_ONE,
        fixed_size=False,
    ),
)

#: Every target's spec, in the order the dialog lists them.
TARGETS: dict[Target, TargetSpec] = {spec.target: spec for spec in _SPECS}
#: The CLI's ``--format`` choices.
TARGET_NAMES: tuple[str, ...] = tuple(spec.name for spec in _SPECS)


def target_spec(target: Target | str) -> TargetSpec:
    """The spec of ``target`` (a Target or its name; ValueError for an unknown name)."""
    return TARGETS[Target(target)]
