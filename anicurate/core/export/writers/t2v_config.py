"""Text-To-Video-Finetuning's config.yaml, filled from an export (shared by its three writers)."""

from __future__ import annotations

from pathlib import Path

from anicurate.core.export.files import write_text_atomic
from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.targets import TARGETS
from anicurate.core.export.writers.templates import fill, value_text

CONFIG_NAME = "config.yaml"


def template_for(preset: str) -> str:
    """The animov-512x preset has its own template; every other preset the trainer's defaults."""
    return "t2v_animov-512x.yaml" if preset == "animov-512x" else "t2v_train_config.yaml"


def write_config(
    plan: ExportPlan, dataset_types: list[str], *, json_path: Path | None = None,
    sample_start_idx: int = 1,
) -> Path:  # fmt: skip
    """Write config.yaml at the export's root; paths are absolute (the trainer opens them
    relative to its working folder, not to the config).

    With bucketing, stills get their own dataset in ``extra_train_data`` without bucketing
    (the image dataset gets sizes wrong when it buckets), so they never change how videos train.
    """
    s = plan.settings
    layout = TARGETS[plan.target].layout
    root = plan.out_dir
    own_images = s.keep_aspect and "image" in dataset_types and len(dataset_types) > 1
    if own_images:
        dataset_types = [t for t in dataset_types if t != "image"]
    folder = str(root / layout.video_dir) if "folder" in dataset_types and layout.video_dir else ""
    images = str(root / layout.image_dir) if "image" in dataset_types and layout.image_dir else ""
    text = fill(
        template_for(s.preset),
        {
            "dataset_types": dataset_types,
            "width": s.width,
            "height": s.height,
            "use_bucketing": s.keep_aspect,
            "sample_start_idx": sample_start_idx,
            "fps": s.fps,
            "frame_step": s.frame_step,
            "n_sample_frames": s.n_sample_frames,
            "fallback_prompt": s.fallback_prompt,
            "path": folder,
            "json_path": str(json_path) if json_path is not None else "",
            "image_dir": images,
            "validation_prompt": "",
        },
    )
    if own_images and layout.image_dir:
        extra = [{
            "dataset_types": ["image"],
            "train_data": {
                "width": s.width, "height": s.height, "use_bucketing": False,
                "image_dir": str(root / layout.image_dir), "fallback_prompt": s.fallback_prompt,
            },
        }]  # fmt: skip
        text = text.rstrip("\n") + (
            "\n\n# Stills: their own dataset, unbucketed (the image dataset gets sizes wrong when"
            "\n# it buckets), so the videos above keep bucketing.\n"
            f"extra_train_data: {value_text(extra)}\n"
        )
    return write_text_atomic(root, CONFIG_NAME, text)
