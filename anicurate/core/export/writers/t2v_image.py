"""Text-To-Video-Finetuning ``image``: one PNG still per clip with its ``.txt`` caption in
images/, and config.yaml with ``dataset_types: [image]``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.writers.t2v_config import write_config


def write(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    return [write_config(plan, ["image"])]
