"""Export to trainers: plan (choose clips, frames, sizes, captions; preview), render (parallel,
resumable, atomic clips and stills), one writer per trainer, the manifest, and prompt search."""

from typing import TYPE_CHECKING

from anicurate.core.lazy import lazy_exports

if TYPE_CHECKING:
    from anicurate.core.export.files import ExportError
    from anicurate.core.export.find import Hit, find
    from anicurate.core.export.include import Include
    from anicurate.core.export.plan import (
        ExportOptions,
        ExportPlan,
        ExportSettings,
        PlanItem,
        Skipped,
        plan_export,
    )
    from anicurate.core.export.render import ExportResult, export_project, render
    from anicurate.core.export.results import ItemResult
    from anicurate.core.export.targets import TARGETS, Target, TargetSpec, target_spec

# Names are imported when first used (PEP 562), so that reading only the targets (the CLI's
# --format choices) does not load the media stack and the renderer.
_HOMES = {
    "ExportError": "files",
    "Hit": "find",
    "find": "find",
    "ExportOptions": "plan",
    "ExportPlan": "plan",
    "ExportSettings": "plan",
    "Include": "include",
    "PlanItem": "plan",
    "Skipped": "plan",
    "plan_export": "plan",
    "ExportResult": "render",
    "export_project": "render",
    "render": "render",
    "ItemResult": "results",
    "TARGETS": "targets",
    "Target": "targets",
    "TargetSpec": "targets",
    "target_spec": "targets",
}


__getattr__ = lazy_exports(__name__, _HOMES)

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
