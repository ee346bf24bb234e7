"""diffusion-pipe: media + same-stem ``.txt`` only in clips/, and dataset.toml (beside it, not in
it) with frame buckets counted at the model's frame rate, which the clips are rendered at."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anicurate.core.export.files import write_text_atomic
from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.targets import TARGETS
from anicurate.core.export.writers.templates import fill

CONFIG_NAME = "dataset.toml"


def write(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    s = plan.settings
    folder = TARGETS[plan.target].layout.video_dir
    assert folder is not None
    square = s.width == s.height
    text = fill(
        "diffusion_pipe_dataset.toml",
        {
            "fps": s.fps,
            "resolutions": [s.width] if square else [[s.width, s.height]],
            "enable_ar_bucket": s.keep_aspect,
            "frame_buckets": [1, s.window_frames],
            "path": str(plan.out_dir / folder),
        },
    )
    return [write_text_atomic(plan.out_dir, CONFIG_NAME, text)]
