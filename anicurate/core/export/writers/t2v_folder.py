"""Text-To-Video-Finetuning ``folder``: lowercase ``.mp4`` files with same-stem UTF-8 ``.txt``
captions (written by render) in videos/, stills in images/, and config.yaml."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.writers.t2v_config import write_config


def write(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    types = ["folder"] + (["image"] if any(r.item.kind == "still" for r in done) else [])
    return [write_config(plan, types)]
