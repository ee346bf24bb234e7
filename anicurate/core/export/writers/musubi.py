"""musubi-tuner: ``videos/<id>.mp4`` + ``<id>.txt`` and dataset.toml with ``target_frames`` of the
form N*4+1 and ``source_fps`` as a float (the rate the clips are rendered at)."""

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
    text = fill(
        "musubi_dataset.toml",
        {
            "resolution": [s.width, s.height],
            "enable_bucket": s.keep_aspect,
            "video_directory": str(plan.out_dir / folder),
            "cache_directory": str(plan.out_dir / "cache" / folder),
            "target_frames": [s.window_frames],
            "source_fps": float(s.fps),
        },
    )
    return [write_text_atomic(plan.out_dir, CONFIG_NAME, text)]
