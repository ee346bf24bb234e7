"""finetrainers: the caption-data pair layout (``videos/<id>.mp4`` + ``<id>.txt``, nothing else
in that root) and training.json with one ``[F, H, W]`` bucket, F = 4k+1. Each part spans one
training sample's time and finetrainers squeezes it to F frames. ``data_root`` is absolute:
finetrainers opens it relative to its working folder, not to training.json."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anicurate.core.export.files import write_text_atomic
from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.targets import TARGETS
from anicurate.core.export.writers.templates import fill

CONFIG_NAME = "training.json"


def write(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    s = plan.settings
    video_dir = TARGETS[plan.target].layout.video_dir
    assert video_dir is not None
    text = fill(
        "finetrainers_training.json",
        {
            "data_root": str(plan.out_dir / video_dir),
            "video_resolution_buckets": [[s.window_frames, s.height, s.width]],
        },
    )
    return [write_text_atomic(plan.out_dir, CONFIG_NAME, text)]
