"""One writer per trainer: the index and config files that point the trainer at the rendered
media. ``write_target`` picks the writer; the first path it returns is the config to run with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult
from anicurate.core.export.targets import Target
from anicurate.core.export.writers import (
    diffusion_pipe,
    finetrainers,
    musubi,
    t2v_folder,
    t2v_image,
    t2v_json,
)

Writer = Callable[[ExportPlan, Sequence[ItemResult]], list[Path]]

WRITERS: dict[Target, Writer] = {
    Target.T2V_JSON: t2v_json.write,
    Target.T2V_FOLDER: t2v_folder.write,
    Target.T2V_IMAGE: t2v_image.write,
    Target.FINETRAINERS: finetrainers.write,
    Target.DIFFUSION_PIPE: diffusion_pipe.write,
    Target.MUSUBI: musubi.write,
}


def write_target(plan: ExportPlan, done: Sequence[ItemResult]) -> list[Path]:
    """Write the target's files for the items that were rendered (or were up to date)."""
    return WRITERS[plan.target](plan, done)
