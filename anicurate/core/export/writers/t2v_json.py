"""Text-To-Video-Finetuning ``json``: the Video-BLIP2-Preprocessor schema with absolute video
paths and frame indices whose whole window lies inside the clip, plus config.yaml."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anicurate.core.export.files import write_text_atomic
from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.writers.t2v_config import write_config

JSON_NAME = "train.json"


def build(plan: ExportPlan, done: Sequence[ItemResult]) -> dict[str, Any]:
    """``{"name", "data": [{"video_path", "num_frames", "data": [{"frame_index", "prompt"}]}]}``."""
    s = plan.settings
    span = (s.n_sample_frames - 1) * s.frame_step
    videos = []
    for r in done:
        item = r.item
        if item.kind != "video":
            continue
        n = len(item.frames)
        prompts = item.window_captions or (item.caption,) * len(item.windows)
        entries = [
            {"frame_index": i, "prompt": p}
            for i, p in zip(item.windows, prompts, strict=True)
            if i + span < n
        ]
        videos.append({"video_path": str(r.path), "num_frames": n, "data": entries})
    return {"name": s.name, "data": videos}


def write(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    data = build(plan, done)
    json_path = write_text_atomic(
        plan.out_dir, JSON_NAME, json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
    types = ["json"] + (["image"] if any(r.item.kind == "still" for r in done) else [])
    # sample_start_idx only matters for items with clip_path; 0 keeps it harmless.
    config = write_config(plan, types, json_path=json_path, sample_start_idx=0)
    return [config, json_path]
