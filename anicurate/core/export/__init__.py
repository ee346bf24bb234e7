"""Export to trainers: plan (choose clips, frames, sizes, captions; preview), render (parallel,
resumable, atomic clips and stills), one writer per trainer, the manifest, and prompt search."""

from anicurate.core.export.files import ExportError
from anicurate.core.export.find import Hit, find
from anicurate.core.export.plan import (
    ExportOptions,
    ExportPlan,
    ExportSettings,
    Include,
    PlanItem,
    Skipped,
    plan_export,
)
from anicurate.core.export.render import ExportResult, export_project, render
from anicurate.core.export.results import ItemResult
from anicurate.core.export.targets import TARGETS, Target, TargetSpec, target_spec

__all__ = [
    "TARGETS",
    "ExportError",
    "ExportOptions",
    "ExportPlan",
    "ExportResult",
    "ExportSettings",
    "Hit",
    "Include",
    "ItemResult",
    "PlanItem",
    "Skipped",
    "Target",
    "TargetSpec",
    "export_project",
    "find",
    "plan_export",
    "render",
    "target_spec",
]
